import 'reflect-metadata';
import { serviceMain } from '@atrium/platform';
import { loadApprovalConfig } from './config';
import { approvalService } from './approval.service-definition';

void serviceMain(
  'approval',
  () => loadApprovalConfig(),
  () => approvalService(),
);
