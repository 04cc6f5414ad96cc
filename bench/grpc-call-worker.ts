import { Server, ServerCredentials, ServerDuplexStream, ServerUnaryCall, ServiceDefinition, sendUnaryData } from '@grpc/grpc-js';

/**
 * The server side of the grpc-call benchmark, forked so client and server each own an event loop.
 * It answers every request with a response of a given size after a given delay (the work a real
 * handler would do), by a unary method and over a bidirectional stream. The first 8 bytes of a
 * request are its correlation id and come back at the start of its response.
 */

const bytes = (b: Buffer) => b;
export const ECHO_SERVICE: ServiceDefinition = {
  Call: {
    path: '/bench.Echo/Call',
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes,
    requestDeserialize: bytes,
    responseSerialize: bytes,
    responseDeserialize: bytes,
  },
  Stream: {
    path: '/bench.Echo/Stream',
    requestStream: true,
    responseStream: true,
    requestSerialize: bytes,
    requestDeserialize: bytes,
    responseSerialize: bytes,
    responseDeserialize: bytes,
  },
};

export type GrpcCallCommand = { cmd: 'listen'; responseBytes: number; workMs: number } | { cmd: 'cpu' };
export interface GrpcCallReply {
  port?: number;
  cpuSeconds?: number;
}

let response = Buffer.alloc(0);
let workMs = 0;

function answer(request: Buffer): Promise<Buffer> {
  const body = Buffer.from(response);
  request.copy(body, 0, 0, 8);
  return new Promise((resolve) => setTimeout(() => resolve(body), workMs));
}

process.on('message', (command: GrpcCallCommand) => {
  if (command.cmd === 'cpu') {
    const cpu = process.cpuUsage();
    process.send?.({ cpuSeconds: (cpu.user + cpu.system) / 1e6 } satisfies GrpcCallReply);
    return;
  }
  response = Buffer.alloc(Math.max(8, command.responseBytes), 0x62);
  workMs = command.workMs;
  const server = new Server();
  server.addService(ECHO_SERVICE, {
    Call: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      void answer(call.request).then((body) => callback(null, body));
    },
    Stream: (call: ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (request: Buffer) => void answer(request).then((body) => call.write(body)));
      call.on('end', () => call.end());
    },
  });
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.send?.({ port } satisfies GrpcCallReply);
  });
});
process.on('disconnect', () => process.exit(0));
