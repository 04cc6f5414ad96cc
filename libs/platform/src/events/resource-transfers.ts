import { ApprovalResourcesTransferred, EventDefinition, EventPayload, MemberOffboarded } from '@atrium/contracts';
import { Tx } from '../database';
import { EventBus } from './event-bus';

/**
 * One kind of work an offboarded member leaves behind in a service (pending approval steps,
 * reviews, …), handed to the successor in the consumer's transaction; answers how many items moved.
 */
export interface ResourceTransferStep {
  /** What moves, as the directory's transfer record names it ("pending approval steps"). */
  readonly resource: string;
  transfer(tx: Tx, corpId: string, userid: string, successorUserid: string): Promise<number>;
}

/** Every service's transfer report has this payload (one schema, an event per service). */
type TransferReport = EventPayload<typeof ApprovalResourcesTransferred>;

export interface TransferReporting {
  event: EventDefinition<TransferReport>;
  resourceType: TransferReport['resourceType'];
  /** The report's detail while the service has no step yet. */
  nothingToMove: string;
}

/**
 * 离职交接 in a service that owns members' work: runs its steps for the offboarded member and tells
 * the directory how much moved (its transfer record for `resourceType`). Call in the consumer's
 * transaction: the reassignments, the report in the outbox and the inbox row commit together, so a
 * redelivered event changes nothing twice and reports once.
 */
export async function transferAndReport(
  tx: Tx,
  bus: EventBus,
  reporting: TransferReporting,
  steps: readonly ResourceTransferStep[],
  { corpId, userid, successorUserid }: EventPayload<typeof MemberOffboarded>,
): Promise<void> {
  const moved: string[] = [];
  let transferred = 0;
  for (const step of steps) {
    const count = await step.transfer(tx, corpId, userid, successorUserid);
    transferred += count;
    moved.push(`${count} ${step.resource}`);
  }
  await bus.publish(tx, reporting.event, corpId, {
    corpId,
    userid,
    successorUserid,
    resourceType: reporting.resourceType,
    transferred,
    status: 'done',
    detail: moved.length > 0 ? moved.join(', ') : reporting.nothingToMove,
  });
}
