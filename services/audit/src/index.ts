export { auditService } from './audit.service-definition';
export { loadAuditConfig, type AuditConfig } from './config';
