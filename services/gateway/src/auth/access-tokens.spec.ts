import jwt from 'jsonwebtoken';
import { AccessTokens } from './access-tokens';

const settings = { secret: 's'.repeat(40), issuer: 'atrium', audience: 'atrium-api', ttlSeconds: 900 };
const claims = { corp: 'corp-1', roles: ['member'], sid: '00000000-0000-4000-8000-000000000001' };
const signOptions: jwt.SignOptions = { subject: 'alice', issuer: 'atrium', audience: 'atrium-api' };

function refusal(tokens: AccessTokens, token: string): unknown {
  try {
    tokens.verify(token);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('access tokens', () => {
  const tokens = new AccessTokens(settings);

  it('accepts a token it issued', () => {
    const token = tokens.issue({ corpId: 'corp-1', userId: 'alice', roles: ['member'], sessionId: claims.sid });
    expect(tokens.verify(token)).toMatchObject({ corpId: 'corp-1', userId: 'alice', sessionId: claims.sid, issuedAt: expect.any(Number) });
  });

  it('refuses alg none, a wrong key, a tampered claim, a foreign issuer or audience as UNAUTHENTICATED', () => {
    const good = tokens.issue({ corpId: 'corp-1', userId: 'alice', roles: ['member'], sessionId: claims.sid });
    const [header, payload, signature] = good.split('.');
    const tampered = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    tampered.roles = ['super_admin'];
    const attacks = {
      none: jwt.sign(claims, '', { ...signOptions, algorithm: 'none', expiresIn: 60 }),
      noneWithSignature: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.${signature}`,
      wrongKey: jwt.sign(claims, 'k'.repeat(40), { ...signOptions, expiresIn: 60 }),
      hs512: jwt.sign(claims, settings.secret, { ...signOptions, algorithm: 'HS512', expiresIn: 60 }),
      tamperedClaim: `${header}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${signature}`,
      foreignIssuer: jwt.sign(claims, settings.secret, { ...signOptions, issuer: 'elsewhere', expiresIn: 60 }),
      foreignAudience: jwt.sign(claims, settings.secret, { ...signOptions, audience: 'elsewhere', expiresIn: 60 }),
      garbage: 'not.a.token',
    };
    for (const [name, token] of Object.entries(attacks))
      expect([name, refusal(tokens, token)]).toEqual([name, expect.objectContaining({ code: 'UNAUTHENTICATED' })]);
  });

  it('refuses an expired token as TOKEN_EXPIRED', () => {
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, settings.secret, signOptions);
    expect(refusal(tokens, expired)).toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('refuses a token signed with the real key but without exp (it would never expire)', () => {
    const forever = jwt.sign(claims, settings.secret, signOptions);
    expect(jwt.decode(forever)).not.toHaveProperty('exp');
    expect(refusal(tokens, forever)).toMatchObject({ code: 'UNAUTHENTICATED', message: 'access token has no expiry' });
  });
});
