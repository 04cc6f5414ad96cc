import { createServer, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CallbackAddressRefused, CallbackHttp, describeCallbackFailure } from './callback-http';

/**
 * Every spelling of "this host, the private network or the cloud metadata service" a callback URL
 * can take. A canary listening on every local address (127.0.0.1 and ::1 alike) counts the
 * connections that got through: there must be none.
 */
function payloads(port: number): string[] {
  const v4 = [
    '127.0.0.1',
    '127.1',
    '127.0.1',
    '127.255.255.254',
    '2130706433',
    '0x7f000001',
    '0x7f.1',
    '0x7f.0.0.1',
    '0177.0.0.1',
    '0177.1',
    '017700000001',
    '%31%32%37.0.0.1',
    '127.0.0.1.',
    '0.0.0.0',
    '0',
    '0x0',
    '10.0.0.1',
    '172.16.0.1',
    '192.168.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '0xa9fea9fe',
    '2852039166',
    '198.18.0.1',
    '224.0.0.1',
  ];
  const v6 = [
    '::1',
    '0:0:0:0:0:0:0:1',
    '0000::1',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:127.0.0.1',
    '::ffff:0:127.0.0.1',
    '::127.0.0.1',
    '::7f00:1',
    '::0.0.0.0',
    '::ffff:0.0.0.0',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    'fd00:ec2::254',
    'fe80::1',
    'fc00::1',
    'fec0::1',
    '64:ff9b::127.0.0.1',
    '2002:7f00:1::1',
    '2001:0:4136:e378:8000:63bf:80ff:fffe',
  ].map((a) => `[${a}]`);
  const names = ['localhost', 'LOCALHOST', 'localhost.', 'canary.localhost', 'a.b.localhost'];
  const hosts = [...v4, ...v6, ...names];
  return [
    ...hosts.map((h) => `http://${h}:${port}/callback`),
    ...['127.0.0.1', '[::1]', 'localhost'].map((h) => `https://${h}:${port}/callback`),
    ...['127.0.0.1', '[::1]'].map((h) => `http://${h}/callback`),
  ];
}

describe('the SSRF guard of outgoing callback requests', () => {
  let canary: Server;
  let port: number;
  let hits = 0;
  const guarded = new CallbackHttp({ allowPrivateNetworks: false, timeoutMs: 2_000 });

  beforeAll(async () => {
    canary = createServer((_, res) => res.end('canary'));
    canary.on('connection', () => (hits += 1));
    // `::` without ipv6Only takes IPv4 connections too: one canary for 127.0.0.1, ::1 and 0.0.0.0.
    await new Promise<void>((resolve) => canary.listen(0, '::', resolve));
    port = (canary.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => canary.close(resolve));
  });

  it('checks the canary counts what reaches it', async () => {
    const open = new CallbackHttp({ allowPrivateNetworks: true, timeoutMs: 2_000 });
    await expect(open.request('GET', new URL(`http://127.0.0.1:${port}/`))).resolves.toMatchObject({ status: 200, body: 'canary' });
    await expect(open.request('GET', new URL(`http://[::1]:${port}/`))).resolves.toMatchObject({ status: 200 });
    expect(hits).toBe(2);
    hits = 0;
  });

  it('refuses every loopback, private, link-local, metadata and IPv4-in-IPv6 spelling before connecting', async () => {
    const urls = payloads(port);
    expect(urls.length).toBeGreaterThanOrEqual(50);
    const outcomes: string[] = [];
    for (const url of urls) {
      for (const method of ['GET', 'POST'] as const) {
        const outcome = await guarded
          .request(method, new URL(url), method === 'POST' ? { contentType: 'text/xml', text: '<xml/>' } : undefined)
          .then(
            (response) => `answered ${response.status}`,
            (error: unknown) => (error instanceof CallbackAddressRefused ? 'refused' : `failed: ${(error as Error).message}`),
          );
        if (outcome !== 'refused') outcomes.push(`${method} ${url}: ${outcome}`);
      }
    }
    expect(outcomes).toEqual([]);
    expect(hits).toBe(0);
  });

  it('does not follow a redirect to a private address', async () => {
    const redirector = createServer((_, res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/metadata` }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      // The redirector itself is allowed here (private networks on) to show the answer is not followed.
      const open = new CallbackHttp({ allowPrivateNetworks: true, timeoutMs: 2_000 });
      const response = await open.request('GET', new URL(`http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`));
      expect(response.status).toBe(302);
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => redirector.close(resolve));
    }
  });

  it('describes a failure in stable words, without the addresses or errors of the gateway network', async () => {
    const open = new CallbackHttp({ allowPrivateNetworks: true, timeoutMs: 2_000 });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await open.request('GET', new URL(`http://127.0.0.1:${closedPort}/`)).catch((e: unknown) => e);
    expect(describeCallbackFailure(error)).toBe('the url could not be reached');
    const unresolvable = await open.request('GET', new URL('http://no-such-host.invalid/')).catch((e: unknown) => e);
    expect(describeCallbackFailure(unresolvable)).toBe("the url's host name could not be resolved");
    const refused = await guarded.request('GET', new URL('http://[::127.0.0.1]/')).catch((e: unknown) => e);
    expect(describeCallbackFailure(refused)).toBe('the url points to a loopback, private or reserved address');
  });
});
