import { Injectable } from '@nestjs/common';
import { Tx } from '@atrium/platform';
import { Queryable } from '../queryable';
import { ProjectionChange } from './projection-change';

/** A record to stamp with its participants' departments. */
export interface StampTarget {
  seq: number;
  conversationId: string;
  actor: string;
}

export interface ConversationInfo {
  kind: string;
  members: string[];
}

/** The archive's projections of the directory and of conversation rosters, and the stamps taken from them. */
@Injectable()
export class ScopeRepository {
  async apply(tx: Tx, corpId: string, change: ProjectionChange): Promise<void> {
    switch (change.kind) {
      case 'department':
        await tx.query(
          `INSERT INTO audit_departments (corp_id, department_id, path) VALUES ($1, $2, $3::bigint[])
           ON CONFLICT (corp_id, department_id) DO UPDATE SET path = EXCLUDED.path`,
          [corpId, change.departmentId, change.path],
        );
        return;
      case 'department_moved':
        // The whole subtree moves: every descendant's path gets the department's new prefix.
        await tx.query(
          `UPDATE audit_departments SET path = $3::bigint[] || path[array_position(path, $2::bigint) + 1:]
            WHERE corp_id = $1 AND path @> ARRAY[$2::bigint]`,
          [corpId, change.departmentId, change.path],
        );
        await this.apply(tx, corpId, { kind: 'department', departmentId: change.departmentId, path: change.path });
        return;
      case 'department_deleted':
        await tx.query(`DELETE FROM audit_departments WHERE corp_id = $1 AND department_id = $2`, [corpId, change.departmentId]);
        return;
      case 'member':
        await tx.query(
          `INSERT INTO audit_member_departments (corp_id, userid, department_ids) VALUES ($1, $2, $3::bigint[])
           ON CONFLICT (corp_id, userid) DO UPDATE SET department_ids = EXCLUDED.department_ids`,
          [corpId, change.userid, change.departmentIds],
        );
        return;
      case 'member_deleted':
        await tx.query(`DELETE FROM audit_member_departments WHERE corp_id = $1 AND userid = $2`, [corpId, change.userid]);
        return;
      case 'conversation':
        await tx.query(`INSERT INTO audit_conversations (corp_id, conversation_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
          corpId,
          change.conversationId,
          change.conversationKind,
        ]);
        await this.addToRoster(tx, corpId, change.conversationId, change.members);
        return;
      case 'roster':
        await this.addToRoster(tx, corpId, change.conversationId, change.added);
        if (change.removed.length > 0) {
          await tx.query(`DELETE FROM audit_conversation_roster WHERE corp_id = $1 AND conversation_id = $2 AND userid = ANY($3::text[])`, [
            corpId,
            change.conversationId,
            change.removed,
          ]);
        }
        return;
    }
  }

  /**
   * Stamps records with every department (and its ancestors) of their participants now: the
   * sender and the conversation's current members. One statement per batch; a conversation's
   * departments are computed once however many of its records the batch holds.
   */
  async stamp(tx: Tx, corpId: string, targets: StampTarget[]): Promise<void> {
    if (targets.length === 0) return;
    await tx.query(
      `WITH recs AS (
         SELECT * FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(seq, conversation_id, actor)
       ), conversation_departments AS (
         SELECT DISTINCT c.conversation_id, d AS department_id
           FROM (SELECT DISTINCT conversation_id FROM recs WHERE conversation_id <> '') c
           JOIN audit_conversation_roster ro ON ro.corp_id = $1 AND ro.conversation_id = c.conversation_id
           JOIN audit_member_departments m ON m.corp_id = $1 AND m.userid = ro.userid
           CROSS JOIN LATERAL unnest(m.department_ids) d
       ), direct AS (
         SELECT recs.seq, cd.department_id FROM recs JOIN conversation_departments cd ON cd.conversation_id = recs.conversation_id
         UNION
         SELECT recs.seq, d FROM recs JOIN audit_member_departments m ON m.corp_id = $1 AND m.userid = recs.actor
           CROSS JOIN LATERAL unnest(m.department_ids) d
       )
       INSERT INTO audit_record_departments (corp_id, seq, department_ids)
       SELECT $1, direct.seq, array_agg(DISTINCT a ORDER BY a)
         FROM direct LEFT JOIN audit_departments p ON p.corp_id = $1 AND p.department_id = direct.department_id
         CROSS JOIN LATERAL unnest(coalesce(p.path, ARRAY[direct.department_id])) a
        GROUP BY direct.seq
       ON CONFLICT DO NOTHING`,
      [corpId, targets.map((t) => t.seq), targets.map((t) => t.conversationId), targets.map((t) => t.actor)],
    );
  }

  /** Kind and current members of conversations (for the pull format's roomid and tolist). */
  async conversations(db: Queryable, corpId: string, conversationIds: string[]): Promise<Map<string, ConversationInfo>> {
    const rows = await db.query<{ conversation_id: string; kind: string | null; members: string[] | null }[]>(
      `SELECT c.id AS conversation_id, k.kind,
              (SELECT array_agg(ro.userid ORDER BY ro.userid) FROM audit_conversation_roster ro
                WHERE ro.corp_id = $1 AND ro.conversation_id = c.id) AS members
         FROM unnest($2::text[]) AS c(id)
         LEFT JOIN audit_conversations k ON k.corp_id = $1 AND k.conversation_id = c.id`,
      [corpId, conversationIds],
    );
    return new Map(rows.map((r) => [r.conversation_id, { kind: r.kind ?? '', members: r.members ?? [] }]));
  }

  private async addToRoster(tx: Tx, corpId: string, conversationId: string, members: string[]): Promise<void> {
    if (members.length === 0) return;
    await tx.query(
      `INSERT INTO audit_conversation_roster (corp_id, conversation_id, userid) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
      [corpId, conversationId, members],
    );
  }
}
