/** One topic per domain; consumers filter by event type inside it. */
export const TOPICS = {
  directory: 'directory.events',
  messaging: 'messaging.messages',
  approval: 'approval.events',
  report: 'report.events',
  audit: 'audit.events',
  gateway: 'gateway.events',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
