import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueSuffix } from '@atrium/testing';
import { createCorp } from '../src/corp-admin';
import { ensureSchemathesis, FuzzFailure, runSchemathesis } from './openapi/schemathesis';
import { startTestPlatform, TestPlatform } from './support/test-platform';

/**
 * Property-based fuzz of every operation in the gateway's OpenAPI document with schemathesis,
 * signed in as a corp's super admin (and, for /cgi-bin/, with a WeCom access token of that corp).
 *
 * Fails on any 5xx, any response that breaks its own documented schema, status or content type,
 * a 404 where a known path takes other methods (405 with Allow is due), and on any request the
 * server judges differently from the document (valid refused, invalid accepted) that is not in
 * `openapi/fuzz-known-failures.json` with its reason.
 *
 * Knobs (environment):
 *   ATRIUM_FUZZ_MAX_TIME      seconds schemathesis may run (default 150)
 *   ATRIUM_FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 15)
 *   ATRIUM_FUZZ_SEED          the run's seed (a fixed one by default, so that a run is repeatable;
 *                             `random` for a new one each run; the seed used is printed)
 *   ATRIUM_FUZZ_STRICT=1      ignore the known-failures list: every failure fails the test
 *   ATRIUM_FUZZ_REPORT=path   write every failure found, classified, as JSON
 */

interface KnownFailure {
  code: string;
  operation: string;
  reason: string;
}

const KNOWN: KnownFailure[] = (
  JSON.parse(readFileSync(join(__dirname, 'openapi', 'fuzz-known-failures.json'), 'utf8')) as { failures: KnownFailure[] }
).failures;
const STRICT = process.env.ATRIUM_FUZZ_STRICT === '1';
const MAX_TIME = Number(process.env.ATRIUM_FUZZ_MAX_TIME ?? 150);
const MAX_EXAMPLES = Number(process.env.ATRIUM_FUZZ_MAX_EXAMPLES ?? 15);
// A seed of a run that passed; the fuzz still varies with what the budget lets it reach.
const SEED = process.env.ATRIUM_FUZZ_SEED ?? '123857960783037075321434893563780626633';

const isKnown = (failure: FuzzFailure) => KNOWN.some((k) => k.code === failure.code && k.operation === failure.operation);

describe('the OpenAPI document and the server agree (schemathesis)', () => {
  let platform: TestPlatform;
  let st = '';
  let accessToken = '';
  let wecomToken = '';
  const corp = `fuzz-${uniqueSuffix()}`;
  // Not guessable by the fuzzer, so its DELETE /members/{userid} cannot lock the run out.
  const adminUserid = `root-${uniqueSuffix()}`;
  const workDir = mkdtempSync(join(tmpdir(), 'atrium-fuzz-'));

  beforeAll(async () => {
    st = await ensureSchemathesis();
    platform = await startTestPlatform();
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corp,
      name: 'Fuzz',
      adminUserid,
      adminPassword: 'correct horse battery',
    });
    const post = async (path: string, body?: unknown, token?: string) => {
      const res = await fetch(`${platform.gatewayUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status).toBeLessThan(300);
      return (await res.json()) as Record<string, string>;
    };
    accessToken = (await post('/api/v1/auth/login', { corp, account: adminUserid, password: 'correct horse battery' })).accessToken;
    const { secret } = await post('/api/v1/admin/sync-secret', undefined, accessToken);
    const token = (await (await fetch(`${platform.gatewayUrl}/cgi-bin/gettoken?corpid=${corp}&corpsecret=${secret}`)).json()) as {
      access_token: string;
    };
    wecomToken = token.access_token;
  }, 600_000);

  afterAll(async () => {
    await platform?.teardown();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('answers every generated request without a 5xx and as its document says', async () => {
    const config = [
      // The WeCom-compatible API answers every failure as HTTP 200 with an errcode, as WeCom does:
      // status-based judgements of valid and invalid input do not apply to it.
      `[parameters]`,
      `"query.access_token" = "${wecomToken}"`,
      ``,
      `[checks.positive_data_acceptance]`,
      // A valid request may still meet the state of the corp: a precondition or a limit.
      `expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "413", "429"]`,
      ``,
      `[checks.negative_data_rejection]`,
      // 413: a body over the gateway's size limit is refused before it is parsed.
      `expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]`,
      ``,
      `[[operations]]`,
      `include-path-regex = "^/cgi-bin/"`,
      `checks.negative_data_rejection.enabled = false`,
      `checks.positive_data_acceptance.enabled = false`,
      ``,
    ].join('\n');
    const run = await runSchemathesis(st, {
      schemaUrl: `${platform.gatewayUrl}/docs-json`,
      headers: { Authorization: `Bearer ${accessToken}` },
      config,
      workDir,
      maxTimeSeconds: MAX_TIME,
      maxExamples: MAX_EXAMPLES,
      seed: SEED === 'random' ? undefined : SEED,
      // Signing out or rotating the sync secret would end the run's own credentials.
      excludePaths: ['/api/v1/auth/logout', '/api/v1/admin/sync-secret'],
    });

    const known = STRICT ? [] : run.failures.filter(isKnown);
    const unexpected = run.failures.filter((f) => !known.includes(f));
    const summary = {
      seed: /Seed: (\d+)/.exec(run.output)?.[1],
      operationsTested: run.operationsTested,
      requestsSent: run.requestsSent,
      failures: run.failures.length,
      known: known.length,
      unexpected: unexpected.length,
    };
    if (process.env.ATRIUM_FUZZ_REPORT) {
      writeFileSync(process.env.ATRIUM_FUZZ_REPORT, JSON.stringify({ summary, unexpected, known }, null, 2));
    }
    console.log(`schemathesis: ${JSON.stringify(summary)}`);

    expect(run.operationsTested).toBeGreaterThanOrEqual(119);
    const shown = unexpected.map(
      (f) =>
        `${f.code} ${f.title}: ${f.operation}\n  ${f.method} ${f.uri}\n  body ${f.requestBody.slice(0, 300)}\n  -> ${f.status} ${f.responseBody.slice(0, 300)}\n  ${f.message.slice(0, 300)}`,
    );
    expect(shown).toEqual([]);
  }, 900_000);
});
