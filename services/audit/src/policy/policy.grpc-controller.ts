import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { PolicyService } from './policy.service';

const SERVICE = auditV1.AUDIT_SERVICE_NAME;

/** A corp's archive policy (archiving on or off, retention) and its archive key. */
@Controller()
export class PolicyGrpcController {
  constructor(private readonly policies: PolicyService) {}

  @GrpcMethod(SERVICE, 'SetArchivePolicy')
  async setArchivePolicy(r: auditV1.SetArchivePolicyRequest): Promise<auditV1.SetArchivePolicyResponse> {
    const policy = r.policy ?? { archivingEnabled: true, retentionDays: 0 };
    return { policy: await this.policies.set(currentCaller(), policy) };
  }

  @GrpcMethod(SERVICE, 'GetArchivePolicy')
  async getArchivePolicy(): Promise<auditV1.GetArchivePolicyResponse> {
    return { policy: await this.policies.get(currentCaller()) };
  }

  @GrpcMethod(SERVICE, 'RotateArchiveKey')
  async rotateArchiveKey(): Promise<auditV1.RotateArchiveKeyResponse> {
    const rotated = await this.policies.rotateKey(currentCaller());
    return { kekVersion: rotated.kekVersion, rewrappedKeys: rotated.rewrapped };
  }
}
