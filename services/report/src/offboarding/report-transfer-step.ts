import { Tx } from '@atrium/platform';

/**
 * One kind of work an offboarded member leaves behind in reports (reports waiting for their
 * review, schedules they receive, …), handed to the successor in the consumer's transaction. Each
 * report feature that assigns work to members adds its step to REPORT_TRANSFER_STEPS.
 */
export interface ReportTransferStep {
  /** What moves, as the directory's transfer record names it ("pending approval steps"). */
  readonly resource: string;
  /** Answers how many items moved. */
  transfer(tx: Tx, corpId: string, userid: string, successorUserid: string): Promise<number>;
}

export const REPORT_TRANSFER_STEPS = Symbol('report.transfer-steps');
