import { Agent, createServer, request, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { limitRequestHead, MAX_REQUEST_HEAD_BYTES } from './request-head-limit';

describe('the request head limit', () => {
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ urlLength: req.url?.length }));
    });
    limitRequestHead(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lets a 100 KB query string through to the routes', async () => {
    const res = await fetch(`${base}/cgi-bin/user/get?userid=${'x'.repeat(100_000)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ urlLength: 100_000 + '/cgi-bin/user/get?userid='.length });
  });

  it('answers a head over the limit with 431 and a JSON body in both error shapes', async () => {
    const res = await fetch(`${base}/api/v1/directory/members?q=${'x'.repeat(MAX_REQUEST_HEAD_BYTES + 50_000)}`);
    expect(res.status).toBe(431);
    expect(await res.json()).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('exceed'),
      errcode: 40058,
      errmsg: expect.stringContaining('exceed'),
    });
  });

  it('answers a head over the limit on a kept-alive connection that already served a request', async () => {
    // One socket for both requests: the second arrives after a response was written on it.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; body: string; socket: unknown }>((resolve, reject) => {
        const req = request(`${base}${path}`, { agent }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: req.socket }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const first = await get('/short');
      expect(first.status).toBe(200);
      const second = await get(`/long?q=${'x'.repeat(400_000)}`);
      expect(second.socket).toBe(first.socket);
      expect(second.status).toBe(431);
      expect(JSON.parse(second.body)).toMatchObject({ code: 'VALIDATION_FAILED', errcode: 40058 });
    } finally {
      agent.destroy();
    }
  });

  it('answers malformed HTTP with 400 and the same JSON body', async () => {
    const port = (server.address() as AddressInfo).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(answer.split('\r\n\r\n')[1])).toMatchObject({ code: 'VALIDATION_FAILED', errcode: 40058 });
  });
});
