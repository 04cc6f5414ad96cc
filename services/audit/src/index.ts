export { auditService, auditOptionsFromConfig, type AuditOptions } from './audit.service-definition';
export { loadAuditConfig, type AuditConfig } from './config';
export { LocalKeyProvider } from './crypto/local-key-provider';
export { KmsKeyProvider, type KeyProvider, type KmsClient } from './crypto/key-provider';
