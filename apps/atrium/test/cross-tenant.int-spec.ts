import { eventually, uniqueSuffix } from '@atrium/testing';
import { createCorp } from '../src/corp-admin';
import { startTestPlatform, TestPlatform } from './support/test-platform';

// Response bodies and the OpenAPI document are free-form JSON that the test takes apart.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Operation {
  method: string;
  path: string;
  operation: Json;
}

/** One request built from the document, with whether it carries one of corp A's ids and which. */
interface Attempt {
  label: string;
  method: string;
  url: string;
  body?: unknown;
  /** The A ids it names, by where they went: path, query or body. */
  ids: string[];
  /** Whether an A id sits in the path: then nothing but 403/404 will do. */
  idInPath: boolean;
}

/**
 * Tenant isolation and admin scopes on every route of the gateway's OpenAPI document.
 *
 * The routes, their parameters and their bodies come from the document at test time; a table says
 * how to fill each id-carrying parameter or body field with a real id of corp A. A documented path
 * or query parameter the table cannot fill fails the test, so a new route cannot slip by.
 *
 * Corp B's admin, corp B's member and corp B's WeCom token try corp A's ids on every operation that
 * takes one: none may read or change anything (403/404 for an id in the path; no corp A data in any
 * answer; corp A's state, read back by its admin, unchanged). Inside corp A, a plain member on the
 * admin routes and a sub-admin outside their department subtree get the same treatment.
 */
