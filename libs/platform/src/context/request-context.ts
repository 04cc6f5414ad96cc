import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting: set by the gateway from the access token and by services from signed metadata. */
export interface CallerIdentity {
  corpId: string;
  userId: string;
  roles: string[];
}

const storage = new AsyncLocalStorage<CallerIdentity>();

export const RequestContext = {
  run<T>(identity: CallerIdentity, fn: () => T): T {
    return storage.run(identity, fn);
  },
  current(): CallerIdentity | undefined {
    return storage.getStore();
  },
};
