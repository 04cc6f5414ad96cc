import { Inject, Injectable } from '@nestjs/common';
import { CorpPolicyChanged } from '@atrium/contracts';
import {
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  SUPER_ADMIN_ROLE,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { MESSAGING_CONFIG, MessagingConfig } from '../config';
import { CorpPolicy } from './corp-policy';
import { checkMediaLimits, DEFAULT_MEDIA_LIMITS } from '../media/media-limits';
import { CorpPoliciesRepository } from './corp-policies.repository';
import { CorpPolicyInput, FEATURE_POLICY_DEFAULTS, mergeFeaturePolicy } from './feature-policy';

const MAX_GROUP_CAP = 10_000;

/** Policies the server enforces; clients only display them (the watermark). */
@Injectable()
export class CorpPoliciesService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly policies: CorpPoliciesRepository,
  ) {}

  defaults(): CorpPolicy {
    return {
      membersMayCreateGroups: true,
      recallWindowSeconds: this.config.MESSAGING_RECALL_WINDOW_SECONDS,
      maxGroupMembers: this.config.MESSAGING_MAX_GROUP_MEMBERS,
      watermarkEnabled: false,
      watermarkTemplate: '{name} {employee_no}',
      ...FEATURE_POLICY_DEFAULTS,
      mediaLimits: DEFAULT_MEDIA_LIMITS,
    };
  }

  async get(corpId: string, tx: Tx = this.transactions.manager): Promise<CorpPolicy> {
    return (await this.policies.find(tx, corpId)) ?? this.defaults();
  }

  async set(caller: CallerIdentity, input: CorpPolicyInput): Promise<CorpPolicy> {
    if (!caller.roles.includes(SUPER_ADMIN_ROLE)) throw new DomainError('FORBIDDEN', 'only a super admin sets the messaging policy');
    const current = await this.get(caller.corpId);
    const policy: CorpPolicy = {
      ...input,
      ...mergeFeaturePolicy(input, current),
      // Absent keeps the current limits, like the feature fields.
      mediaLimits: input.mediaLimits ? checkMediaLimits(input.mediaLimits, this.config.MESSAGING_MEDIA_MAX_BYTES) : current.mediaLimits,
    };
    if (!Number.isInteger(policy.recallWindowSeconds) || policy.recallWindowSeconds < 0 || policy.recallWindowSeconds > 7 * 24 * 3600) {
      throw new ValidationError('recall_window_seconds must be 0-604800', { field: 'recall_window_seconds' });
    }
    if (!Number.isInteger(policy.maxGroupMembers) || policy.maxGroupMembers < 2 || policy.maxGroupMembers > MAX_GROUP_CAP) {
      throw new ValidationError(`max_group_members must be 2-${MAX_GROUP_CAP}`, { field: 'max_group_members' });
    }
    if ([...policy.watermarkTemplate].length > 64)
      throw new ValidationError('watermark_template must be at most 64 characters', { field: 'watermark_template' });
    await this.transactions.run(async (tx) => {
      await this.policies.upsert(tx, caller.corpId, policy, caller.userId);
      await this.policies.updateFeatures(tx, caller.corpId, policy);
      if (input.mediaLimits) await this.policies.updateMediaLimits(tx, caller.corpId, policy.mediaLimits);
      // Archived like every admin action (the audit service consumes messaging events).
      await this.bus.publish(tx, CorpPolicyChanged, caller.corpId, { corpId: caller.corpId, policy: { ...policy }, actor: caller.userId });
    });
    return policy;
  }
}
