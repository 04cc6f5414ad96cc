import { ResourceTransferStep } from '@atrium/platform';

/**
 * One kind of work an offboarded member leaves behind in approvals (pending approval steps,
 * templates they administer, …). Each approval feature that assigns work to members adds its step
 * to APPROVAL_TRANSFER_STEPS.
 */
export type ApprovalTransferStep = ResourceTransferStep;

export const APPROVAL_TRANSFER_STEPS = Symbol('approval.transfer-steps');
