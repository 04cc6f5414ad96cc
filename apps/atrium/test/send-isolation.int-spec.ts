import { eventually, uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { createCorp } from '../src/corp-admin';
import { Json, JsonSocket, restClient } from './support/hostile-client';
import { startTestPlatform, TestPlatform } from './support/test-platform';

/**
 * A send's outcome is its own: sends of every corp travel to messaging in shared batches and are
 * committed in shared groups, yet one sender's bad message never fails another's, and no client is
 * told "error" for a message that was stored. A client message id names one message: resending it
 * with other content is refused, not answered with the first.
 */
describe('sends settle on their own', () => {
  let platform: TestPlatform;
  let rest: ReturnType<typeof restClient>;
  const password = 'correct horse battery';
  const corps = { a: `iso-a-${uniqueSuffix()}`, b: `iso-b-${uniqueSuffix()}` };
  const corpIds: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const groups: Record<string, string> = {};
  const open: JsonSocket[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform();
    rest = restClient(platform.gatewayUrl);
    for (const [key, code] of Object.entries(corps)) {
      const created = await createCorp(platform.grpcUrls.directory, platform.identityKey, {
        code,
        name: `Corp ${key}`,
        adminUserid: 'admin',
        adminPassword: password,
      });
      corpIds[key] = created.corp!.id;
      const admin = await rest.login(code, 'admin', password);
      for (const userid of ['sender', 'reader']) await rest.addMember(admin, userid, password);
      tokens[key] = await rest.login(code, 'sender', password);
      groups[key] = await rest.group(tokens[key], ['reader']);
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await platform?.teardown();
  });

  /** The client message ids stored for a corp's sender, with their text. */
  const stored = async (corp: string): Promise<Map<string, string>> => {
    const pg = new Client({ connectionString: platform.databases.messaging.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ client_msg_id: string; text: string }>(
        `SELECT client_msg_id, content->>'text' AS text FROM messages WHERE corp_id = $1 AND sender = 'sender'`,
        [corpIds[corp]],
      );
      return new Map(rows.map((r) => [r.client_msg_id, r.text]));
    } finally {
      await pg.end();
    }
  };
  const answersTo = (socket: JsonSocket, prefix: string) =>
    socket.frames.filter((f) => (f.type === 'ack' || f.type === 'error') && String(f.clientMsgId).startsWith(prefix));

  describe("one corp's unstorable text while another corp sends", () => {
    const count = 60;
    let a: JsonSocket;
    let b: JsonSocket;

    beforeAll(async () => {
      [a, b] = await Promise.all([JsonSocket.open(platform.gatewayUrl, tokens.a), JsonSocket.open(platform.gatewayUrl, tokens.b)]);
      open.push(a, b);
      // Interleaved, so the gateway's batches and messaging's commit groups mix the two corps.
      for (let i = 0; i < count; i += 1) {
        a.send({ type: 'send', conversationId: groups.a, clientMsgId: `bad-${i}`, msgType: 'text', content: { text: 'bad\u0000text' } });
        b.send({ type: 'send', conversationId: groups.b, clientMsgId: `good-${i}`, msgType: 'text', content: { text: `good ${i}` } });
      }
      await eventually(
        () => [answersTo(a, 'bad-').length, answersTo(b, 'good-').length],
        ([x, y]) => x === count && y === count,
        60_000,
        'an answer to every frame',
      );
    }, 90_000);

    it("acknowledges every one of the other corp's sends, and stores each exactly once", async () => {
      const answers = answersTo(b, 'good-');
      expect(answers.filter((f) => f.type === 'error').map((f) => `${String(f.clientMsgId)}: ${String(f.code)}`)).toEqual([]);
      expect(answers.every((f) => f.created === true)).toBe(true);
      const rows = await stored('b');
      expect([...rows.keys()].sort()).toEqual(Array.from({ length: count }, (_, i) => `good-${i}`).sort());
    });

    it('refuses the unstorable text as VALIDATION_FAILED and stores none of it', async () => {
      const answers = answersTo(a, 'bad-');
      expect(new Set(answers.map((f) => `${String(f.type)} ${String(f.code)}`))).toEqual(new Set(['error VALIDATION_FAILED']));
      expect((await stored('a')).size).toBe(0);
    });

    it('tells no client "error" for a message that was stored, nor "ack" for one that was not', async () => {
      for (const [corp, socket, prefix] of [
        ['a', a, 'bad-'],
        ['b', b, 'good-'],
      ] as const) {
        const rows = await stored(corp);
        const disagreeing = answersTo(socket, prefix).filter((f) => (f.type === 'ack') !== rows.has(String(f.clientMsgId)));
        expect(disagreeing).toEqual([]);
      }
    });
  });

  describe('a client message id used again', () => {
    const post = (clientMsgId: string, text: string, extra: Json = {}) =>
      rest.call('POST', `/api/v1/conversations/${groups.a}/messages`, tokens.a, { clientMsgId, type: 'text', content: { text }, ...extra });

    it('answers an identical resend over REST with the original, and a different one with 409 CONFLICT', async () => {
      const first = await post('rest-1', 'the first');
      expect(first.status).toBe(201);
      expect(first.body.created).toBe(true);
      const again = await post('rest-1', 'the first');
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ created: false, message: { seq: first.body.message.seq } });
      const other = await post('rest-1', 'something else');
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ code: 'CONFLICT', details: { reason: 'CLIENT_MSG_ID_REUSED' } });
      const burning = await post('rest-1', 'the first', { burnAfterReading: true });
      expect(burning.status).toBe(409);
      expect((await stored('a')).get('rest-1')).toBe('the first');
    });

    it('answers the same over /ws, also when both arrive together', async () => {
      const socket = await JsonSocket.open(platform.gatewayUrl, tokens.a);
      open.push(socket);
      const frame = (clientMsgId: string, text: string) => ({
        type: 'send',
        conversationId: groups.a,
        clientMsgId,
        msgType: 'text',
        content: { text },
      });
      socket.send(frame('ws-1', 'over the socket'));
      await eventually(
        () => answersTo(socket, 'ws-1').length,
        (n) => n === 1,
        20_000,
        'the ack',
      );
      socket.send(frame('ws-1', 'over the socket'));
      socket.send(frame('ws-1', 'changed my mind'));
      const answers = await eventually(
        () => answersTo(socket, 'ws-1'),
        (list) => list.length === 3,
        20_000,
        'three answers',
      );
      expect(answers.map((f): unknown[] => [f.type, f.created ?? f.code])).toEqual([
        ['ack', true],
        ['ack', false],
        ['error', 'CONFLICT'],
      ]);
      // Two different messages under one id in the same instant: one is stored and acknowledged, the other refused.
      socket.send(frame('ws-2', 'left'));
      socket.send(frame('ws-2', 'right'));
      const pair = await eventually(
        () => answersTo(socket, 'ws-2'),
        (list) => list.length === 2,
        20_000,
        'two answers',
      );
      const rows = await stored('a');
      expect(rows.get('ws-1')).toBe('over the socket');
      expect(pair.map((f) => String(f.type)).sort()).toEqual(['ack', 'error']);
      expect(pair.find((f) => f.type === 'error')?.code).toBe('CONFLICT');
      expect(['left', 'right']).toContain(rows.get('ws-2'));
    });
  });
});
