import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppLogger, LOGGER, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { AppCallbacksRepository } from './app-callbacks.repository';
import { CallbackDeliveriesRepository, CallbackDelivery } from './callback-deliveries.repository';
import { CallbackHttp, describeCallbackFailure } from './callback-http';
import { sealEvent, withQuery } from './callback-messages';
import { CALLBACK_SETTINGS, CallbackSettings, retryDelayMs } from './callback-settings';
import { WecomCrypto } from './wecom-crypto';

const BATCH = 20;

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * Delivers queued callbacks on every gateway replica: claims due rows (SKIP LOCKED, so replicas
 * share the work), posts each to its app concurrently with a per-try timeout, and records the
 * outcome: delivered on HTTP 200, another try after an exponential back-off, or failed for good
 * after the last try. One slow app costs one request slot, never anyone else's delivery.
 */
@Injectable()
export class CallbackDeliveryWorker implements OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = true;

  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(CALLBACK_SETTINGS) private readonly settings: CallbackSettings,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly callbacks: AppCallbacksRepository,
    private readonly deliveries: CallbackDeliveriesRepository,
    private readonly http: CallbackHttp,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runRound()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'callback delivery round failed'))
        .then((claimed) => this.schedule(claimed === BATCH ? 0 : this.settings.pollMs));
    }, delayMs);
  }

  /** One round; returns how many deliveries it claimed (a full batch means more may be due). */
  private async runRound(): Promise<number> {
    if (!(await this.deliveries.anyDue(this.transactions.manager))) return 0;
    const leaseMs = this.settings.timeoutMs + 30_000;
    const claimed = await this.transactions.run((tx) => this.deliveries.claimDue(tx, BATCH, leaseMs));
    await Promise.all(claimed.map((d) => this.deliverOne(d)));
    return claimed.length;
  }

  private async deliverOne(delivery: CallbackDelivery): Promise<void> {
    const outcome = await this.attempt(delivery);
    await this.transactions.run(async (tx) => {
      if (outcome.ok) {
        await this.deliveries.markDelivered(tx, delivery, outcome.status);
        return;
      }
      const last = delivery.attempts >= this.settings.maxAttempts;
      await this.deliveries.markAttemptFailed(
        tx,
        delivery,
        outcome.status,
        outcome.error,
        last ? null : retryDelayMs(this.settings, delivery.attempts),
      );
      this.logger.warn(
        { corpId: delivery.corpId, agentid: delivery.agentid, deliveryId: delivery.id, attempt: delivery.attempts, error: outcome.error },
        last ? 'callback delivery failed for good' : 'callback delivery failed; will retry',
      );
    });
  }

  private async attempt(delivery: CallbackDelivery): Promise<Outcome> {
    const callback = await this.callbacks.find(this.transactions.manager, delivery.corpId, delivery.agentid);
    if (!callback) return { ok: false, status: null, error: 'the app has no callback configured any more' };
    try {
      const crypto = new WecomCrypto(callback.token, callback.encodingAesKey, delivery.corpId);
      const sealed = sealEvent(crypto, delivery.corpId, delivery.agentid, delivery.plaintext);
      const response = await this.http.request('POST', withQuery(new URL(callback.url), { ...sealed.query }), {
        contentType: 'text/xml; charset=utf-8',
        text: sealed.body,
      });
      if (response.status === 200) return { ok: true, status: 200 };
      return { ok: false, status: response.status, error: `HTTP ${response.status}: ${response.body.slice(0, 200)}` };
    } catch (error) {
      // The stored error is shown to the corp's admins: a stable description, not the gateway's network detail.
      this.logger.debug({ corpId: delivery.corpId, agentid: delivery.agentid, err: error }, 'callback request failed');
      return { ok: false, status: null, error: describeCallbackFailure(error) };
    }
  }
}
