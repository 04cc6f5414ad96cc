import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toPublicKey } from '../compliance/audit.mapper';
import { PullService } from './pull.service';

const SERVICE = auditV1.AUDIT_SERVICE_NAME;

/** The msgaudit-style pull: a corp's public keys, the pull secret, its tokens, the pull itself. */
@Controller()
export class PullGrpcController {
  constructor(private readonly pulls: PullService) {}

  @GrpcMethod(SERVICE, 'RegisterArchivePublicKey')
  async registerArchivePublicKey(r: auditV1.RegisterArchivePublicKeyRequest): Promise<auditV1.RegisterArchivePublicKeyResponse> {
    return { key: toPublicKey(await this.pulls.registerPublicKey(currentCaller(), r.publicKeyPem)) };
  }

  @GrpcMethod(SERVICE, 'ListArchivePublicKeys')
  async listArchivePublicKeys(): Promise<auditV1.ListArchivePublicKeysResponse> {
    return { keys: (await this.pulls.publicKeys(currentCaller())).map(toPublicKey) };
  }

  @GrpcMethod(SERVICE, 'RotatePullSecret')
  async rotatePullSecret(): Promise<auditV1.RotatePullSecretResponse> {
    return this.pulls.rotateSecret(currentCaller());
  }

  @GrpcMethod(SERVICE, 'IssuePullToken')
  async issuePullToken(r: auditV1.IssuePullTokenRequest): Promise<auditV1.IssuePullTokenResponse> {
    return this.pulls.issueToken(currentCaller(), r.secret);
  }

  @GrpcMethod(SERVICE, 'PullArchive')
  async pullArchive(r: auditV1.PullArchiveRequest): Promise<auditV1.PullArchiveResponse> {
    return this.pulls.pull(currentCaller(), { seq: r.seq, limit: r.limit, pullToken: r.pullToken });
  }
}
