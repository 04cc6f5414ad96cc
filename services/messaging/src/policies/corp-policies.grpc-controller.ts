import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { messagingV1 } from '@atrium/contracts';
import { currentCaller, ValidationError } from '@atrium/platform';
import { CorpPoliciesService } from './corp-policies.service';

const SERVICE = messagingV1.MESSAGING_SERVICE_NAME;

@Controller()
export class CorpPoliciesGrpcController {
  constructor(private readonly policies: CorpPoliciesService) {}

  @GrpcMethod(SERVICE, 'GetCorpPolicy')
  async getCorpPolicy(): Promise<messagingV1.GetCorpPolicyResponse> {
    return { policy: await this.policies.get(currentCaller().corpId) };
  }

  @GrpcMethod(SERVICE, 'SetCorpPolicy')
  async setCorpPolicy(r: messagingV1.SetCorpPolicyRequest): Promise<messagingV1.SetCorpPolicyResponse> {
    if (!r.policy) throw new ValidationError('policy is required', { field: 'policy' });
    return { policy: await this.policies.set(currentCaller(), r.policy) };
  }
}
