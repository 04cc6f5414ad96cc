/**
 * Every spelling of "this host, the private network or the cloud metadata service" a callback URL
 * can take, each aimed at `port` (a canary's) where a port is given. Every outgoing request the
 * platform makes on a URL it was handed must refuse all of them.
 */
export function ssrfPayloads(port: number): string[] {
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
