import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ClientDuplexStream, ClientUnaryCall, Metadata, ServiceError, credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { ECHO_SERVICE, GrpcCallCommand, GrpcCallReply } from './grpc-call-worker';
import { round } from './stats';
import { BenchModule } from './types';

/**
 * What one request costs over grpc-js on this machine, by a unary call and as a message on an
 * open bidirectional stream: the reason the WebSocket edge relays sends over SendStream. A forked
 * server answers after 2 ms of simulated work; the client keeps 4 requests in flight (as the
 * edge does) with requests and responses the size of a batch of sends and of its results.
 */

interface Shape {
  name: string;
  requestBytes: number;
  responseBytes: number;
}

const SHAPES: Shape[] = [
  { name: 'one send', requestBytes: 400, responseBytes: 600 },
  { name: 'batch of 64 sends', requestBytes: 25_000, responseBytes: 45_000 },
];
const IN_FLIGHT = 4;
const WORK_MS = 2;

type EchoClient = {
  Call(request: Buffer, metadata: Metadata, callback: (error: ServiceError | null, response?: Buffer) => void): ClientUnaryCall;
  Stream(metadata: Metadata): ClientDuplexStream<Buffer, Buffer>;
  close(): void;
};

export const grpcCallBench: BenchModule = {
  description: 'CPU per request over grpc-js: a unary call against a message on an open bidirectional stream (no platform)',
  platform: 'none',
  async run(context) {
    const requests = context.quick ? 500 : 4_000;
    for (const shape of SHAPES) {
      const server = fork(join(__dirname, 'grpc-call-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const ask = (command: GrpcCallCommand) =>
        new Promise<GrpcCallReply>((resolve) => {
          server.once('message', resolve);
          server.send(command);
        });
      const { port } = await ask({ cmd: 'listen', responseBytes: shape.responseBytes, workMs: WORK_MS });
      const Client = makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
      const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as EchoClient;
      const stream = client.Stream(new Metadata());
      // The server process goes away at the end of each shape: its reset is not a failure.
      stream.on('error', () => undefined);
      const waiting = new Map<number, () => void>();
      stream.on('data', (response: Buffer) => {
        const id = response.readDoubleLE(0);
        waiting.get(id)?.();
        waiting.delete(id);
      });
      let nextId = 0;
      const request = () => {
        const body = Buffer.alloc(shape.requestBytes, 0x61);
        const id = nextId++;
        body.writeDoubleLE(id, 0);
        return { id, body };
      };
      const ways: Record<'unary' | 'stream', () => Promise<void>> = {
        unary: () =>
          new Promise((resolve, reject) => {
            client.Call(request().body, new Metadata(), (error) => (error ? reject(error) : resolve()));
          }),
        stream: () =>
          new Promise((resolve) => {
            const { id, body } = request();
            waiting.set(id, resolve);
            stream.write(body);
          }),
      };
      try {
        for (const [way, send] of Object.entries(ways)) {
          const run = async (n: number) => {
            let started = 0;
            const lane = async () => {
              while (started < n) {
                started += 1;
                await send();
              }
            };
            await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
          };
          await run(Math.ceil(requests / 10)); // warm-up
          const serverBefore = (await ask({ cmd: 'cpu' })).cpuSeconds ?? 0;
          const clientBefore = process.cpuUsage();
          const startedAt = Date.now();
          await run(requests);
          const seconds = (Date.now() - startedAt) / 1000;
          const clientCpu = process.cpuUsage(clientBefore);
          const serverCpu = ((await ask({ cmd: 'cpu' })).cpuSeconds ?? 0) - serverBefore;
          const extras = {
            way,
            shape: shape.name,
            request_bytes: shape.requestBytes,
            response_bytes: shape.responseBytes,
            in_flight: IN_FLIGHT,
            requests,
          };
          context.emit('grpc_requests_per_second', round(requests / seconds, 0), 'requests/s', extras);
          context.emit('grpc_client_us_per_request', round((clientCpu.user + clientCpu.system) / requests, 0), 'µs', extras);
          context.emit('grpc_server_us_per_request', round((serverCpu * 1e6) / requests, 0), 'µs', extras);
        }
      } finally {
        stream.end();
        client.close();
        server.disconnect();
      }
    }
    return { errors: 0 };
  },
};
