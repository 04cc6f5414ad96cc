import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { messagingV1 } from '@atrium/contracts';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { CorpPolicyDto } from './dto/corp-policy.dto';

/** The policy as REST clients see it: plain values, none of the loader's `_field` oneof markers. */
function toPolicyResponse(p: messagingV1.CorpPolicy | undefined): CorpPolicyDto {
  if (!p) return {};
  return {
    membersMayCreateGroups: p.membersMayCreateGroups,
    recallWindowSeconds: p.recallWindowSeconds,
    maxGroupMembers: p.maxGroupMembers,
    watermarkEnabled: p.watermarkEnabled,
    watermarkTemplate: p.watermarkTemplate,
    fileForwarding: p.fileForwarding,
    messageRetentionDays: p.messageRetentionDays,
    burnTtlSeconds: p.burnTtlSeconds,
    archiveNotice: p.archiveNotice,
    mediaLimits: p.mediaLimits && {
      maxImageBytes: p.mediaLimits.maxImageBytes,
      maxVoiceBytes: p.mediaLimits.maxVoiceBytes,
      maxVideoBytes: p.mediaLimits.maxVideoBytes,
      maxFileBytes: p.mediaLimits.maxFileBytes,
      blockedExtensions: p.mediaLimits.blockedExtensions,
    },
  };
}

/**
 * The corp's messaging policy, enforced by messaging: who may create groups, the recall window,
 * the group cap, the watermark clients render, file forwarding, retention, burn-after-reading and
 * upload limits. Every member reads it; only a super admin changes it (archived as an admin action).
 */
@AuthenticatedApi('messaging', { forbidden: 'only a super admin changes the messaging policy', notFound: false })
@Controller('api/v1/messaging/policy')
export class CorpPolicyHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Get()
  @ApiOkResponse({ type: CorpPolicyDto })
  async get(): Promise<CorpPolicyDto> {
    const { policy } = await this.clients.messaging.call('GetCorpPolicy', (m, md) => m.getCorpPolicy({}, md));
    return toPolicyResponse(policy);
  }

  /** Absent fields keep their current value. */
  @Patch()
  @ApiOkResponse({ type: CorpPolicyDto })
  async update(@Body() patch: CorpPolicyDto): Promise<CorpPolicyDto> {
    const { policy: current } = await this.clients.messaging.call('GetCorpPolicy', (m, md) => m.getCorpPolicy({}, md));
    if (!current) throw new Error('messaging answered GetCorpPolicy without a policy');
    const policy: messagingV1.CorpPolicy = {
      membersMayCreateGroups: patch.membersMayCreateGroups ?? current.membersMayCreateGroups,
      recallWindowSeconds: patch.recallWindowSeconds ?? current.recallWindowSeconds,
      maxGroupMembers: patch.maxGroupMembers ?? current.maxGroupMembers,
      watermarkEnabled: patch.watermarkEnabled ?? current.watermarkEnabled,
      watermarkTemplate: patch.watermarkTemplate ?? current.watermarkTemplate,
      fileForwarding: patch.fileForwarding,
      messageRetentionDays: patch.messageRetentionDays,
      burnTtlSeconds: patch.burnTtlSeconds,
      archiveNotice: patch.archiveNotice,
      mediaLimits: patch.mediaLimits,
    };
    const { policy: saved } = await this.clients.messaging.call('SetCorpPolicy', (m, md) => m.setCorpPolicy({ policy }, md));
    return toPolicyResponse(saved);
  }
}
