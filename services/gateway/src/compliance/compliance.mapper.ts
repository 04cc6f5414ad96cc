import { auditV1 } from '@atrium/contracts';
import {
  ArchiveFilterFields,
  ArchivedMessageResponse,
  CheckpointResponse,
  ExportResponse,
  HoldResponse,
  OfficerResponse,
  PublicKeyResponse,
  PulledRecordResponse,
  VerifyResponse,
} from './dto/compliance.dto';

export const toOfficerResponse = (o: auditV1.ComplianceOfficer | undefined): OfficerResponse => ({
  userid: o?.userid ?? '',
  departmentIds: o?.departmentIds ?? [],
  grantedBy: o?.grantedBy ?? '',
  grantedAt: o?.grantedAt ?? '',
});

export const toArchivedMessageResponse = (m: auditV1.ArchivedMessage | undefined): ArchivedMessageResponse => ({
  seq: m?.seq ?? 0,
  eventId: m?.eventId ?? '',
  eventType: m?.eventType ?? '',
  conversationId: m?.conversationId ?? '',
  sender: m?.sender ?? '',
  messageType: m?.messageType ?? '',
  sentAt: m?.sentAt ?? '',
  payload: m?.contentJson ? (JSON.parse(m.contentJson) as Record<string, unknown>) : {},
});

export const toArchiveFilter = (f: ArchiveFilterFields): auditV1.ArchiveFilter => ({
  conversationId: f.conversationId ?? '',
  participants: f.participants ?? [],
  departmentId: f.departmentId ?? 0,
  fromTime: f.from ?? '',
  toTime: f.to ?? '',
  messageType: f.messageType ?? '',
  keyword: f.keyword ?? '',
});

export const toExportResponse = (e: auditV1.ArchiveExport | undefined): ExportResponse => ({
  id: e?.id ?? '',
  officer: e?.officer ?? '',
  format: e?.format ?? '',
  filter: {
    conversationId: e?.filter?.conversationId ?? '',
    participants: e?.filter?.participants ?? [],
    departmentId: e?.filter?.departmentId ?? 0,
    from: e?.filter?.fromTime ?? '',
    to: e?.filter?.toTime ?? '',
    messageType: e?.filter?.messageType ?? '',
    keyword: e?.filter?.keyword ?? '',
  },
  maxRecords: e?.maxRecords ?? 0,
  recordCount: e?.recordCount ?? 0,
  tokenHash: e?.tokenHash ?? '',
  createdAt: e?.createdAt ?? '',
  completedAt: e?.completedAt ?? '',
});

export const toHoldResponse = (h: auditV1.LegalHold | undefined): HoldResponse => ({
  id: h?.id ?? '',
  name: h?.name ?? '',
  reason: h?.reason ?? '',
  participants: h?.participants ?? [],
  conversationIds: h?.conversationIds ?? [],
  from: h?.fromTime ?? '',
  to: h?.toTime ?? '',
  createdBy: h?.createdBy ?? '',
  createdAt: h?.createdAt ?? '',
  releasedBy: h?.releasedBy ?? '',
  releasedAt: h?.releasedAt ?? '',
});

export const toVerifyResponse = (r: auditV1.VerifyArchiveResponse): VerifyResponse => ({
  ok: r.ok,
  recordsChecked: r.recordsChecked,
  checkpointsChecked: r.checkpointsChecked,
  firstBadSeq: r.firstBadSeq,
  firstBadEventId: r.firstBadEventId,
  reason: r.reason,
});

export const toCheckpointResponse = (c: auditV1.Checkpoint): CheckpointResponse => ({ ...c });

export const toPublicKeyResponse = (k: auditV1.ArchivePublicKey | undefined): PublicKeyResponse => ({
  version: k?.version ?? 0,
  publicKeyPem: k?.publicKeyPem ?? '',
  fingerprint: k?.fingerprint ?? '',
  createdBy: k?.createdBy ?? '',
  createdAt: k?.createdAt ?? '',
});

/** WeCom's field names (chatdata of GetChatData), on the native API and /cgi-bin alike. */
export const toPulledRecord = (r: auditV1.PulledRecord): PulledRecordResponse => ({
  seq: r.seq,
  msgid: r.msgid,
  publickey_ver: r.publickeyVer,
  encrypt_random_key: r.encryptRandomKey,
  encrypt_chat_msg: r.encryptChatMsg,
});
