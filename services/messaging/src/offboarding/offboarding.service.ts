import { Inject, Injectable } from '@nestjs/common';
import { EventPayload, MemberOffboarded, MessagingResourcesTransferred } from '@atrium/contracts';
import { EVENT_BUS, EventBus, Tx } from '@atrium/platform';
import { ConversationsRepository } from '../conversations/conversations.repository';
import { ConversationsService } from '../conversations/conversations.service';

/** 离职交接 for conversations: the directory's `groups` transfer record. */
@Injectable()
export class OffboardingService {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly conversations: ConversationsService,
    private readonly repository: ConversationsRepository,
  ) {}

  /**
   * The member leaves every group; groups they owned pass to the successor (who joins if needed);
   * the directory hears how many. In the consumer's transaction, so a replay changes nothing twice.
   */
  async handOverGroups(tx: Tx, { corpId, userid, successorUserid }: EventPayload<typeof MemberOffboarded>): Promise<void> {
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
