import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { sendPrebuilt, textFrame } from './prebuilt-frame';

describe('prebuilt frames', () => {
  it('reach a ws client intact at every header length, in order with frames ws itself sends', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const connected = once(server, 'connection') as Promise<[WebSocket]>;
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const received: string[] = [];
    client.on('message', (data: Buffer, isBinary: boolean) =>
      received.push(`${isBinary ? 'binary' : 'text'}:${data.length}:${data.toString('utf8').slice(0, 3)}`),
    );
    const [socket] = await connected;
    const payloads = [5, 125, 126, 65_535, 65_536, 200_000].map((n, i) => Buffer.from(`${'αβγ'[i % 3]}${'x'.repeat(n - 2)}`, 'utf8'));
    for (const payload of payloads) {
      sendPrebuilt(socket, payload, textFrame(payload));
      socket.send('via ws', { binary: false });
    }
    while (received.length < payloads.length * 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toEqual(payloads.flatMap((p) => [`text:${p.length}:${p.toString('utf8').slice(0, 3)}`, 'text:6:via']));
    client.close();
    server.close();
  });
});
