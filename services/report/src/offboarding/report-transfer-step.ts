import { ResourceTransferStep } from '@atrium/platform';

/**
 * One kind of work an offboarded member leaves behind in reports (reports waiting for their
 * review, schedules they receive, …). Each report feature that assigns work to members adds its
 * step to REPORT_TRANSFER_STEPS.
 */
export type ReportTransferStep = ResourceTransferStep;

export const REPORT_TRANSFER_STEPS = Symbol('report.transfer-steps');
