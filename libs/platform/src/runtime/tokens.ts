/** Injection tokens for the infrastructure a service module receives. */
export const INFRA = Symbol('atrium.infrastructure');
export const LOGGER = Symbol('atrium.logger');
export const TRANSACTIONS = Symbol('atrium.transactions');
export const EVENT_BUS = Symbol('atrium.event-bus');
export const PUBSUB = Symbol('atrium.pubsub');
export const DATA_SOURCE = Symbol('atrium.data-source');
export const KV_STORE = Symbol('atrium.kv-store');
