import { Tx } from '@atrium/platform';

/**
 * One kind of work an offboarded member leaves behind in reports (reports waiting for their
 * review, schedules they receive, …), handed to the successor in the consumer's transaction. Each
 * report feature that assigns work to members adds its step to REPORT_TRANSFER_STEPS.
 */
export interface ReportTransferStep {
  /** What moves, as the transfer record's detail names it ("unread reports to review"). */
  readonly resource: string;
  /** Reassigns the member's items of this kind to the successor; answers how many moved. */
  transfer(tx: Tx, corpId: string, userid: string, successorUserid: string): Promise<number>;
}

export const REPORT_TRANSFER_STEPS = Symbol('report.transfer-steps');
