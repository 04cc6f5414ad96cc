import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { FaultScene } from './support/fault-harness';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  committed: string;
  end: string;
  lag: number;
}

/**
 * What the broker knows after a fault: per consumer group and partition, the committed offset, the
 * end of the log and the lag between them, and how many records each dead-letter topic holds. A
 * group whose lag stays above zero while its service runs is stuck (lag); a lag of zero with
 * records missing downstream means offsets were committed past unhandled records (loss).
 */
export async function brokerState(
  brokers: string[],
  prefix: string,
): Promise<{ lag: PartitionLag[]; deadLetters: Record<string, number> }> {
  const admin = new Kafka({ clientId: 'fault-diagnostics', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    const ends = new Map<string, Map<number, string>>();
    for (const topic of topics) ends.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high])));
    const { groups } = await admin.listGroups();
    const lag: PartitionLag[] = [];
    for (const { groupId } of groups.filter((g) => g.groupId.startsWith(prefix))) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: topics.filter((t) => !t.endsWith('.dlq')) })) {
        for (const { partition, offset } of partitions) {
          const end = ends.get(topic)?.get(partition) ?? '0';
          const committed = offset === '-1' ? '0' : offset;
          lag.push({
            group: groupId.slice(prefix.length),
            topic: topic.slice(prefix.length),
            partition,
            committed,
            end,
            lag: Number(end) - Number(committed),
          });
        }
      }
    }
    const deadLetters: Record<string, number> = {};
    for (const topic of topics.filter((t) => t.endsWith('.dlq'))) {
      const total = [...(ends.get(topic)?.values() ?? [])].reduce((sum, high) => sum + Number(high), 0);
      if (total > 0) deadLetters[topic.slice(prefix.length)] = total;
    }
    return { lag, deadLetters };
  } finally {
    await admin.disconnect();
  }
}

/** Outbox rows of each service not yet published to the broker. */
export async function unpublishedOutbox(scene: FaultScene): Promise<Record<string, number>> {
  const pending: Record<string, number> = {};
  for (const [service, url] of Object.entries(scene.platform.databaseUrls)) {
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM platform_outbox WHERE published_at IS NULL`);
      if (rows[0].count > 0) pending[service] = rows[0].count;
    } finally {
      await db.end();
    }
  }
  return pending;
}

/**
 * The sent-message events messaging committed to its outbox for the scene's conversation that
 * the archive does not hold, and whether the archive's consumer group recorded them in its inbox
 * (recorded yet not archived would be a handler bug; neither, a consumer that never got them).
 */
export async function missingFromArchive(scene: FaultScene): Promise<{ missing: number; inboxed: number; sample: string[] }> {
  const messaging = new Client({ connectionString: scene.platform.databaseUrls.messaging });
  const audit = new Client({ connectionString: scene.platform.databaseUrls.audit });
  await Promise.all([messaging.connect(), audit.connect()]);
  try {
    const { rows: sent } = await messaging.query<{ event_id: string }>(
      `SELECT event_id FROM platform_outbox WHERE event_type = 'messaging.message.sent' AND envelope->'payload'->>'conversationId' = $1`,
      [scene.conversationId],
    );
    const { rows: archived } = await audit.query<{ event_id: string }>(`SELECT event_id FROM audit_records WHERE conversation_id = $1`, [
      scene.conversationId,
    ]);
    const have = new Set(archived.map((r) => r.event_id));
    const missing = sent.map((r) => r.event_id).filter((id) => !have.has(id));
    const { rows: inbox } = await audit.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM platform_inbox WHERE consumer_group = 'audit.ingest' AND event_id = ANY($1::uuid[])`,
      [missing],
    );
    return { missing: missing.length, inboxed: inbox[0].count, sample: missing.slice(0, 10) };
  } finally {
    await Promise.all([messaging.end(), audit.end()]);
  }
}
