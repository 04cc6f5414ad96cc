import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { toPublicKeyResponse, toPulledRecord } from './compliance.mapper';
import {
  PublicKeyListResponse,
  PublicKeyResponse,
  PullRequest,
  PullResponse,
  PullSecretResponse,
  RegisterPublicKeyRequest,
} from './dto/compliance.dto';

/**
 * The msgaudit-style pull on the native API: the corp's RSA public keys (super admin registers a
 * new version; every version is kept), the pull secret for /cgi-bin/msgaudit, and the pull itself
 * for officers (within their scope) and super admins.
 */
@AuthenticatedApi('compliance', {
  forbidden: 'FORBIDDEN: keys and the secret need a super admin; pulling, an officer or a super admin',
  notFound: false,
})
@Controller('api/v1/compliance')
export class CompliancePullHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Get('public-keys')
  @ApiOkResponse({ type: PublicKeyListResponse })
  async publicKeys(): Promise<PublicKeyListResponse> {
    const { keys } = await this.clients.audit.call('ListArchivePublicKeys', (a, md) => a.listArchivePublicKeys({}, md));
    return { keys: keys.map(toPublicKeyResponse) };
  }

  @Post('public-keys')
  @ApiCreatedResponse({ type: PublicKeyResponse })
  async registerPublicKey(@Body() body: RegisterPublicKeyRequest): Promise<PublicKeyResponse> {
    const { key } = await this.clients.audit.call('RegisterArchivePublicKey', (a, md) =>
      a.registerArchivePublicKey({ publicKeyPem: body.publicKeyPem }, md),
    );
    return toPublicKeyResponse(key);
  }

  /** A new pull secret (shown once); tokens of the previous one stop working. */
  @Post('pull-secret')
  @ApiCreatedResponse({ type: PullSecretResponse })
  rotatePullSecret(): Promise<PullSecretResponse> {
    return this.clients.audit.call('RotatePullSecret', (a, md) => a.rotatePullSecret({}, md));
  }

  /** Message records after `seq`, each encrypted to the newest public key (see the README for decryption). */
  @Post('pull')
  @HttpCode(200)
  @ApiOkResponse({ type: PullResponse })
  async pull(@Body() body: PullRequest): Promise<PullResponse> {
    const page = await this.clients.audit.call('PullArchive', (a, md) =>
      a.pullArchive({ seq: body.seq, limit: body.limit ?? 1000, pullToken: '' }, md),
    );
    return { chatdata: page.chatdata.map(toPulledRecord), nextSeq: page.nextSeq };
  }
}
