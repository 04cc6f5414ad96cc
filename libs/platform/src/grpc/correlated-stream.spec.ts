import {
  Client,
  ClientDuplexStream,
  Metadata,
  Server,
  ServerCredentials,
  ServerDuplexStream,
  ServiceDefinition,
  credentials,
  makeGenericClientConstructor,
  status,
} from '@grpc/grpc-js';
import { DomainError } from '../errors';
import { CorrelatedStream } from './correlated-stream';

interface Req {
  id: number;
  text: string;
}
interface Res {
  id: number;
  text: string;
}

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as unknown,
};
const definition: ServiceDefinition = {
  Chat: {
    path: '/test.Echo/Chat',
    requestStream: true,
    responseStream: true,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

type Behaviour = (call: ServerDuplexStream<Req, Res>, request: Req, streamIndex: number) => void;

/** A real gRPC server on loopback whose answer to each request is up to the test. */
async function startServer(behaviour: { current: Behaviour }): Promise<{ server: Server; port: number; streamsOpened: () => number }> {
  let streams = 0;
  const server = new Server();
  server.addService(definition, {
    Chat: (call: ServerDuplexStream<Req, Res>) => {
      const index = streams++;
      call.on('data', (request: Req) => behaviour.current(call, request, index));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, port, streamsOpened: () => streams };
}

describe('CorrelatedStream', () => {
  const behaviour: { current: Behaviour } = { current: () => undefined };
  let server: Server;
  let client: Client & { Chat(metadata: Metadata): ClientDuplexStream<Req, Res> };
  let streamsOpened: () => number;
  const toError = (error: { code?: number; details?: string }) =>
    new DomainError(error.code === status.PERMISSION_DENIED ? 'FORBIDDEN' : 'UNAVAILABLE', error.details ?? 'failed');
  const open = (timeoutMs = 5_000) => new CorrelatedStream<Req, Res>(() => client.Chat(new Metadata()), { timeoutMs, toError });

  beforeAll(async () => {
    const started = await startServer(behaviour);
    server = started.server;
    streamsOpened = started.streamsOpened;
    const Ctor = makeGenericClientConstructor(definition, 'Echo');
    client = new Ctor(`127.0.0.1:${started.port}`, credentials.createInsecure()) as unknown as typeof client;
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it('answers each request with the response carrying its id, whatever the order, over one stream', async () => {
    // The server answers in reverse order of arrival once it has three.
    const held: Req[] = [];
    behaviour.current = (call, request) => {
      held.push(request);
      if (held.length === 3) for (const r of held.splice(0).reverse()) call.write({ id: r.id, text: r.text.toUpperCase() });
    };
    const before = streamsOpened();
    const stream = open();
    const answers = await Promise.all(['a', 'b', 'c'].map((text) => stream.request({ text })));
    expect(answers.map((a) => a.text)).toEqual(['A', 'B', 'C']);
    behaviour.current = (call, request) => call.write({ id: request.id, text: `${request.text}!` });
    expect((await stream.request({ text: 'd' })).text).toBe('d!');
    expect(streamsOpened() - before).toBe(1);
    stream.close();
  });

  it('sends an unanswered request again on a new stream when the server ends the stream cleanly, once', async () => {
    const before = streamsOpened();
    // The first stream ends without answering (a replica stopping); the next one answers.
    behaviour.current = (call, request, index) => {
      if (index === before) call.end();
      else call.write({ id: request.id, text: `answered on stream ${index - before}` });
    };
    const stream = open();
    expect((await stream.request({ text: 'x' })).text).toBe('answered on stream 1');
    expect(streamsOpened() - before).toBe(2);

    // Ending cleanly again and again: the retry is not repeated forever.
    behaviour.current = (call) => call.end();
    await expect(stream.request({ text: 'y' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'the stream ended before answering',
    });
    stream.close();
  });

  it('fails the requests in flight with the remote error when the stream breaks, and opens a new one for the next', async () => {
    behaviour.current = (call) => call.emit('error', { code: status.PERMISSION_DENIED, details: 'not you' });
    const stream = open();
    await expect(stream.request({ text: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'not you' });
    behaviour.current = (call, request) => call.write({ id: request.id, text: 'fine' });
    expect((await stream.request({ text: 'y' })).text).toBe('fine');
    stream.close();
  });

  it('times a request out without disturbing the others, and refuses requests once closed', async () => {
    behaviour.current = (call, request) => {
      if (request.text !== 'never') call.write({ id: request.id, text: 'ok' });
    };
    const stream = open(300);
    const [lost, kept] = await Promise.allSettled([stream.request({ text: 'never' }), stream.request({ text: 'kept' })]);
    expect(lost).toMatchObject({ status: 'rejected', reason: { code: 'UNAVAILABLE', message: 'remote call timed out' } });
    expect(kept).toMatchObject({ status: 'fulfilled', value: { text: 'ok' } });
    stream.close();
    await expect(stream.request({ text: 'late' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
