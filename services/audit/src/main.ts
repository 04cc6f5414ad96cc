import 'reflect-metadata';
import { serviceMain } from '@atrium/platform';
import { loadAuditConfig } from './config';
import { auditOptionsFromConfig, auditService } from './audit.service-definition';

void serviceMain(
  'audit',
  () => loadAuditConfig(),
  (config) => auditService(auditOptionsFromConfig(config)),
);
