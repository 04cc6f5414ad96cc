import { useSyncExternalStore } from 'react';

/**
 * The signed-in session lives in memory only: a script injected into the page cannot read it from
 * storage, and a reload signs the user out until the refresh cookie (next slice) restores it.
 */
export interface Session {
  accessToken: string;
  expiresAt: number;
}

let current: Session | undefined;
const listeners = new Set<() => void>();

export const sessionStore = {
  get: (): Session | undefined => current,
  set: (session: Session | undefined): void => {
    current = session;
    for (const listener of listeners) listener();
  },
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSession(): Session | undefined {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.get);
}
