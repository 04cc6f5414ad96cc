import 'reflect-metadata';
import { serviceMain } from '@atrium/platform';
import { loadAuditConfig } from './config';
import { auditService } from './audit.service-definition';

void serviceMain(
  'audit',
  () => loadAuditConfig(),
  () => auditService(),
);
