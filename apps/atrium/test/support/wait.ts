export { eventually } from '@atrium/testing';

/** A pause, for pacing a client; never a wait for a condition (use `eventually`). */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
