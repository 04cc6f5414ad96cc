#!/usr/bin/env node
// Smoke test of kafkajs against a real broker (the one `scripts/infra up` starts):
// the calls our services rely on, which Kafka 4's removal of old protocol
// versions could break.
//
//   node scripts/infra.d/smoke-kafka.js [BROKERS]    (default: $ATRIUM_TEST_KAFKA_BROKERS or 127.0.0.1:29092)
//
// 1. admin creates a topic with 3 partitions
// 2. an idempotent producer (maxInFlightRequests 1, acks -1, no transaction) sends to all partitions
// 3. a consumer group with autoCommit off reads everything back and commits with commitOffsets
// 4. the committed offsets are read back, and a second consumer of the same group
//    receives only a message produced after the commit
// Exits 0 when all of it worked, 1 otherwise.
'use strict';

const { Kafka, logLevel, Partitioners } = require('kafkajs');

const brokers = (process.argv[2] || process.env.ATRIUM_TEST_KAFKA_BROKERS || '127.0.0.1:29092').split(',');
const runId = `${Date.now()}-${process.pid}`;
const topic = `atrium-smoke-${runId}`;
const groupId = `atrium-smoke-group-${runId}`;
const PARTITIONS = 3;
const MESSAGES = 30;
const TIMEOUT_MS = 60_000;

const kafka = new Kafka({
  clientId: 'atrium-infra-smoke',
  brokers,
  logLevel: logLevel.WARN,
  connectionTimeout: 5000,
});

function step(text) {
  console.log(`smoke-kafka: ${text}`);
}

// Consume until `count` messages arrived; returns them. Commits nothing itself.
async function consumeUntil(consumer, count) {
  const received = [];
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: t, partition, message }) => {
      received.push({ topic: t, partition, offset: message.offset, key: message.key?.toString(), value: message.value?.toString() });
      if (received.length >= count) done();
    },
  });
  await finished;
  return received;
}

async function main() {
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  // A short fetch wait: disconnect() waits for the pending long poll (5 s by default).
  const consumerOptions = { groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 };
  const consumer = kafka.consumer(consumerOptions);
  const consumer2 = kafka.consumer(consumerOptions);

  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    step(`connected to ${brokers.join(',')} (cluster ${cluster.clusterId}, ${cluster.brokers.length} broker)`);

    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = meta.topics[0].partitions.length;
    if (!created || partitions !== PARTITIONS) throw new Error(`topic has ${partitions} partitions, expected ${PARTITIONS}`);
    step(`created topic ${topic} with ${partitions} partitions`);

    await producer.connect();
    const messages = Array.from({ length: MESSAGES }, (_, i) => ({
      key: `k${i}`,
      value: `v${i}`,
      partition: i % PARTITIONS,
    }));
    const results = await producer.send({ topic, acks: -1, messages });
    step(`idempotent producer sent ${MESSAGES} messages (acks -1): ${JSON.stringify(results.map((r) => [r.partition, r.baseOffset]))}`);

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const received = await consumeUntil(consumer, MESSAGES);
    const values = new Set(received.map((m) => m.value));
    for (const m of messages) {
      if (!values.has(m.value)) throw new Error(`message ${m.value} was not consumed`);
    }
    if (received.length !== MESSAGES) throw new Error(`consumed ${received.length} messages, expected ${MESSAGES}`);
    step(`consumer group ${groupId} received all ${MESSAGES} messages`);

    // Manual commit: the offset to commit is the next one to read.
    const next = new Map();
    for (const m of received) {
      const n = BigInt(m.offset) + 1n;
      if (!next.has(m.partition) || next.get(m.partition) < n) next.set(m.partition, n);
    }
    const toCommit = [...next].map(([partition, offset]) => ({ topic, partition, offset: offset.toString() }));
    await consumer.commitOffsets(toCommit);
    await consumer.disconnect();

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = new Map(committed[0].partitions.map((p) => [p.partition, p.offset]));
    for (const c of toCommit) {
      if (byPartition.get(c.partition) !== c.offset) {
        throw new Error(`partition ${c.partition}: committed ${byPartition.get(c.partition)}, expected ${c.offset}`);
      }
    }
    step(`commitOffsets stored ${JSON.stringify(toCommit.map((c) => [c.partition, c.offset]))}`);

    // A new member of the group must resume after the commit, not from the start.
    await consumer2.connect();
    await consumer2.subscribe({ topics: [topic], fromBeginning: true });
    await producer.send({ topic, acks: -1, messages: [{ key: 'after', value: 'after-commit', partition: 0 }] });
    const resumed = await consumeUntil(consumer2, 1);
    // Give a wrongly re-delivered old message a moment to show up.
    await new Promise((r) => setTimeout(r, 500));
    const resumedValues = resumed.map((m) => m.value);
    if (resumedValues.length !== 1 || resumedValues[0] !== 'after-commit') {
      throw new Error(`resumed consumer got ${JSON.stringify(resumedValues)}, expected ["after-commit"]`);
    }
    step('a new group member resumed from the committed offsets');
  } finally {
    await Promise.allSettled([consumer.disconnect(), consumer2.disconnect(), producer.disconnect()]);
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

const timer = setTimeout(() => {
  console.error(`smoke-kafka: FAILED: timed out after ${TIMEOUT_MS / 1000}s`);
  process.exit(1);
}, TIMEOUT_MS);

main().then(
  () => {
    clearTimeout(timer);
    console.log('smoke-kafka: OK');
    process.exit(0);
  },
  (err) => {
    console.error(`smoke-kafka: FAILED: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  },
);
