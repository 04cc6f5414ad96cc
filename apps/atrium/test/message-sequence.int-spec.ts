import { randomInt } from 'node:crypto';
import { MessageSent } from '@atrium/contracts';
import { CallerIdentity } from '@atrium/platform';
import { AppChatsService, MessagesService, ScreenshotsService } from '@atrium/service-messaging';
import { uniqueSuffix } from '@atrium/testing';
import { Client } from 'pg';
import { createCorp } from '../src/corp-admin';
import { restClient } from './fixtures/hostile-client';
import { startTestPlatform, TestPlatform } from './test-platform';

const MEMBERS = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay'];
const SENDS_PER_MEMBER = 12;
const APP_SENDS = 30;
const AGENTID = 1000002;

/**
 * A conversation's sequence is gapless whoever writes to it: members' sends (committed in shared
 * groups), an app's sends to its group chat and the server's own system notices race into one
 * conversation, and every message gets the next number exactly once.
 */
describe('one conversation, every kind of send at once (real PostgreSQL)', () => {
  let platform: TestPlatform;
  let corpId = '';
  let conversationId = '';
  const chatid = `seq${uniqueSuffix().replace(/[^0-9a-zA-Z]/g, '')}`.slice(0, 32);
  const app = (): CallerIdentity => ({ corpId, userId: `app:${AGENTID}`, roles: [] });
  const member = (userid: string): CallerIdentity => ({ corpId, userId: userid, roles: [] });

  beforeAll(async () => {
    platform = await startTestPlatform();
    const rest = restClient(platform.gatewayUrl);
    const code = `seq-${uniqueSuffix()}`;
    const password = 'correct horse battery';
    corpId = (
      await createCorp(platform.grpcUrls.directory, platform.identityKey, {
        code,
        name: 'Seq',
        adminUserid: 'admin',
        adminPassword: password,
      })
    ).corp!.id;
    const admin = await rest.login(code, 'admin', password);
    for (const userid of MEMBERS) await rest.addMember(admin, userid, password);
    const chat = await platform.services.messaging.app
      .get(AppChatsService)
      .create(app(), { chatid, name: 'Everyone writes', owner: MEMBERS[0], userids: MEMBERS });
    conversationId = chat.conversationId;
  }, 240_000);

  afterAll(async () => {
    await platform?.teardown();
  }, 120_000);

  const query = async <R extends object>(text: string, values: unknown[]): Promise<R[]> => {
    const pg = new Client({ connectionString: platform.databases.messaging.url });
    await pg.connect();
    try {
      return (await pg.query<R>(text, values)).rows;
    } finally {
      await pg.end();
    }
  };

  it('numbers user, app and system messages 1..N without a gap or a repeat', async () => {
    const messaging = platform.services.messaging.app;
    const messages = messaging.get(MessagesService);
    const appChats = messaging.get(AppChatsService);
    const screenshots = messaging.get(ScreenshotsService);
    const [before] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE corp_id = $1 AND conversation_id = $2`, [
      corpId,
      conversationId,
    ]);

    const sends: (() => Promise<{ kind: string; seq: number }>)[] = [
      ...MEMBERS.flatMap((userid) =>
        Array.from({ length: SENDS_PER_MEMBER }, (_, i) => async () => {
          const { message } = await messages.send(member(userid), {
            conversationId,
            clientMsgId: `${userid}-${i}`,
            type: 'text',
            contentJson: JSON.stringify({ text: `${userid} ${i}` }),
          });
          return { kind: 'user', seq: message.seq };
        }),
      ),
      ...Array.from({ length: APP_SENDS }, (_, i) => async () => {
        const message = await appChats.send(app(), chatid, 'text', JSON.stringify({ text: `app ${i}` }));
        return { kind: 'app', seq: message.seq };
      }),
      // One screenshot notice per member: the notices are rate-limited per member and conversation.
      ...MEMBERS.map((userid) => async () => {
        const { message } = await screenshots.report(member(userid), conversationId, `shot-${userid}`);
        return { kind: 'system', seq: message.seq };
      }),
    ];
    // Shuffled, so every kind races every other; all start before any finishes.
    for (let i = sends.length - 1; i > 0; i -= 1) {
      const j = randomInt(i + 1);
      [sends[i], sends[j]] = [sends[j], sends[i]];
    }
    const results = await Promise.all(sends.map((send) => send()));

    const total = MEMBERS.length * SENDS_PER_MEMBER + APP_SENDS + MEMBERS.length;
    expect(results).toHaveLength(total);
    const answered = results.map((r) => r.seq).sort((a, b) => a - b);
    expect(new Set(answered).size).toBe(total);

    const rows = await query<{ seq: string; sender: string; type: string }>(
      `SELECT seq, sender, type FROM messages WHERE corp_id = $1 AND conversation_id = $2 ORDER BY seq`,
      [corpId, conversationId],
    );
    const n = before.n + total;
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // Each send was answered with the seq it was stored under.
    expect(answered).toEqual(rows.slice(before.n).map((r) => Number(r.seq)));
    const stored = rows.slice(before.n);
    expect(stored.filter((r) => r.type === 'system')).toHaveLength(MEMBERS.length);
    expect(stored.filter((r) => r.sender === `app:${AGENTID}`)).toHaveLength(APP_SENDS);
    expect(stored.filter((r) => r.type === 'text' && MEMBERS.includes(r.sender))).toHaveLength(MEMBERS.length * SENDS_PER_MEMBER);

    const [conversation] = await query<{ last_seq: string }>(`SELECT last_seq FROM conversations WHERE corp_id = $1 AND id = $2`, [
      corpId,
      conversationId,
    ]);
    expect(Number(conversation.last_seq)).toBe(n);

    // Every stored message was announced exactly once, in the same transaction.
    const announced = await query<{ seq: string }>(
      `SELECT envelope->'payload'->'message'->>'seq' AS seq FROM platform_outbox
        WHERE event_type = $1 AND envelope->'payload'->>'conversationId' = $2`,
      [MessageSent.type, conversationId],
    );
    expect(announced.map((a) => Number(a.seq)).sort((a, b) => a - b)).toEqual(rows.map((r) => Number(r.seq)));

    // Each member has read what they wrote: their cursor is at least at their own last message.
    const cursors = await query<{ userid: string; read_seq: string }>(
      `SELECT userid, read_seq FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2`,
      [corpId, conversationId],
    );
    for (const userid of MEMBERS) {
      const own = Math.max(...stored.filter((r) => r.sender === userid).map((r) => Number(r.seq)));
      expect(Number(cursors.find((c) => c.userid === userid)?.read_seq)).toBeGreaterThanOrEqual(own);
    }
  }, 180_000);
});
