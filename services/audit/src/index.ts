export { auditService, auditOptionsFromConfig, type AuditOptions } from './audit.service-definition';
export { loadAuditConfig, type AuditConfig } from './config';
export { LocalKeyProvider } from './crypto/local-key-provider';
export { KmsKeyProvider, type KeyProvider, type KmsClient } from './crypto/key-provider';
/** The retention sweep, for the composition root's tests (a sweep run as of an injected time). */
export { RetentionService } from './retention/retention.service';
