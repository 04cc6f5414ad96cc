import { DomainError } from '@atrium/platform';
import { Message } from '../messages/message';
import { FileForwarding } from '../policies/feature-policy';

/** A forwarded item that carries a media file, with the member who first sent it. */
export interface FileItem {
  type: string;
  originalSender: string;
}

const FILE_TYPES: readonly string[] = ['image', 'video', 'file', 'voice'];

const isFile = (type: string, content: Record<string, unknown>) => FILE_TYPES.includes(type) || typeof content.mediaId === 'string';

/**
 * The media files a forward would carry: the message itself, or the items of a merged forward
 * (chat record). The policy judges each against the member who first sent it.
 */
export function fileItemsOf(m: Message): FileItem[] {
  if (m.type === 'chat_record') {
    const items = Array.isArray(m.content.items) ? (m.content.items as Record<string, unknown>[]) : [];
    return items
      .filter((item) => isFile(String(item.type), (item.content ?? {}) as Record<string, unknown>))
      .map((item) => ({
        type: String(item.type),
        originalSender: String((item.forwardedFrom as { sender?: string } | undefined)?.sender ?? item.sender),
      }));
  }
  return isFile(m.type, m.content) ? [{ type: m.type, originalSender: m.forwardedFrom?.sender ?? m.sender }] : [];
}

export function forwardingBlocked(policy: FileForwarding, reason: string, details: Record<string, unknown>): DomainError {
  const rule =
    policy === 'internal_only'
      ? 'files, images and videos may only be forwarded into conversations whose members all belong to the corp'
      : 'files, images and videos may only be forwarded into conversations whose members all share a department with their original sender';
  return new DomainError('FORBIDDEN', `the corp's file forwarding policy (${policy}) blocks this: ${rule}; ${reason}`, {
    policy: 'file_forwarding',
    value: policy,
    ...details,
  });
}
