import { DeliveryControl } from './message-broker';

export interface RetryBackoffOptions {
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
}

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential from `base`, capped at
 * `max`, with "equal jitter" — half fixed, half random — so that consumers which failed together
 * (every partition during one outage) do not retry in lock-step.
 */
export function retryDelayMs(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A delivery given up because the consumer stops or lost its partition: not committed, delivered again. */
export class DeliveryAbandonedError extends Error {
  constructor() {
    super('delivery abandoned: the consumer is stopping or no longer owns the partition');
    this.name = 'DeliveryAbandonedError';
  }
}

const HEARTBEAT_EVERY_MS = 1_000;

/** The waits of one delivery's retries; keeps the group membership alive while it waits. */
export class RetryBackoff {
  attempt = 1;

  constructor(
    private readonly options: RetryBackoffOptions,
    private readonly control: DeliveryControl,
  ) {}

  /** Waits before the next attempt; rejects when the delivery must be given up (stop, rebalance). */
  async wait(): Promise<void> {
    const delay = retryDelayMs(this.attempt++, this.options.retryBaseDelayMs ?? 100, this.options.retryMaxDelayMs ?? 5_000);
    const until = Date.now() + delay;
    for (;;) {
      if (!this.control.isActive()) throw new DeliveryAbandonedError();
      const left = until - Date.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, HEARTBEAT_EVERY_MS)));
      // Kafka removes a member that stays silent for the session timeout (15 s), and an outage
      // can last longer than that: the partition must stay with this consumer while it waits.
      await this.control.heartbeat();
    }
  }
}
