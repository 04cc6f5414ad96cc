import { z } from 'zod';
import { defineEvent } from './event-definition';
import { TOPICS } from './topics';

/**
 * A service reports that it handed an offboarded member's resources to the successor (after
 * consuming `directory.member.offboarded`); the directory updates its transfer record.
 */
const transferred = z.object({
  corpId: z.string(),
  userid: z.string(),
  successorUserid: z.string(),
  resourceType: z.enum(['groups', 'approvals', 'report_reviews']),
  transferred: z.number().int().nonnegative(),
  status: z.enum(['done', 'failed']),
  detail: z.string().default(''),
});

const key = (p: { corpId: string; userid: string }) => `${p.corpId}:${p.userid}`;

export const MessagingResourcesTransferred = defineEvent({
  type: 'messaging.resources.transferred',
  version: 1,
  topic: TOPICS.messaging,
  key,
  schema: transferred,
});

export const ApprovalResourcesTransferred = defineEvent({
  type: 'approval.resources.transferred',
  version: 1,
  topic: TOPICS.approval,
  key,
  schema: transferred,
});

export const ReportResourcesTransferred = defineEvent({
  type: 'report.resources.transferred',
  version: 1,
  topic: TOPICS.report,
  key,
  schema: transferred,
});

export const RESOURCE_TRANSFER_EVENTS = [MessagingResourcesTransferred, ApprovalResourcesTransferred, ReportResourcesTransferred] as const;
