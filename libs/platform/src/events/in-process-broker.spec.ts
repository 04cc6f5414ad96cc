import fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBroker } from './in-process-broker';
import { BrokerMessage, ReceivedMessage } from './message-broker';

const MESSAGES = 300;

const messages = (count: number): BrokerMessage[] =>
  Array.from({ length: count }, (_, i) => ({ topic: 'member', key: `m${i}`, value: JSON.stringify({ i }), headers: {} }));

async function consumeAll(broker: InProcessBroker, expected: number): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const subscription = await broker.subscribe({
    groupId: 'g',
    topics: ['member'],
    handle: async (message) => {
      received.push(message);
      if (received.length === expected) done();
    },
  });
  await all;
  // Anything delivered beyond what was expected (a redelivery) would arrive meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await subscription.stop();
  return received;
}

describe('InProcessBroker with a data directory', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'atrium-broker-'))));
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('appends one publish in one write and commits offsets together, not a file rewrite per message', async () => {
    const appends = jest.spyOn(fs, 'appendFileSync');
    const renames = jest.spyOn(fs, 'renameSync');
    const broker = new InProcessBroker({ dataDir });
    await broker.publish(messages(MESSAGES));
    expect(appends).toHaveBeenCalledTimes(1);
    expect(readFileSync(join(dataDir, 'log.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(MESSAGES);

    expect(await consumeAll(broker, MESSAGES)).toHaveLength(MESSAGES);
    await broker.close();
    // Handled one by one, the messages used to rewrite the offsets file once each.
    expect(renames.mock.calls.length).toBeGreaterThan(0);
    expect(renames.mock.calls.length).toBeLessThan(MESSAGES / 10);
  });

  it('keeps the committed offsets across a restart: nothing handled is delivered again', async () => {
    const first = new InProcessBroker({ dataDir, offsetsFlushMs: 60_000 });
    await first.publish(messages(MESSAGES));
    expect(await consumeAll(first, MESSAGES)).toHaveLength(MESSAGES);
    // Closing writes what the (here very long) flush interval had not written yet.
    await first.close();

    const second = new InProcessBroker({ dataDir });
    await second.publish([{ topic: 'member', key: 'fresh', value: '{}', headers: {} }]);
    const again = await consumeAll(second, 1);
    expect(again.map((m) => m.key)).toEqual(['fresh']);
    await second.close();
  });
});
