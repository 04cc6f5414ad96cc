import { ValidationError } from '@atrium/platform';
import { CorpPolicy } from './corp-policy';

export const FILE_FORWARDING = ['any', 'internal_only', 'same_department'] as const;
export type FileForwarding = (typeof FILE_FORWARDING)[number];

export type FeaturePolicy = Pick<CorpPolicy, 'fileForwarding' | 'messageRetentionDays' | 'burnTtlSeconds' | 'archiveNotice'>;
/** A policy as SetCorpPolicy receives it: the feature fields may be absent (proto3 optional). */
export type CorpPolicyInput = Omit<CorpPolicy, keyof FeaturePolicy | 'mediaLimits'> &
  Partial<FeaturePolicy> &
  Partial<Pick<CorpPolicy, 'mediaLimits'>>;

/** Corps without a policy row: forward anywhere, keep forever, burn after a day, say that the chat is archived. */
export const FEATURE_POLICY_DEFAULTS: FeaturePolicy = {
  fileForwarding: 'any',
  messageRetentionDays: 0,
  burnTtlSeconds: 86_400,
  archiveNotice: 'This chat is archived by your company.',
};

const MAX_RETENTION_DAYS = 36_500;
const MAX_BURN_TTL_SECONDS = 7 * 86_400;

/** An absent field keeps the current value (a client that does not know it cannot reset it); the rest is validated. */
export function mergeFeaturePolicy(input: Partial<FeaturePolicy>, current: FeaturePolicy): FeaturePolicy {
  const fileForwarding = input.fileForwarding ?? current.fileForwarding;
  if (!(FILE_FORWARDING as readonly string[]).includes(fileForwarding))
    throw new ValidationError(`file_forwarding must be one of ${FILE_FORWARDING.join(', ')}`, { field: 'file_forwarding' });
  const messageRetentionDays = input.messageRetentionDays ?? current.messageRetentionDays;
  if (!Number.isInteger(messageRetentionDays) || messageRetentionDays < 0 || messageRetentionDays > MAX_RETENTION_DAYS)
    throw new ValidationError(`message_retention_days must be 0 (forever) or 1-${MAX_RETENTION_DAYS}`, { field: 'message_retention_days' });
  const burnTtlSeconds = input.burnTtlSeconds ?? current.burnTtlSeconds;
  if (!Number.isInteger(burnTtlSeconds) || burnTtlSeconds < 60 || burnTtlSeconds > MAX_BURN_TTL_SECONDS)
    throw new ValidationError(`burn_ttl_seconds must be 60-${MAX_BURN_TTL_SECONDS}`, { field: 'burn_ttl_seconds' });
  const archiveNotice = input.archiveNotice ?? current.archiveNotice;
  if ([...archiveNotice].length > 200)
    throw new ValidationError('archive_notice must be at most 200 characters', { field: 'archive_notice' });
  return { fileForwarding, messageRetentionDays, burnTtlSeconds, archiveNotice };
}
