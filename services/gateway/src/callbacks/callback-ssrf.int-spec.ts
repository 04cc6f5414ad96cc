import { createServer, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ssrfPayloads } from '@atrium/testing';
import { CallbackAddressRefused, CallbackHttp, describeCallbackFailure } from './callback-http';

/** A canary listening on every local address (127.0.0.1 and ::1 alike) counts the connections that got through: there must be none. */
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
    const urls = ssrfPayloads(port);
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
