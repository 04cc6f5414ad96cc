/**
 * SQL: whether the audit_records row `r` is covered by an active legal hold of its corp. A record is
 * held when it matches every criterion a hold gives: one of its participants (the sender, or anyone
 * ever a member of its conversation), one of its conversations, its time range.
 */
export function heldRecordSql(r: string): string {
  return `EXISTS (SELECT 1 FROM audit_legal_holds h
     WHERE h.corp_id = ${r}.corp_id AND h.released_at IS NULL
       AND (h.from_time IS NULL OR ${r}.occurred_at >= h.from_time)
       AND (h.to_time IS NULL OR ${r}.occurred_at < h.to_time)
       AND (cardinality(h.conversation_ids) = 0 OR ${r}.conversation_id = ANY(h.conversation_ids))
       AND (cardinality(h.participants) = 0 OR ${r}.actor = ANY(h.participants)
            OR (${r}.conversation_id <> '' AND EXISTS (SELECT 1 FROM audit_conversation_members m
                 WHERE m.corp_id = ${r}.corp_id AND m.conversation_id = ${r}.conversation_id AND m.userid = ANY(h.participants)))))`;
}
