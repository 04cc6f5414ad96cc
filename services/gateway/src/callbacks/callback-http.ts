import { ValidationError } from '@atrium/platform';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const MAX_URL_LENGTH = 2_048;
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Where a self-hosted server must not be talked into sending requests (SSRF): loopback, private,
 * link-local (cloud metadata), carrier-grade NAT, benchmarking, multicast and reserved ranges.
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  // IPv4-compatible (::a.b.c.d, deprecated): [::127.0.0.1] is loopback to some stacks; covers :: and ::1 too.
  ['::', 96],
  // IPv4-translated (::ffff:0:a.b.c.d); IPv4-mapped (::ffff:a.b.c.d) is checked against the IPv4 list below.
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001::', 32], // Teredo: tunnels to an IPv4 address
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fec0::', 10], // site-local (deprecated)
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** True for any address a callback must not reach unless private networks are allowed. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NON_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = ipv4Mapped(address);
  if (mapped) return NON_PUBLIC.check(mapped, 'ipv4');
  return NON_PUBLIC.check(address, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped IPv6 address in any spelling (`::ffff:127.0.0.1`, `::ffff:7f00:1`, `0:0:0:0:0:ffff:…`). */
function ipv4Mapped(address: string): string | undefined {
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let head = address;
  let tail: number[] = [];
  if (dotted) {
    head = `${dotted[1]}0:0`;
    tail = dotted[2].split('.').map(Number);
  }
  const halves = head.split('::');
  const words = (part: string | undefined) => (part ? part.split(':').map((w) => parseInt(w, 16)) : []);
  const left = words(halves[0]);
  const right = words(halves[1]);
  const all = [...left, ...new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right];
  if (all.length !== 8 || !all.slice(0, 5).every((w) => w === 0) || all[5] !== 0xffff) return undefined;
  const [a, b] = [all[6], all[7]];
  return tail.length === 4 ? tail.join('.') : [a >> 8, a & 0xff, b >> 8, b & 0xff].join('.');
}

/** Names that always mean this host (RFC 6761), refused without asking DNS. */
function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * What an admin (or the delivery log) is told about a failed request: stable and readable, with
 * no resolver output, addresses or stack of the gateway's network.
 */
export function describeCallbackFailure(error: unknown): string {
  if (error instanceof CallbackAddressRefused) return 'the url points to a loopback, private or reserved address';
  const code = (error as { code?: unknown; name?: unknown } | undefined)?.code;
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ABORT_ERR')
    return 'the url did not answer in time';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return "the url's host name could not be resolved";
  if ((typeof code === 'string' && code.startsWith('ERR_TLS')) || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'CERT_HAS_EXPIRED')
    return "the url's TLS certificate was not accepted";
  return 'the url could not be reached';
}

/** An app's callback URL: absolute http(s), no credentials, no fragment. */
export function parseCallbackUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('url is not an absolute URL', { field: 'url', reason: 'CALLBACK_URL_INVALID' });
  }
  if (raw.length > MAX_URL_LENGTH)
    throw new ValidationError(`url is longer than ${MAX_URL_LENGTH}`, { field: 'url', reason: 'CALLBACK_URL_INVALID' });
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ValidationError('url must be http or https', { field: 'url', reason: 'CALLBACK_URL_INVALID' });
  if (url.username || url.password || url.hash)
    throw new ValidationError('url must not carry credentials or a fragment', { field: 'url', reason: 'CALLBACK_URL_INVALID' });
  return url;
}

export class CallbackAddressRefused extends Error {
  constructor(readonly host: string) {
    super(`${host} is a loopback, private or reserved address (ATRIUM_CALLBACKS_ALLOW_PRIVATE_NETWORKS is off)`);
    this.name = 'CallbackAddressRefused';
  }
}

export interface CallbackResponse {
  status: number;
  /** At most 64 KiB. */
  body: string;
}

/**
 * Plain HTTP(S) to an app's callback URL with the SSRF guard applied to the address actually
 * connected to: the DNS answer is checked inside the connection's own lookup, so a name that
 * re-resolves to 127.0.0.1 after an earlier check (DNS rebinding) is still refused. Redirects are
 * not followed.
 */
export class CallbackHttp {
  constructor(private readonly options: { allowPrivateNetworks: boolean; timeoutMs: number }) {}

  request(method: 'GET' | 'POST', url: URL, body?: { contentType: string; text: string }): Promise<CallbackResponse> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is connected to without a lookup, so it is checked here; a name, in the lookup.
    if (!this.options.allowPrivateNetworks && ((isIP(host) && isNonPublicAddress(host)) || isLoopbackName(host)))
      return Promise.reject(new CallbackAddressRefused(host));
    const payload = body ? Buffer.from(body.text, 'utf8') : undefined;
    const options: RequestOptions = {
      method,
      lookup: this.guardedLookup(host),
      signal: AbortSignal.timeout(this.options.timeoutMs),
      headers: {
        'user-agent': 'Atrium-Callbacks/1',
        ...(payload && body ? { 'content-type': body.contentType, 'content-length': String(payload.length) } : {}),
      },
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<CallbackResponse>((resolve, reject) => {
      const req = send(url, options, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  private guardedLookup(host: string): LookupFunction {
    const allow = this.options.allowPrivateNetworks;
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '');
        const refused = allow ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
        if (refused) return callback(new CallbackAddressRefused(`${host} (${refused.address})`), '');
        if (addresses.length === 0) return callback(new Error(`${host} has no address`), '');
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    };
  }
}
