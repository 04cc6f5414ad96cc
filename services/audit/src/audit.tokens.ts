/** Injection tokens of the audit service's own ports. */
export const KEY_PROVIDER = Symbol('audit.key-provider');
export const AUDIT_SETTINGS = Symbol('audit.settings');

export interface AuditSettings {
  /** How often signed checkpoints are cut over the records archived since the last one. */
  checkpointIntervalMs: number;
  /** How often expired records are crypto-shredded. */
  retentionSweepIntervalMs: number;
  /** Records per chunk of an export (one ReadArchiveExport call). */
  exportChunkRecords: number;
}
