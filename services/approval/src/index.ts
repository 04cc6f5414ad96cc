export { approvalService } from './approval.service-definition';
export { loadApprovalConfig, type ApprovalConfig } from './config';
