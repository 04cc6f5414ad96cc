import { Tx } from '@atrium/platform';

/**
 * One kind of work an offboarded member leaves behind in approvals (pending approval steps,
 * templates they administer, …), handed to the successor in the consumer's transaction. Each
 * approval feature that assigns work to members adds its step to APPROVAL_TRANSFER_STEPS.
 */
export interface ApprovalTransferStep {
  /** What moves, as the directory's transfer record names it ("pending approval steps"). */
  readonly resource: string;
  /** Answers how many items moved. */
  transfer(tx: Tx, corpId: string, userid: string, successorUserid: string): Promise<number>;
}

export const APPROVAL_TRANSFER_STEPS = Symbol('approval.transfer-steps');
