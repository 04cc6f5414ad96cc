import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../api/schema';
import { sessionStore } from './session';

export type ErrorEnvelope = components['schemas']['ErrorResponse'];

/** A refusal from the server (its stable code), or a network failure (code NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const bearer: Middleware = {
  onRequest({ request }) {
    const session = sessionStore.get();
    if (session) request.headers.set('authorization', `Bearer ${session.accessToken}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(bearer);

/** The data of a call, or an ApiError carrying the server's code; components translate the code. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    throw new ApiError('NETWORK', error instanceof Error ? error.message : String(error), 0);
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const envelope = (error ?? {}) as Partial<ErrorEnvelope>;
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(
    envelope.code ?? `HTTP_${response.status}`,
    envelope.message ?? response.statusText,
    response.status,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}
