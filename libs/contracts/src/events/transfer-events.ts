import { z } from 'zod';
import { defineEvent, EventPayload } from './event-definition';
import type { MemberOffboarded } from './directory-events';
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

/** Every service's transfer report has this payload (one schema, an event per service). */
export type ResourceTransferReport = z.infer<typeof transferred>;

/** What one step of a service's 离职交接 moved ("3 pending approval steps"). */
export interface MovedResources {
  resource: string;
  count: number;
}

/**
 * The report a service owes the directory once it has handed an offboarded member's work to the
 * successor: how much moved in all, and what, for the directory's transfer record of `resourceType`.
 */
export function transferReport(
  { corpId, userid, successorUserid }: EventPayload<typeof MemberOffboarded>,
  resourceType: ResourceTransferReport['resourceType'],
  moved: readonly MovedResources[],
  nothingToMove: string,
): ResourceTransferReport {
  return {
    corpId,
    userid,
    successorUserid,
    resourceType,
    transferred: moved.reduce((sum, m) => sum + m.count, 0),
    status: 'done',
    detail: moved.length > 0 ? moved.map((m) => `${m.count} ${m.resource}`).join(', ') : nothingToMove,
  };
}
