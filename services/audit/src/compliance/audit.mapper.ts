import { auditV1 } from '@atrium/contracts';
import { StoredCheckpoint } from '../integrity/checkpoints.repository';
import { VerifyReport } from '../integrity/verify-chain';
import { StoredExport } from '../exports/exports.repository';
import { LegalHold } from '../holds/holds.repository';
import { ArchivePublicKey } from '../pull/pull.repository';
import { ArchiveFilterInput } from './archive-filter';
import { OfficerGrant } from './officers.repository';
import { ArchivedMessageView } from './record-reader';

export const toOfficer = (g: OfficerGrant): auditV1.ComplianceOfficer => ({
  userid: g.userid,
  departmentIds: g.departmentIds,
  grantedBy: g.grantedBy,
  grantedAt: g.grantedAt.toISOString(),
});

export const toArchivedMessage = (m: ArchivedMessageView): auditV1.ArchivedMessage => ({
  seq: m.seq,
  eventId: m.eventId,
  eventType: m.eventType,
  conversationId: m.conversationId,
  sender: m.sender,
  messageType: m.messageType,
  sentAt: m.sentAt.toISOString(),
  contentJson: JSON.stringify(m.payload),
});

export const toVerifyResponse = (r: VerifyReport): auditV1.VerifyArchiveResponse => ({
  ok: r.ok,
  recordsChecked: r.recordsChecked,
  checkpointsChecked: r.checkpointsChecked,
  firstBadSeq: r.firstBad?.seq ?? 0,
  firstBadEventId: r.firstBad?.eventId ?? '',
  reason: r.firstBad?.reason ?? '',
});

export const toCheckpoint = (c: StoredCheckpoint): auditV1.Checkpoint => ({
  fromSeq: c.fromSeq,
  toSeq: c.toSeq,
  merkleRoot: c.merkleRoot.toString('hex'),
  headHash: c.headHash.toString('hex'),
  createdAt: c.createdAt.toISOString(),
  signature: c.signature.toString('base64'),
});

export const toFilterInput = (f: auditV1.ArchiveFilter | undefined): ArchiveFilterInput => ({
  conversationId: f?.conversationId,
  participants: f?.participants,
  departmentId: f?.departmentId,
  from: f?.fromTime,
  to: f?.toTime,
  messageType: f?.messageType,
  keyword: f?.keyword,
});

/** The flat fields of a search, each replaced by its counterpart in `filter` when that one is set. */
export const toSearchFilterInput = (r: auditV1.SearchArchiveRequest): ArchiveFilterInput => {
  const f = r.filter;
  return {
    conversationId: f?.conversationId || r.conversationId,
    participant: r.participant,
    participants: f?.participants,
    departmentId: f?.departmentId,
    from: f?.fromTime || r.fromTime,
    to: f?.toTime || r.toTime,
    messageType: f?.messageType || r.messageType,
    keyword: f?.keyword || r.keyword,
  };
};

const str = (value: unknown) => (typeof value === 'string' ? value : '');

export const toArchiveExport = (e: StoredExport): auditV1.ArchiveExport => ({
  id: e.id,
  officer: e.officer,
  format: e.format,
  filter: {
    conversationId: str(e.filter.conversationId),
    participants: Array.isArray(e.filter.participants) ? (e.filter.participants as string[]) : [],
    departmentId: Number(e.filter.departmentId ?? 0),
    fromTime: str(e.filter.from),
    toTime: str(e.filter.to),
    messageType: str(e.filter.messageType),
    keyword: str(e.filter.keyword),
  },
  maxRecords: e.maxRecords,
  recordCount: e.recordCount,
  tokenHash: e.tokenHash.toString('hex'),
  createdAt: e.createdAt.toISOString(),
  completedAt: e.completedAt?.toISOString() ?? '',
});

export const toLegalHold = (h: LegalHold): auditV1.LegalHold => ({
  id: h.id,
  name: h.name,
  reason: h.reason,
  participants: h.participants,
  conversationIds: h.conversationIds,
  fromTime: h.from?.toISOString() ?? '',
  toTime: h.to?.toISOString() ?? '',
  createdBy: h.createdBy,
  createdAt: h.createdAt.toISOString(),
  releasedBy: h.releasedBy ?? '',
  releasedAt: h.releasedAt?.toISOString() ?? '',
});

export const toPublicKey = (k: ArchivePublicKey): auditV1.ArchivePublicKey => ({
  version: k.version,
  publicKeyPem: k.publicKeyPem,
  fingerprint: k.fingerprint,
  createdBy: k.createdBy,
  createdAt: k.createdAt.toISOString(),
});
