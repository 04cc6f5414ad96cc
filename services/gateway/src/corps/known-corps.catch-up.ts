import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppLogger, LOGGER, ReadinessService, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { GATEWAY_IDENTITY, ServiceClients } from '../clients/service-clients';
import { KnownCorpsService } from './known-corps.service';

/** Readiness gate held until the gateway has learnt every corp that exists. */
export const CORPS_GATE = 'corps';

const RETRY_MS = 500;

/**
 * The gateway learns corps from `directory.corp.created`, which arrives a while after the corp
 * exists (the outbox relay, the consumer's turn). A WeCom call naming a corp in that window was
 * refused (40013 unknown corpid), so the gateway reports ready only once it has asked the directory
 * for every corp and remembered them (the event then finds nothing new).
 */
@Injectable()
export class KnownCorpsCatchUp implements OnModuleInit, OnModuleDestroy {
  private stopped = false;
  private caughtUp?: Promise<void>;

  constructor(
    private readonly readiness: ReadinessService,
    private readonly clients: ServiceClients,
    private readonly corps: KnownCorpsService,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** Before the HTTP server listens: no probe may see the gateway ready before it caught up. */
  onModuleInit(): void {
    this.readiness.hold(CORPS_GATE);
  }

  onModuleDestroy(): void {
    this.stopped = true;
  }

  /** Starts catching up in the background (the directory may start after the gateway); idempotent. */
  start(): Promise<void> {
    this.caughtUp ??= (async () => {
      for (let attempt = 1; !this.stopped; attempt++) {
        try {
          await this.learnAll();
          this.readiness.release(CORPS_GATE);
          return;
        } catch (error) {
          if (attempt % 10 === 1) this.logger.warn({ err: error, attempt }, 'cannot list corps yet; the gateway stays not ready');
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    })();
    return this.caughtUp;
  }

  /** Asks the directory for every corp and remembers each; returns how many exist. */
  async learnAll(): Promise<number> {
    const { corps } = await this.clients.directory.call(
      'ListCorps',
      (directory, metadata) => directory.listCorps({}, metadata),
      GATEWAY_IDENTITY,
    );
    await this.transactions.run(async (tx) => {
      for (const corp of corps) await this.corps.learn(tx, { corpId: corp.id, code: corp.code, name: corp.name });
    });
    return corps.length;
  }
}
