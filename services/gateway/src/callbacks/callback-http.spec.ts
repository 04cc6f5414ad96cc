import { CallbackAddressRefused, CallbackHttp, isNonPublicAddress, parseCallbackUrl } from './callback-http';
import { retryDelayMs } from './callback-settings';

describe('callback URLs and the SSRF guard', () => {
  it('tells loopback, private, link-local and reserved addresses from public ones', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ])
      expect([address, isNonPublicAddress(address)]).toEqual([address, true]);
    for (const address of ['8.8.8.8', '203.0.114.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect([address, isNonPublicAddress(address)]).toEqual([address, false]);
    expect(isNonPublicAddress('not-an-ip')).toBe(true);
  });

  it('accepts only absolute http(s) URLs without credentials or a fragment', () => {
    expect(parseCallbackUrl('https://hr.example.com/wecom?x=1').toString()).toBe('https://hr.example.com/wecom?x=1');
    for (const bad of [
      'ftp://example.com/',
      'javascript:alert(1)',
      '/relative',
      'https://user:pw@example.com/',
      'https://example.com/#frag',
      'file:///etc/passwd',
    ]) {
      let error: unknown;
      try {
        parseCallbackUrl(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'url', reason: 'CALLBACK_URL_INVALID' } });
    }
  });

  it('refuses loopback addresses, literal or resolved, before connecting unless private networks are allowed', async () => {
    const guarded = new CallbackHttp({ allowPrivateNetworks: false, timeoutMs: 1_000 });
    await expect(guarded.request('GET', new URL('http://127.0.0.1:9/x'))).rejects.toBeInstanceOf(CallbackAddressRefused);
    await expect(guarded.request('GET', new URL('http://[::1]:9/x'))).rejects.toBeInstanceOf(CallbackAddressRefused);
    await expect(
      guarded.request('POST', new URL('http://localhost:9/x'), { contentType: 'text/xml', text: '<xml/>' }),
    ).rejects.toBeInstanceOf(CallbackAddressRefused);
    // Allowed: the request goes out (and fails to connect to the closed port instead).
    const open = new CallbackHttp({ allowPrivateNetworks: true, timeoutMs: 1_000 });
    await expect(open.request('GET', new URL('http://127.0.0.1:9/x'))).rejects.not.toBeInstanceOf(CallbackAddressRefused);
  });

  it('backs off exponentially: 5 tries over about a minute with the production base', () => {
    const delays = [1, 2, 3, 4].map((attempt) => retryDelayMs({ retryBaseMs: 4_000 }, attempt));
    expect(delays).toEqual([4_000, 8_000, 16_000, 32_000]);
    expect(delays.reduce((a, b) => a + b)).toBe(60_000);
  });
});
