import { GatewayConfig } from '../config';

/** How callbacks to apps are delivered (production defaults: 5 tries over about a minute). */
export interface CallbackSettings {
  allowPrivateNetworks: boolean;
  maxAttempts: number;
  retryBaseMs: number;
  timeoutMs: number;
  pollMs: number;
}

export const CALLBACK_SETTINGS = Symbol('atrium.gateway.callback-settings');

export function callbackSettings(config: GatewayConfig): CallbackSettings {
  return {
    allowPrivateNetworks: config.ATRIUM_CALLBACKS_ALLOW_PRIVATE_NETWORKS === 'true',
    maxAttempts: config.ATRIUM_CALLBACKS_MAX_ATTEMPTS ?? 5,
    retryBaseMs: config.ATRIUM_CALLBACKS_RETRY_BASE_MS ?? 4_000,
    timeoutMs: config.ATRIUM_CALLBACKS_TIMEOUT_MS ?? 5_000,
    pollMs: config.ATRIUM_CALLBACKS_POLL_MS ?? 1_000,
  };
}

/** Wait before try `attempt + 1` after `attempt` failed: base, 2·base, 4·base, … */
export function retryDelayMs(settings: Pick<CallbackSettings, 'retryBaseMs'>, attempt: number): number {
  return settings.retryBaseMs * 2 ** Math.max(0, attempt - 1);
}
