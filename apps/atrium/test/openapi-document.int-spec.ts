import { request } from 'node:http';
import { uniqueSuffix } from '@atrium/testing';
import { createCorp } from '../src/corp-admin';
import { startTestPlatform, TestPlatform } from './support/test-platform';

// The OpenAPI document is free-form JSON that the assertions walk.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const INT32_MAX = 2_147_483_647;

/** Every node of a JSON tree with its JSON pointer. */
function* walk(node: unknown, pointer = ''): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [index, child] of node.entries()) yield* walk(child, `${pointer}/${index}`);
  } else if (node && typeof node === 'object') {
    yield [pointer, node];
    for (const [key, child] of Object.entries(node)) yield* walk(child, `${pointer}/${key}`);
  }
}

/**
 * The gateway's OpenAPI document says what the server does: integers are integers with their bounds,
 * every REST operation documents its success and its error envelope, request bodies refuse unknown
 * properties, and a documented path answers other methods with 405 and Allow.
 */
describe('the gateway OpenAPI document', () => {
  let platform: TestPlatform;
  let document: Json;
  let token = '';
  const corp = `oad-${uniqueSuffix()}`;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${platform.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  };

  /** Any method, TRACE included (which fetch refuses to send). */
  const raw = (method: string, path: string) =>
    new Promise<{ status: number; allow: string; text: string }>((resolve, reject) => {
      const req = request(`${platform.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: String(res.headers.allow ?? ''), text }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    platform = await startTestPlatform();
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corp,
      name: 'Doc',
      adminUserid: 'admin',
      adminPassword: 'correct horse battery',
    });
    const login = await fetch(`${platform.gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corp, account: 'admin', password: 'correct horse battery' }),
    });
    token = ((await login.json()) as { accessToken: string }).accessToken;
    document = (await (await fetch(`${platform.gatewayUrl}/docs-json`)).json()) as Json;
  }, 180_000);

  afterAll(async () => {
    await platform?.teardown();
  });

  const operations = () =>
    Object.entries(document.paths as Json).flatMap(([path, item]) =>
      METHODS.filter((m) => (item as Json)[m]).map((method) => ({ path, method, operation: (item as Json)[method] as Json })),
    );

  it('types every number as an integer unless it says it is fractional', () => {
    const untyped = [...walk(document)]
      .filter(([, node]) => node.type === 'number' && node.format === undefined)
      .map(([pointer]) => pointer);
    expect(untyped).toEqual([]);
    const id = (document.paths['/api/v1/directory/departments/{id}'].get.parameters as Json[]).find((p) => p.name === 'id')!;
    expect(id.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: INT32_MAX });
  });

  it('states the validator’s lengths, bounds, enums, formats and required fields', () => {
    const schemas = document.components.schemas as Json;
    expect(schemas.MembersRequest.properties.userids).toMatchObject({
      minItems: 1,
      maxItems: 2000,
      items: { type: 'string', minLength: 1, maxLength: 64 },
    });
    expect(schemas.SetTagTargetsRequest.properties.departmentIds.items).toMatchObject({ type: 'integer', minimum: 1, maximum: INT32_MAX });
    expect(schemas.TransferOwnershipRequest).toMatchObject({
      required: ['newOwner'],
      properties: { newOwner: { minLength: 1, maxLength: 64 } },
    });
    const importId = (document.paths['/api/v1/directory/imports/{id}'].get.parameters as Json[]).find((p) => p.name === 'id')!;
    expect(importId.schema).toMatchObject({ type: 'string', format: 'uuid' });
    // Bounds the services enforce behind the gateway, now stated (and checked) at the edge.
    expect(schemas.MediaLimitsDto.properties.maxImageBytes).toMatchObject({ type: 'integer', minimum: 1, maximum: 1_073_741_824 });
    expect(schemas.CreateDepartmentGroupRequest.properties.departmentId).toMatchObject({ type: 'integer', minimum: 1, maximum: INT32_MAX });
    // @IsOptional lets null through: the document says so.
    expect(schemas.UpdateConversationRequest.properties.name).toMatchObject({ nullable: true, minLength: 1, maxLength: 64 });
  });

  it('documents a success and the error envelope for every REST operation', () => {
    const lacking = operations()
      .filter(({ path }) => path.startsWith('/api/'))
      .filter(({ operation }) => {
        const statuses = Object.keys(operation.responses as Json);
        return (
          !statuses.some((s) => s.startsWith('2')) ||
          operation.responses.default?.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorResponse'
        );
      })
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(lacking).toEqual([]);
  });

  it('refuses unknown properties in every request body, and does not require a body of optional fields', () => {
    const schemas = document.components.schemas as Json;
    const open: string[] = [];
    for (const { operation, method, path } of operations()) {
      const ref = operation.requestBody?.content?.['application/json']?.schema?.$ref as string | undefined;
      if (!ref) continue;
      const schema = schemas[ref.split('/').pop()!] as Json;
      if (schema.additionalProperties !== false) open.push(`${method.toUpperCase()} ${path}`);
      if ((schema.required ?? []).length === 0)
        expect([`${method} ${path}`, operation.requestBody.required]).toEqual([`${method} ${path}`, false]);
    }
    expect(open).toEqual([]);
  });

  it('answers 405 with Allow and the error envelope to a method a documented path does not take', async () => {
    let attempts = 0;
    const wrong: string[] = [];
    for (const [path, item] of Object.entries(document.paths as Json)) {
      const documented = METHODS.filter((m) => (item as Json)[m]).map((m) => m.toUpperCase());
      const concrete = path.replace(/\{[^}]+\}/g, '1');
      for (const method of [...METHODS.map((m) => m.toUpperCase()).filter((m) => !documented.includes(m)), 'TRACE']) {
        attempts += 1;
        const reply = await raw(method, concrete);
        const allow = reply.allow.split(/,\s*/).filter((m) => m !== 'HEAD');
        const body = reply.text ? (JSON.parse(reply.text) as Json) : {};
        if (reply.status !== 405 || allow.sort().join() !== [...documented].sort().join() || body.code !== 'METHOD_NOT_ALLOWED') {
          wrong.push(`${method} ${concrete} -> ${reply.status} allow=${reply.allow} ${reply.text.slice(0, 80)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(attempts).toBeGreaterThan(300);
  }, 120_000);

  it('labels a refused CSV export as the JSON it is, and a CSV as CSV', async () => {
    const refused = await call('GET', '/api/v1/directory/exports/AAA');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'VALIDATION_FAILED' });
    const csv = await call('GET', '/api/v1/directory/exports/members');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  });

  it('refuses an empty userid among tag targets with 400, not 500', async () => {
    const tag = await call('POST', '/api/v1/directory/tags', { name: 'On call' });
    expect(tag.status).toBe(201);
    const { id } = JSON.parse(tag.text) as { id: number };
    const reply = await call('PUT', `/api/v1/directory/tags/${id}/targets`, { userids: [''], departmentIds: [] });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
