import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError, KafkaBroker, replayDeadLetters } from '@atrium/platform';
import { createCorp } from './corp-admin';
import { loadOrCreateSecrets, readRuntimeInfo } from './embedded-state';

const USAGE = `usage: npm run atrium -- corp create --code <code> --name <name> --admin <userid> --password <password> [--admin-name <name>]
       npm run atrium -- events replay-dlq --topic <topic> [--group <consumer group>]

corp create talks to the directory service as a platform operator:
  - embedded mode: finds the running platform through ATRIUM_DATA_DIR (default ./data);
  - cluster or six processes: set DIRECTORY_GRPC_URL (host:port) and ATRIUM_IDENTITY_KEY.
events replay-dlq puts the dead letters of <topic> (read from <topic>.dlq) back on <topic>, only
those of one consumer group with --group; each letter once. Kafka only: set KAFKA_BROKERS
(host:port,…) and KAFKA_TOPIC_PREFIX as the services have them.`;

function fail(message: string, code = 2): never {
  process.stderr.write(`atrium: ${message}\n`);
  process.exit(code);
}

function target(): { url: string; identityKey: string } {
  if (process.env.DIRECTORY_GRPC_URL) {
    const identityKey = process.env.ATRIUM_IDENTITY_KEY;
    if (!identityKey) fail('ATRIUM_IDENTITY_KEY is missing: expected the identity key the services were started with');
    return { url: process.env.DIRECTORY_GRPC_URL, identityKey };
  }
  const dataDir = resolve(process.env.ATRIUM_DATA_DIR ?? './data');
  const runtime = readRuntimeInfo(dataDir);
  if (!runtime)
    fail(`no running platform found in ${dataDir}: start it with 'npm start', or set DIRECTORY_GRPC_URL and ATRIUM_IDENTITY_KEY`);
  return { url: runtime.directoryGrpcUrl, identityKey: loadOrCreateSecrets(dataDir).identityKey };
}

async function replayDlq(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { topic: { type: 'string' }, group: { type: 'string' } }, strict: true });
  if (!values.topic) fail(`missing --topic\n${USAGE}`);
  const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  if (!brokers?.length) fail('KAFKA_BROKERS is missing: expected host:port,… of the Kafka the services use');
  const broker = new KafkaBroker({ clientId: 'atrium-cli', brokers, prefix: process.env.KAFKA_TOPIC_PREFIX ?? '' });
  try {
    const replayed = await replayDeadLetters(broker, { topic: values.topic, group: values.group });
    process.stdout.write(`${JSON.stringify({ topic: values.topic, group: values.group ?? null, replayed })}\n`);
  } finally {
    await broker.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [noun, verb, ...rest] = argv;
  if (noun === 'events' && verb === 'replay-dlq') return replayDlq(rest);
  if (noun !== 'corp' || verb !== 'create') fail(USAGE);
  const { values } = parseArgs({
    args: rest,
    options: {
      code: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'string' },
      'admin-name': { type: 'string' },
      password: { type: 'string' },
    },
    strict: true,
  });
  const missing = ['code', 'name', 'admin', 'password'].filter((key) => !values[key as keyof typeof values]);
  if (missing.length > 0) fail(`missing ${missing.map((m) => `--${m}`).join(', ')}\n${USAGE}`);
  const { url, identityKey } = target();
  try {
    const created = await createCorp(url, identityKey, {
      code: values.code!,
      name: values.name!,
      adminUserid: values.admin!,
      adminName: values['admin-name'],
      adminPassword: values.password!,
    });
    process.stdout.write(`${JSON.stringify({ corp: created.corp, admin: created.admin?.userid })}\n`);
  } catch (error) {
    if (error instanceof DomainError) fail(`${error.code}: ${error.message}`, 1);
    throw error;
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => fail(error instanceof Error ? error.message : String(error), 1),
);
