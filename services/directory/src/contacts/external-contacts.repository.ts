import { queryReturning, Tx } from '@atrium/platform';

export interface ExternalContact {
  id: string;
  ownerUserid: string;
  name: string;
  company: string;
  mobile: string;
  email: string;
  notes: string;
  tags: string[];
}

interface Row {
  id: string;
  owner_userid: string;
  name: string;
  company: string;
  mobile: string;
  email: string;
  notes: string;
  tags: string[];
}

const toContact = (r: Row): ExternalContact => ({
  id: r.id,
  ownerUserid: r.owner_userid,
  name: r.name,
  company: r.company,
  mobile: r.mobile,
  email: r.email,
  notes: r.notes,
  tags: r.tags,
});

export class ExternalContactsRepository {
  async insert(tx: Tx, corpId: string, c: Omit<ExternalContact, 'id'>): Promise<ExternalContact> {
    const [row] = await tx.query<Row[]>(
      `INSERT INTO external_contacts (corp_id, owner_userid, name, company, mobile, email, notes, tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [corpId, c.ownerUserid, c.name, c.company, c.mobile, c.email, c.notes, c.tags],
    );
    return toContact(row);
  }

  async listByOwner(tx: Tx, corpId: string, owner: string): Promise<ExternalContact[]> {
    return (
      await tx.query<Row[]>(`SELECT * FROM external_contacts WHERE corp_id = $1 AND owner_userid = $2 ORDER BY created_at, id`, [
        corpId,
        owner,
      ])
    ).map(toContact);
  }

  async transferOwnership(tx: Tx, corpId: string, from: string, to: string): Promise<number> {
    const rows = await queryReturning<unknown>(
      tx,
      `UPDATE external_contacts SET owner_userid = $3 WHERE corp_id = $1 AND owner_userid = $2 RETURNING id`,
      [corpId, from, to],
    );
    return rows.length;
  }
}
