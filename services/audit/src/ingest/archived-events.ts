import { DIRECTORY_EVENTS, GATEWAY_EVENTS, MESSAGING_EVENTS, RESOURCE_TRANSFER_EVENTS } from '@atrium/contracts';

/**
 * Every event the archive consumes; its topics are subscribed. A new domain (approval, report)
 * is archived by adding its catalogue list here — one line.
 */
export const ARCHIVED_EVENTS = [...DIRECTORY_EVENTS, ...MESSAGING_EVENTS, ...GATEWAY_EVENTS, ...RESOURCE_TRANSFER_EVENTS] as const;
