import { Inject, Injectable } from '@nestjs/common';
import { messagingV1 } from '@atrium/contracts';
import { Batcher, CorrelatedStream, DomainError, isErrorCode, signIdentity } from '@atrium/platform';
import { AccessTokenClaims } from '../auth/access-tokens';
import { GATEWAY_IDENTITY, ServiceClients } from '../clients/service-clients';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';

interface SocketSend {
  claims: AccessTokenClaims;
  request: messagingV1.SendMessageRequest;
}

/**
 * The sends of every socket of this replica go to messaging in batches (over SendStream): while a
 * batch is in flight the next frames gather, so under load one call carries dozens of messages
 * and messaging commits them together. Each send still carries its own sender's signed identity
 * and settles on its own; alone, a frame goes at once.
 */
@Injectable()
export class SocketSends {
  private readonly batcher = new Batcher<SocketSend, messagingV1.SendResult>((sends) => this.relay(sends), {
    concurrency: 4,
    maxBatch: 64,
    // One batch at a time per conversation: concurrent calls could reach messaging out of order,
    // and a client's messages must keep the order it sent them in.
    key: ({ claims, request }) => `${claims.corpId}|${request.conversationId}`,
  });

  /** One long-lived stream to messaging per replica: no per-call setup for each batch. */
  private readonly stream: CorrelatedStream<messagingV1.SendStreamRequest, messagingV1.SendStreamResponse>;

  constructor(
    clients: ServiceClients,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.stream = clients.messaging.stream('SendStream', GATEWAY_IDENTITY);
  }

  /** The stored message and whether this call created it; a refusal throws its DomainError. */
  async send(
    claims: AccessTokenClaims,
    request: messagingV1.SendMessageRequest,
  ): Promise<{ message?: messagingV1.Message; created: boolean }> {
    const result = await this.batcher.submit({ claims, request });
    if (result.errorCode) throw remoteError(result.errorCode, result.errorMessage);
    return { message: result.message, created: result.created };
  }

  private async relay(sends: SocketSend[]): Promise<PromiseSettledResult<messagingV1.SendResult>[]> {
    const now = Date.now();
    const { results, errorCode, errorMessage } = await this.stream.request({
      sends: sends.map(({ claims, request }) => {
        const { payload, signature } = signIdentity(
          { corpId: claims.corpId, userId: claims.userId, roles: claims.roles },
          this.config.ATRIUM_IDENTITY_KEY,
          now,
        );
        return { identity: payload, identitySig: signature, send: request };
      }),
    });
    if (errorCode) throw remoteError(errorCode, errorMessage);
    return sends.map((_, i) =>
      results[i]
        ? { status: 'fulfilled', value: results[i] }
        : { status: 'rejected', reason: new DomainError('INTERNAL', 'messaging answered fewer sends than it was given') },
    );
  }
}

function remoteError(code: string, message: string): DomainError {
  return new DomainError(isErrorCode(code) ? code : 'INTERNAL', message);
}
