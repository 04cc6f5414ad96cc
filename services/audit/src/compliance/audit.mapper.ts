import { auditV1 } from '@atrium/contracts';
import { StoredCheckpoint } from '../integrity/checkpoints.repository';
import { VerifyReport } from '../integrity/verify-chain';
import { OfficerGrant } from './officers.repository';
import { ArchivedMessageView } from './search.service';

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
