import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { messagingV1 } from '@atrium/contracts';
import { AppLogger, DomainError, LOGGER, toDomainError, verifySignedIdentity } from '@atrium/platform';
import { MESSAGING_CONFIG, MessagingConfig } from '../config';
import { toWire } from './message-snapshot';
import { MessagesService } from './messages.service';

const NO_SEND: messagingV1.SendMessageRequest = { conversationId: '', clientMsgId: '', type: '', contentJson: '' };

/**
 * Sends relayed on behalf of their senders (SendMessages, SendStream): each carries its sender's
 * signed identity, verified here, and settles on its own. A refusal is that send's answer, and so
 * is any other failure (UNAVAILABLE or INTERNAL): a batch mixes senders of every corp, and one send's fault never
 * becomes another's error, least of all for a message that was stored.
 */
@Injectable()
export class OnBehalfSends {
  constructor(
    private readonly messages: MessagesService,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async settle(sends: messagingV1.SendOnBehalf[]): Promise<messagingV1.SendResult[]> {
    const settled = await Promise.allSettled(
      sends.map(async (s) => {
        const sender = verifySignedIdentity(s.identity, s.identitySig, this.config.ATRIUM_IDENTITY_KEY);
        return this.messages.send(sender, s.send ?? NO_SEND);
      }),
    );
    return settled.map((result) => {
      if (result.status === 'fulfilled')
        return { message: toWire(result.value.message), created: result.value.created, errorCode: '', errorMessage: '' };
      if (result.reason instanceof DomainError)
        return { created: false, errorCode: result.reason.code, errorMessage: result.reason.message };
      // An unreachable database is UNAVAILABLE (the client retries), anything else INTERNAL.
      const failure = toDomainError(result.reason);
      if (failure.code === 'INTERNAL') this.logger.error({ err: result.reason }, 'a send on behalf of its sender failed');
      return { created: false, errorCode: failure.code, errorMessage: failure.message };
    });
  }
}

type SendCall = ServerDuplexStream<messagingV1.SendStreamRequest, messagingV1.SendStreamResponse>;

/**
 * The SendStream calls open on this replica. Batches are taken in the order they arrive (so a
 * replica's sends keep their order) and answered as each settles. On stop, each stream is ended
 * cleanly once the batches it took are answered: the client sends anything unanswered again on a
 * new stream, and the gRPC server's graceful shutdown, which waits for open calls, can finish.
 */
@Injectable()
export class SendStreams implements OnModuleDestroy {
  private readonly open = new Set<{ finish(): Promise<void> }>();
  private stopping = false;

  constructor(
    private readonly sends: OnBehalfSends,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** Settles when the stream has ended. */
  serve(call: SendCall): Promise<void> {
    return new Promise<void>((resolve) => {
      const inFlight = new Set<Promise<void>>();
      let finishing: Promise<void> | undefined;
      const entry = {
        finish: () =>
          (finishing ??= (async () => {
            this.open.delete(entry);
            while (inFlight.size > 0) await Promise.all(inFlight);
            if (!call.cancelled) call.end();
            resolve();
          })()),
      };
      this.open.add(entry);
      call.on('data', (batch: messagingV1.SendStreamRequest) => {
        // After the decision to end: left unanswered, so the client sends it again elsewhere.
        if (finishing) return;
        const work = this.answer(batch).then((response) => {
          if (!call.cancelled) call.write(response);
        });
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      });
      // The client half-closed, cancelled, or the connection broke: nothing more will come.
      call.on('end', () => void entry.finish());
      call.on('cancelled', () => void entry.finish());
      call.on('error', () => void entry.finish());
      if (this.stopping) void entry.finish();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.open].map((stream) => stream.finish()));
  }

  private async answer(batch: messagingV1.SendStreamRequest): Promise<messagingV1.SendStreamResponse> {
    try {
      return { id: batch.id, results: await this.sends.settle(batch.sends), errorCode: '', errorMessage: '' };
    } catch (error) {
      if (!(error instanceof DomainError)) this.logger.error({ err: error }, 'a batch of sends failed');
      const failure = toDomainError(error);
      return { id: batch.id, results: [], errorCode: failure.code, errorMessage: failure.message };
    }
  }
}
