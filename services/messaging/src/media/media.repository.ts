import { Tx } from '@atrium/platform';
import { Media, MediaReference, MediaType } from './media';

interface Row {
  corp_id: string;
  media_id: string;
  type: MediaType;
  content_type: string;
  size: string;
  sha256: string;
  name: string;
  uploaded_by: string;
  storage_key: string;
  created_at: Date;
}

const toMedia = (r: Row): Media => ({
  corpId: r.corp_id,
  mediaId: r.media_id,
  type: r.type,
  contentType: r.content_type,
  size: Number(r.size),
  sha256: r.sha256,
  name: r.name,
  uploadedBy: r.uploaded_by,
  storageKey: r.storage_key,
  createdAt: r.created_at,
});

export class MediaRepository {
  async insert(tx: Tx, m: Media): Promise<void> {
    await tx.query(
      `INSERT INTO media (corp_id, media_id, type, content_type, size, sha256, name, uploaded_by, storage_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [m.corpId, m.mediaId, m.type, m.contentType, m.size, m.sha256, m.name, m.uploadedBy, m.storageKey, m.createdAt],
    );
  }

  async findMany(tx: Tx, corpId: string, mediaIds: string[]): Promise<Media[]> {
    const rows = await tx.query<Row[]>(`SELECT * FROM media WHERE corp_id = $1 AND media_id = ANY($2::text[])`, [corpId, mediaIds]);
    return rows.map(toMedia);
  }

  /**
   * Whether `userid` is a member of a conversation holding a live (not recalled) message that names
   * the media, sent after they joined: what they can scroll back to, they can download.
   */
  async referencedForMember(tx: Tx, corpId: string, mediaId: string, userid: string): Promise<boolean> {
    const [row] = await tx.query<{ found: boolean }[]>(
      `SELECT EXISTS (
         SELECT 1 FROM media_references r
         JOIN conversation_members m ON m.corp_id = r.corp_id AND m.conversation_id = r.conversation_id AND m.userid = $3
         JOIN messages msg ON msg.corp_id = r.corp_id AND msg.conversation_id = r.conversation_id AND msg.seq = r.seq
         WHERE r.corp_id = $1 AND r.media_id = $2 AND r.seq > m.joined_seq
           AND msg.recalled_at IS NULL AND msg.burnt_at IS NULL AND msg.expired_at IS NULL
           -- A burn-after-reading message is gone for a recipient once read: its media with it.
           AND NOT (msg.burn_after_reading AND msg.sender <> m.userid AND m.read_seq >= msg.seq)
       ) AS found`,
      [corpId, mediaId, userid],
    );
    return row.found;
  }

  async addReferences(tx: Tx, corpId: string, references: MediaReference[]): Promise<void> {
    if (references.length === 0) return;
    await tx.query(
      `INSERT INTO media_references (corp_id, media_id, conversation_id, seq)
       SELECT $1, r.media_id, r.conversation_id, r.seq
       FROM unnest($2::text[], $3::uuid[], $4::bigint[]) AS r (media_id, conversation_id, seq)
       ON CONFLICT DO NOTHING`,
      [corpId, references.map((r) => r.mediaId), references.map((r) => r.conversationId), references.map((r) => r.seq)],
    );
  }
}
