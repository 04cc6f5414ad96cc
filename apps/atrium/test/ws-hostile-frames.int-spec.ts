import { connect } from 'node:net';
import { eventually, uniqueSuffix } from '@atrium/testing';
import { createCorp } from '../src/corp-admin';
import { JsonSocket, OPCODE, RawSocket, rawFrame, restClient, upgradeRequest, watchForCrashes } from './support/hostile-client';
import { startTestPlatform, TestPlatform } from './support/test-platform';

/**
 * `/ws` against a hostile client: whatever bytes one member sends, they get an error frame or a
 * close with the code RFC 6455 gives for it, and the platform (here in this very process, as in
 * embedded mode) keeps serving everyone else.
 */
describe('/ws against malformed and hostile frames', () => {
  let platform: TestPlatform;
  let rest: ReturnType<typeof restClient>;
  const crashes = watchForCrashes();
  const corp = `wsh-${uniqueSuffix()}`;
  const password = 'correct horse battery';
  const tokens: Record<string, string> = {};
  let groupId = '';
  const open: { close(): unknown }[] = [];
  let probe = 0;

  beforeAll(async () => {
    platform = await startTestPlatform();
    rest = restClient(platform.gatewayUrl);
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corp,
      name: 'Hostile',
      adminUserid: 'admin',
      adminPassword: password,
    });
    tokens.admin = await rest.login(corp, 'admin', password);
    for (const userid of ['alice', 'bob']) {
      await rest.addMember(tokens.admin, userid, password);
      tokens[userid] = await rest.login(corp, userid, password);
    }
    groupId = await rest.group(tokens.alice, ['bob']);
  }, 180_000);

  afterAll(async () => {
    crashes.stop();
    await Promise.all(open.map((s) => s.close()));
    await platform?.teardown();
  });

  /** Nothing escaped as an uncaught error, /healthz is ok, and two fresh sockets still talk. */
  const expectPlatformServing = async () => {
    expect(crashes.errors).toEqual([]);
    expect(await rest.healthy()).toBe(true);
    const [alice, bob] = await Promise.all([
      JsonSocket.open(platform.gatewayUrl, tokens.alice),
      JsonSocket.open(platform.gatewayUrl, tokens.bob),
    ]);
    open.push(alice, bob);
    probe += 1;
    const text = `still here ${probe}`;
    alice.send({ type: 'send', conversationId: groupId, clientMsgId: `probe-${probe}`, msgType: 'text', content: { text } });
    await eventually(() => alice.frames.find((f) => f.type === 'ack' && f.clientMsgId === `probe-${probe}`), Boolean, 20_000, 'the ack');
    await eventually(
      () => bob.frames.some((f) => f.type === 'message' && f.message?.content?.text === text),
      Boolean,
      20_000,
      'bob receiving it',
    );
    await Promise.all([alice.close(), bob.close()]);
  };

  const closedWith = async (socket: RawSocket) => {
    await eventually(() => socket.ended, Boolean, 20_000, 'the server closing the socket');
    return socket.closeCode;
  };

  it('answers frames that are not JSON objects with an error frame and keeps the socket open', async () => {
    const socket = await RawSocket.open(platform.gatewayUrl, tokens.alice);
    open.push({ close: () => socket.destroy() });
    for (const payload of ['{not json', '[1,2]', '"text"', 'null', '{"type":"send"', '{"type":"nope"}'])
      socket.write(rawFrame(Buffer.from(payload)));
    socket.write(rawFrame(Buffer.from(JSON.stringify({ type: 'ping' }))));
    const answers = await eventually(
      () => socket.frames.filter((f) => f.type !== 'hello'),
      (list) => list.length === 7,
      20_000,
      'seven answers',
    );
    expect(answers.slice(0, 6).map((f) => [String(f.type), String(f.code)])).toEqual(Array(6).fill(['error', 'VALIDATION_FAILED']));
    expect(answers[6].type).toBe('pong');
    expect(socket.ended).toBe(false);
    await expectPlatformServing();
  });

  it('refuses a send whose content nests deeper than the stack, as VALIDATION_FAILED', async () => {
    const socket = await RawSocket.open(platform.gatewayUrl, tokens.alice);
    open.push({ close: () => socket.destroy() });
    const depth = 7_000;
    const frame = `{"type":"send","conversationId":"${groupId}","clientMsgId":"deep-1","msgType":"text","content":{"text":"hi","x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    expect(frame.length).toBeLessThan(16 * 1024);
    socket.write(rawFrame(Buffer.from(frame)));
    const answer = await eventually(() => socket.frames.find((f) => f.clientMsgId === 'deep-1'), Boolean, 20_000, 'the answer');
    expect(answer).toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
    await expectPlatformServing();
  });

  it.each([
    ['a 64 KiB text frame (the limit is 16 KiB)', () => rawFrame(Buffer.alloc(64 * 1024, 0x61)), 1009],
    ['a header claiming a 2^62-byte payload', () => rawFrame(Buffer.alloc(0), { claimedLength: 2n ** 62n }), 1009],
    ['a text frame of invalid UTF-8', () => rawFrame(Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0xfe, 0x7d])), 1007],
    ['an unmasked frame', () => rawFrame(Buffer.from('{"type":"ping"}'), { masked: false }), 1002],
    ['a frame with a reserved opcode', () => rawFrame(Buffer.from('{}'), { opcode: 0x3 }), 1002],
    ['a frame with the reserved bits set', () => rawFrame(Buffer.from('{"type":"ping"}'), { rsv: 0b111 }), 1002],
    ['a continuation without a first fragment', () => rawFrame(Buffer.from('{}'), { opcode: OPCODE.continuation }), 1002],
    ['a fragmented ping', () => rawFrame(Buffer.from('x'), { opcode: OPCODE.ping, fin: false }), 1002],
  ])('closes the socket on %s with the right code, and serves everyone else', async (_name, frame, code) => {
    const socket = await RawSocket.open(platform.gatewayUrl, tokens.alice);
    socket.write(frame());
    expect(await closedWith(socket)).toBe(code);
    await expectPlatformServing();
  });

  it('answers every frame of a flood, in order, without falling over', async () => {
    const socket = await RawSocket.open(platform.gatewayUrl, tokens.alice);
    open.push({ close: () => socket.destroy() });
    const count = 3_000;
    // One write of many frames: they arrive in the server's buffers faster than any client would send them.
    socket.write(Buffer.concat(Array.from({ length: count }, (_, i) => rawFrame(Buffer.from(i % 2 ? '{"type":"ping"}' : 'junk')))));
    const answers = await eventually(
      () => socket.frames.filter((f) => f.type !== 'hello'),
      (list) => list.length === count || socket.ended,
      60_000,
      'an answer to every frame',
    );
    expect(socket.ended).toBe(false);
    expect(answers.map((f) => String(f.type))).toEqual(Array.from({ length: count }, (_, i) => (i % 2 ? 'pong' : 'error')));
    await expectPlatformServing();
  });

  it('drops an upgrade whose request target is no URL, with or without a token', async () => {
    const url = new URL(platform.gatewayUrl);
    for (const target of ['http://[/ws', 'http://%zz/ws', 'http://:99999/ws', '//[::1']) {
      for (const token of ['not-a-token', tokens.bob]) {
        const socket = connect(Number(url.port), url.hostname);
        socket.on('error', () => undefined);
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.write(upgradeRequest(url.host, token, target));
        await closed;
      }
    }
    await expectPlatformServing();
  });

  it('survives clients that reset the connection in the middle of the upgrade', async () => {
    const url = new URL(platform.gatewayUrl);
    // A bad token (answered with a 401 written to a socket the client already reset) and a good
    // one (the token check still running when the reset arrives).
    for (let i = 0; i < 20; i += 1) {
      for (const token of ['not-a-token', tokens.bob]) {
        const socket = connect(Number(url.port), url.hostname);
        socket.on('error', () => undefined);
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        socket.write(upgradeRequest(url.host, token), () => socket.resetAndDestroy());
      }
    }
    // Give the server the time to meet the resets.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await expectPlatformServing();
  });
});
