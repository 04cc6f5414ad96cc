import { Inject, Injectable } from '@nestjs/common';
import { EventEnvelope, EventPayload, MemberOffboarded, MessagingResourcesTransferred } from '@atrium/contracts';
import { EVENT_BUS, EventBus, Tx } from '@atrium/platform';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ConversationsService } from '../conversations/conversations.service';

/**
 * On `directory.member.offboarded` (group `messaging.offboarding`): the member leaves every group;
 * groups they owned pass to the successor (who joins if needed); the directory hears how many.
 * All in the consumer's transaction, so a replay changes nothing twice.
 */
@Injectable()
export class OffboardingConsumer {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly conversations: ConversationsService,
    private readonly repository: ConversationsRepository,
  ) {}

  start(): Promise<void> {
    return this.bus.consume({
      groupId: 'messaging.offboarding',
      events: [MemberOffboarded],
      handle: (tx, event) => this.transfer(tx, event),
    });
  }

  private async transfer(tx: Tx, event: EventEnvelope): Promise<void> {
    const { corpId, userid, successorUserid } = event.payload as EventPayload<typeof MemberOffboarded>;
    const ids = await this.repository.conversationIdsOf(tx, corpId, userid);
    let transferred = 0;
    for (const id of ids) {
      const conversation = await this.repository.lock(tx, corpId, id);
      if (!conversation || conversation.kind !== 'group') continue;
      if (conversation.owner === userid && !conversation.dissolved) {
        await this.repository.addMembers(tx, corpId, id, [{ userid: successorUserid, role: 'member' }], conversation.lastSeq);
        await this.conversations.handOver(tx, corpId, conversation, successorUserid, 'system:offboarding');
        transferred++;
      }
      await this.repository.removeMembers(tx, corpId, id, [userid]);
    }
    await this.bus.publish(tx, MessagingResourcesTransferred, corpId, {
      corpId,
      userid,
      successorUserid,
      resourceType: 'groups',
      transferred,
      status: 'done',
      detail: `left ${ids.length} conversation(s)`,
    });
  }
}