describe('tenant isolation and admin scopes on every documented route', () => {
  let platform: TestPlatform;
  let document: Json;
  const s = uniqueSuffix();
  const password = 'correct horse battery';
  const corpA = `xta-${s}`;
  const corpB = `xtb-${s}`;
  const rootA = `roota-${s}`;
  const rootB = `rootb-${s}`;
  const alice = `alice-${s}`; // member of A in the sub-admin's department
  const bob = `bob-${s}`; // member of A outside it
  const sam = `sam-${s}`; // A's sub-admin over department `inside`
  const mallory = `mallory-${s}`; // member of B
  const tokens: Record<string, string> = {};
  const a: Record<string, string> = {};
  let wecomA = '';
  let appToken = '';
  let wecomB = '';
  let secretB = '';

  const call = async (method: string, url: string, token?: string, body?: unknown) => {
    const res = await fetch(`${platform.gatewayUrl}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Json = {};
    try {
      json = text ? (JSON.parse(text) as Json) : {};
    } catch {
      json = { raw: text };
    }
    return { status: res.status, text, json };
  };
  const ok = async (method: string, url: string, token?: string, body?: unknown) => {
    const reply = await call(method, url, token, body);
    if (reply.status >= 300 || (url.startsWith('/cgi-bin/') && reply.json.errcode !== 0)) {
      throw new Error(`${method} ${url} -> ${reply.status} ${reply.text.slice(0, 300)}`);
    }
    return reply.json;
  };
  const login = async (corp: string, account: string) =>
    ((await ok('POST', '/api/v1/auth/login', undefined, { corp, account, password })) as { accessToken: string }).accessToken;

  beforeAll(async () => {
    platform = await startTestPlatform();
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpA,
      name: 'Acme',
      adminUserid: rootA,
      adminPassword: password,
    });
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corpB,
      name: 'Bolt',
      adminUserid: rootB,
      adminPassword: password,
    });
    tokens.rootA = await login(corpA, rootA);
    tokens.rootB = await login(corpB, rootB);
    const admin = tokens.rootA;
    // Departments and tags are numbered per corp: A makes more of each than B has, so the ids
    // tried below exist in A only (B has its root department and nothing else).
    a.inside = String((await ok('POST', '/api/v1/directory/departments', admin, { parentId: 1, name: `Inside ${s}` })).id);
    a.outside = String((await ok('POST', '/api/v1/directory/departments', admin, { parentId: 1, name: `Outside ${s}` })).id);
    for (const [userid, department] of [
      [alice, a.inside],
      [bob, a.outside],
      [sam, a.inside],
    ]) {
      await ok('POST', '/api/v1/directory/members', admin, {
        userid,
        name: `Name of ${userid}`,
        email: `${userid}@acme.test`,
        departments: [{ departmentId: Number(department) }],
        password,
      });
    }
    await ok('PUT', `/api/v1/directory/admin-scopes/${sam}`, admin, {
      role: 'sub_admin',
      departmentIds: [Number(a.inside)],
      permissions: ['manage_members', 'manage_departments', 'view'],
    });
    await ok('POST', '/api/v1/directory/members', tokens.rootB, {
      userid: mallory,
      name: 'Mallory',
      email: `${mallory}@bolt.test`,
      departments: [{ departmentId: 1 }],
      password,
    });
    for (const [key, corp, userid] of [
      ['alice', corpA, alice],
      ['bob', corpA, bob],
      ['sam', corpA, sam],
      ['mallory', corpB, mallory],
    ]) {
      tokens[key] = await login(corp, userid);
    }
    a.tag = String((await ok('POST', '/api/v1/directory/tags', admin, { name: `Tag ${s}` })).id);
    await ok('PUT', `/api/v1/directory/tags/${a.tag}/targets`, admin, { userids: [alice], departmentIds: [] });
    a.attribute = `Badge${s}`.replace(/[^A-Za-z0-9]/g, '').slice(0, 32);
    await ok('POST', '/api/v1/directory/attributes', admin, { name: a.attribute, type: 'text' });
    a.contact = String((await ok('POST', '/api/v1/directory/external-contacts', admin, { name: `Contact ${s}`, ownerUserid: alice })).id);
    a.importJob = String(
      (await ok('POST', '/api/v1/directory/imports', admin, { kind: 'departments', csv: `id,name,parent_id\n90,Imported ${s},1\n` })).id,
    );
    const app = await ok('POST', '/api/v1/admin/apps', admin, {
      name: `App ${s}`,
      visibleRange: { userids: [], departmentIds: [1], tagIds: [] },
    });
    a.agentid = String(app.agentid);
    const conversation = await ok('POST', '/api/v1/conversations', tokens.alice, {
      kind: 'group',
      name: `Chat ${s}`,
      members: [bob, rootA],
    });
    a.conversation = String(conversation.conversation.id);
    const sent = await ok('POST', `/api/v1/conversations/${a.conversation}/messages`, tokens.alice, {
      clientMsgId: `m-${s}`,
      type: 'text',
      content: { text: `Secret plan ${s}` },
    });
    a.seq = String(sent.message.seq);
    const form = new FormData();
    form.append('media', new Blob([Buffer.from(`file of ${s}`)]), 'plan.txt');
    const media = await fetch(`${platform.gatewayUrl}/api/v1/media?type=file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.alice}` },
      body: form,
    });
    expect(media.status).toBe(201);
    a.media = String(((await media.json()) as Json).mediaId);
    // The WeCom side of A: an app token, an app group chat and a message sent by the app.
    appToken = (
      await eventually(
        async () => (await call('GET', `/cgi-bin/gettoken?corpid=${corpA}&corpsecret=${String(app.secret)}`)).json,
        (reply) => reply.errcode === 0,
        15_000,
        'an app token of corp A',
      )
    ).access_token as string;
    a.chat = `chat${s.replace(/[^0-9a-zA-Z]/g, '')}`.slice(0, 32);
    await ok('POST', `/cgi-bin/appchat/create?access_token=${appToken}`, undefined, {
      name: `Chat ${s}`,
      owner: alice,
      userlist: [alice, bob],
      chatid: a.chat,
    });
    a.msgid = String(
      (
        await ok('POST', `/cgi-bin/message/send?access_token=${appToken}`, undefined, {
          touser: alice,
          msgtype: 'text',
          agentid: Number(a.agentid),
          text: { content: `App note ${s}` },
        })
      ).msgid,
    );
    // Compliance in A: its admin appoints itself officer, puts a hold, and finds an archived record.
    await ok('PUT', `/api/v1/compliance/officers/${rootA}`, admin, {});
    a.hold = String((await ok('POST', '/api/v1/compliance/holds', admin, { name: `Hold ${s}`, participants: [alice] })).id);
    const hit = await eventually(
      async () => (await call('GET', `/api/v1/compliance/search?conversationId=${a.conversation}`, admin)).json,
      (reply) => Array.isArray(reply.messages) && reply.messages.length > 0,
      60_000,
      'the archived message of corp A',
    );
    a.record = String((hit.messages as Json[])[0].eventId);
    const syncA = (await ok('POST', '/api/v1/admin/sync-secret', admin)).secret as string;
    wecomA = (
      await eventually(
        async () => (await call('GET', `/cgi-bin/gettoken?corpid=${corpA}&corpsecret=${syncA}`)).json,
        (r) => r.errcode === 0,
        15_000,
        'A token',
      )
    ).access_token as string;
    secretB = (await ok('POST', '/api/v1/admin/sync-secret', tokens.rootB)).secret as string;
    wecomB = (
      await eventually(
        async () => (await call('GET', `/cgi-bin/gettoken?corpid=${corpB}&corpsecret=${secretB}`)).json,
        (r) => r.errcode === 0,
        15_000,
        'B token',
      )
    ).access_token as string;
    document = (await (await fetch(`${platform.gatewayUrl}/docs-json`)).json()) as Json;
  }, 300_000);

  afterAll(async () => {
    await platform?.teardown();
  });

  /** Corp A's ids, by parameter or body field name; `id` and friends depend on the path. */
  const idFor = (name: string, path: string): string | string[] | undefined => {
    if (name === 'id' || name === 'parentid' || name === 'parentId') {
      if (name !== 'id' || /departments|department\//.test(path)) return a.outside;
      if (path.includes('/tags')) return a.tag;
      if (path.includes('/imports')) return a.importJob;
      if (path.includes('/conversations')) return a.conversation;
      if (path.includes('/records')) return a.record;
      if (path.includes('/holds')) return a.hold;
      return undefined;
    }
    if (name === 'seq') return path.startsWith('/api/v1/conversations/') ? a.seq : undefined;
    const table: Record<string, string | string[]> = {
      userid: bob,
      successorUserid: alice,
      newOwner: alice,
      ownerUserid: bob,
      owner: bob,
      owner_userid: bob,
      agentid: a.agentid,
      name: a.attribute,
      mediaId: a.media,
      media_id: a.media,
      chatid: a.chat,
      msgid: a.msgid,
      departmentId: a.outside,
      department_id: a.outside,
      departmentIds: [a.outside],
      department: [a.outside],
      userids: [bob],
      members: [bob],
      participants: [bob],
      useridlist: [bob],
      userlist: [alice, bob],
      add_user_list: [bob],
      del_user_list: [bob],
      touser: bob,
      tagIds: [a.tag],
      conversationId: a.conversation,
      corpid: corpA,
    };
    return table[name];
  };
  /** Parameters that carry no id: what to send so the request is otherwise valid. */
  const PLAIN: Record<string, string> = { kind: 'members', type: 'file', fetch_child: '1', corpsecret: '', q: 'Name' };
  /** Body fields that carry no id but without which the body would be refused before any check of who asks. */
  const BODY_PLAIN: Record<string, unknown> = { email: `someone-${s}@acme.test`, encodingAesKey: 'a'.repeat(43) };
  const BODY_EXTRA: Record<string, Json> = { '/api/v1/compliance/exports/trace': { text: `Secret plan ${s}` } };
  const isIdValue = (name: string) => !(name in PLAIN) && name !== 'access_token';

  const resolve = (schema: Json): Json =>
    schema?.$ref ? (document.components.schemas[String(schema.$ref).split('/').pop()!] as Json) : schema;

  /** A minimal request body the schema accepts, with corp A's ids in every id-carrying field. */
  const bodyFor = (schemaRef: Json, path: string, ids: string[]): unknown => {
    const schema = resolve(schemaRef);
    if (!schema) return undefined;
    if (schema.allOf) return bodyFor(schema.allOf[0] as Json, path, ids);
    if (schema.type === 'object' || schema.properties) {
      const out: Json = {};
      for (const [key, child] of Object.entries((schema.properties ?? {}) as Json)) {
        const id = idFor(key, path);
        const required = ((schema.required ?? []) as string[]).includes(key);
        const childSchema = resolve(child as Json);
        // A body's `id` names its target only on an update; on a create it is a wanted id in the caller's own corp.
        const target = id !== undefined && key !== 'name' && (key !== 'id' || path.endsWith('/update'));
        if (target) {
          const wantsArray = childSchema.type === 'array';
          const items = resolve(childSchema.items as Json);
          const cast = (v: string) => ((wantsArray ? items?.type : childSchema.type) === 'integer' ? Number(v) : v);
          const value = Array.isArray(id) ? id.map(cast) : cast(id);
          out[key] = wantsArray && !Array.isArray(value) ? [value] : !wantsArray && Array.isArray(value) ? value[0] : value;
          ids.push(`${key}=${JSON.stringify(out[key])}`);
        } else if (BODY_PLAIN[key] !== undefined) {
          out[key] = BODY_PLAIN[key];
        } else if (required) {
          out[key] = sample(childSchema, key, path, ids);
        }
      }
      return out;
    }
    return sample(schema, '', path, ids);
  };
  const sample = (schemaRef: Json, key: string, path: string, ids: string[]): unknown => {
    const schema = resolve(schemaRef);
    if (schema.example !== undefined) return schema.example;
    if (schema.enum) return (schema.enum as unknown[])[0];
    switch (schema.type) {
      case 'integer':
      case 'number':
        return Math.max(Number(schema.minimum ?? 1), 1);
      case 'boolean':
        return false;
      case 'array':
        return Array.from({ length: Number(schema.minItems ?? 0) }, () => sample(schema.items as Json, key, path, ids));
      case 'string':
        if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
        return `x${s}`.replace(/[^A-Za-z0-9]/g, '').slice(0, Math.max(1, Number(schema.maxLength ?? 16)));
      default:
        return bodyFor(schema, path, ids);
    }
  };

  const operations = (): Operation[] =>
    Object.entries(document.paths as Json).flatMap(([path, item]) =>
      METHODS.filter((m) => (item as Json)[m]).map((method) => ({
        method: method.toUpperCase(),
        path,
        operation: (item as Json)[method] as Json,
      })),
    );

  /** Builds the attempt for one operation; throws when a documented parameter cannot be filled. */
  const attemptFor = (
    { method, path, operation }: Operation,
    fill: (name: string, path: string) => string | string[] | undefined,
    accessToken?: string,
  ): Attempt => {
    const ids: string[] = [];
    let idInPath = false;
    let url = path;
    const query = new URLSearchParams();
    for (const parameter of (operation.parameters ?? []) as Json[]) {
      const name = String(parameter.name);
      if (name === 'access_token') {
        if (accessToken) query.set(name, accessToken);
        continue;
      }
      const id = isIdValue(name) ? fill(name, path) : undefined;
      const value = id ?? PLAIN[name];
      if (value === undefined) {
        if (parameter.in === 'path' || parameter.required)
          throw new Error(`${method} ${path}: no corp-A value for ${parameter.in} parameter "${name}"`);
        continue;
      }
      const text = Array.isArray(value) ? value[0] : value;
      if (id !== undefined) ids.push(`${name}=${text}`);
      if (parameter.in === 'path') {
        url = url.replace(`{${name}}`, encodeURIComponent(text));
        if (id !== undefined) idInPath = true;
      } else query.set(name, name === 'corpsecret' ? secretB : text);
    }
    const json = operation.requestBody?.content?.['application/json']?.schema as Json | undefined;
    const body = json ? { ...(bodyFor(json, path, ids) as Json), ...BODY_EXTRA[path] } : undefined;
    const search = query.toString();
    return { label: `${method} ${path}`, method, url: search ? `${url}?${search}` : url, body, ids, idInPath };
  };

  /** Everything corp A owns that a change would show in, read by corp A's super admin. */
  const snapshotOfA = async () => {
    const admin = tokens.rootA;
    const reads = [
      '/api/v1/directory/departments?id=1',
      '/api/v1/directory/members?departmentId=1&recursive=true',
      `/api/v1/directory/members/${alice}`,
      `/api/v1/directory/members/${bob}`,
      '/api/v1/directory/tags',
      '/api/v1/directory/attributes',
      '/api/v1/directory/admin-scopes',
      `/api/v1/directory/external-contacts?owner=${bob}`,
      `/api/v1/directory/external-contacts?owner=${alice}`,
      '/api/v1/admin/apps',
      `/api/v1/admin/apps/${a.agentid}/callback`,
      `/api/v1/conversations/${a.conversation}/members`,
      `/api/v1/conversations/${a.conversation}/messages`,
      '/api/v1/messaging/policy',
      '/api/v1/compliance/officers',
      '/api/v1/compliance/holds?includeReleased=true',
      '/api/v1/compliance/policy',
      '/api/v1/compliance/public-keys',
    ];
    const snapshot: Record<string, unknown> = {};
    for (const url of reads) snapshot[url] = (await call('GET', url, admin)).json;
    snapshot.chat = (await call('GET', `/cgi-bin/appchat/get?access_token=${appToken}&chatid=${a.chat}`)).json;
    snapshot.member = (await call('GET', `/cgi-bin/user/get?access_token=${wecomA}&userid=${bob}`)).json;
    return JSON.parse(JSON.stringify(snapshot).replace(/"traceId":"[0-9a-f]+"/g, '"traceId":""')) as unknown;
  };

  /** Strings only corp A's data contains: none may reach an outsider. */
  const markersOfA = () => [
    alice,
    bob,
    sam,
    a.conversation,
    a.media,
    a.chat,
    a.hold,
    a.record,
    a.contact,
    a.importJob,
    `Secret plan ${s}`,
    `Chat ${s}`,
    `Outside ${s}`,
    `Tag ${s}`,
    a.attribute,
  ];

  /** `outsider`: someone of another corp, to whom no data of corp A may show (an insider sees A's directory anyway). */
  const attack = async (attacker: string, token: string | undefined, attempts: Attempt[], allowed: number[], outsider: boolean) => {
    const leaks: string[] = [];
    for (const attempt of attempts) {
      const reply = await call(attempt.method, attempt.url, token, attempt.body);
      const cgi = attempt.url.startsWith('/cgi-bin/');
      const refused = cgi ? reply.status === 200 && reply.json.errcode !== 0 : allowed.includes(reply.status);
      // A refusal may echo the attacker's own input ("member x not found"): that reveals nothing.
      const sent = `${decodeURIComponent(attempt.url)} ${JSON.stringify(attempt.body ?? '')}`;
      const leaked = outsider ? markersOfA().filter((marker) => reply.text.includes(marker) && !(refused && sent.includes(marker))) : [];
      const refusedOrHarmless = refused || (!attempt.idInPath && !cgi && reply.status < 300 && attempt.method === 'GET');
      if (!refusedOrHarmless || leaked.length > 0) {
        leaks.push(
          `${attacker}: ${attempt.method} ${attempt.url} ${JSON.stringify(attempt.body ?? '')} -> ${reply.status} ${reply.text.slice(0, 200)}${leaked.length ? ` LEAKS ${leaked.join(', ')}` : ''}`,
        );
      }
    }
    return leaks;
  };

  it('lets no outsider read or change anything of corp A through any route that takes an id', async () => {
    const before = await snapshotOfA();
    // The snapshot sees corp A's data: a change to it would show.
    for (const marker of [`Secret plan ${s}`, `Name of ${bob}`, `Tag ${s}`, a.attribute, `App ${s}`, `Hold ${s}`, `Chat ${s}`])
      expect(JSON.stringify(before)).toContain(marker);
    const rest = operations().filter(
      (op) => !op.path.startsWith('/cgi-bin/') && !['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout'].includes(op.path),
    );
    const restAttempts = rest.map((op) => attemptFor(op, idFor)).filter((attempt) => attempt.ids.length > 0);
    const cgiAttempts = operations()
      .filter((op) => op.path.startsWith('/cgi-bin/'))
      .map((op) => attemptFor(op, idFor, wecomB))
      .filter((attempt) => attempt.ids.length > 0);
    const failures = [
      ...(await attack('B admin', tokens.rootB, restAttempts, [403, 404], true)),
      ...(await attack('B member', tokens.mallory, restAttempts, [403, 404], true)),
      ...(await attack('B WeCom token', undefined, cgiAttempts, [], true)),
    ];
    expect(failures).toEqual([]);
    expect(await snapshotOfA()).toEqual(before);
    const total = restAttempts.length * 2 + cgiAttempts.length;
    console.log(
      `cross-tenant: ${rest.length} REST operations, ${restAttempts.length} take an id; ${cgiAttempts.length} /cgi-bin/ operations take an id; ${total} attempts`,
    );
    expect(restAttempts.length).toBeGreaterThan(60);
    expect(cgiAttempts.length).toBeGreaterThan(10);
  }, 300_000);

  const ADMIN_ROUTE = (op: Operation) =>
    op.path.startsWith('/api/v1/admin/') ||
    (op.path.startsWith('/api/v1/compliance/') && op.path !== '/api/v1/compliance/public-keys') ||
    // Reading who administers what is open to every member (admin-scopes.http-controller.ts).
    (op.path.startsWith('/api/v1/directory/') && (op.method !== 'GET' || /exports|imports/.test(op.path))) ||
    (op.path === '/api/v1/messaging/policy' && op.method !== 'GET') ||
    op.path === '/api/v1/department-groups';

  it('keeps a plain member off every admin route', async () => {
    const before = await snapshotOfA();
    const attempts = operations()
      .filter(ADMIN_ROUTE)
      .map((op) => attemptFor(op, idFor));
    const failures = await attack('A member', tokens.alice, attempts, [403, 404], false);
    expect(failures).toEqual([]);
    expect(await snapshotOfA()).toEqual(before);
    console.log(`member on admin routes: ${attempts.length} attempts`);
    expect(attempts.length).toBeGreaterThan(40);
  }, 300_000);

  it('keeps a sub-admin to their department subtree and permissions', async () => {
    const before = await snapshotOfA();
    // Targets outside sam's subtree: the `outside` department and bob, who is in it.
    const attempts = operations()
      .filter(ADMIN_ROUTE)
      .map((op) => attemptFor(op, idFor))
      .filter((attempt) => attempt.ids.length > 0 || !attempt.label.includes('/directory/'));
    const failures = await attack('A sub-admin', tokens.sam, attempts, [403, 404], false);
    expect(failures).toEqual([]);
    expect(await snapshotOfA()).toEqual(before);
    console.log(`sub-admin outside scope: ${attempts.length} attempts`);
    expect(attempts.length).toBeGreaterThan(30);
  }, 300_000);
});
