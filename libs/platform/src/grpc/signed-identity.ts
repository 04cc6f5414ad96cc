import { createHmac, timingSafeEqual } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { z } from 'zod';
import { CallerIdentity } from '../context';
import { DomainError } from '../errors';

export const IDENTITY_HEADER = 'x-atrium-identity';
export const IDENTITY_SIGNATURE_HEADER = 'x-atrium-identity-sig';

/** Short-lived so that a captured header is of little use; services and gateway share a clock. */
const IDENTITY_TTL_SECONDS = 60;
const CLOCK_SKEW_SECONDS = 30;

const claimsSchema = z.object({
  c: z.string(),
  u: z.string().min(1),
  r: z.array(z.string()),
  exp: z.number().int(),
});

function sign(payload: string, key: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** A caller's identity as a payload and its signature, for a header pair or a relayed request. */
export function signIdentity(identity: CallerIdentity, key: string, now = Date.now()): { payload: string; signature: string } {
  const payload = Buffer.from(
    JSON.stringify({ c: identity.corpId, u: identity.userId, r: identity.roles, exp: Math.floor(now / 1000) + IDENTITY_TTL_SECONDS }),
  ).toString('base64url');
  return { payload, signature: sign(payload, key) };
}

/** The gateway (or a service calling on a caller's behalf) attaches the caller this way. */
export function attachIdentity(metadata: Metadata, identity: CallerIdentity, key: string, now = Date.now()): Metadata {
  const { payload, signature } = signIdentity(identity, key, now);
  metadata.set(IDENTITY_HEADER, payload);
  metadata.set(IDENTITY_SIGNATURE_HEADER, signature);
  return metadata;
}

/** Every service runs this on every call: a missing, forged or expired identity is UNAUTHENTICATED. */
export function verifyIdentity(metadata: Metadata | undefined, key: string, now = Date.now()): CallerIdentity {
  return verifySignedIdentity(metadata?.get(IDENTITY_HEADER)[0], metadata?.get(IDENTITY_SIGNATURE_HEADER)[0], key, now);
}

/** A signed identity from `signIdentity`, wherever it travelled. */
export function verifySignedIdentity(payload: unknown, signature: unknown, key: string, now = Date.now()): CallerIdentity {
  if (typeof payload !== 'string' || typeof signature !== 'string' || payload === '' || signature === '') {
    throw new DomainError('UNAUTHENTICATED', 'caller identity is missing');
  }
  const expected = Buffer.from(sign(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new DomainError('UNAUTHENTICATED', 'caller identity signature is invalid');
  }
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new DomainError('UNAUTHENTICATED', 'caller identity is malformed');
  }
  if (claims.exp + CLOCK_SKEW_SECONDS < Math.floor(now / 1000)) {
    throw new DomainError('UNAUTHENTICATED', 'caller identity has expired');
  }
  return { corpId: claims.c, userId: claims.u, roles: claims.r };
}

/** Roles a service may hold when it calls another on its own behalf. */
export const SERVICE_ROLE = 'service';
export const PLATFORM_ADMIN_ROLE = 'platform_admin';
export const SUPER_ADMIN_ROLE = 'super_admin';
