import { ValidationError } from '@atrium/platform';
import { queryTerms } from '../archive/search-terms';
import { KeyRing } from '../crypto/key-ring.service';

/** What officers filter messages by (search and export). */
export interface ArchiveFilterInput {
  conversationId?: string;
  participant?: string;
  participants?: string[];
  departmentId?: number;
  from?: string;
  to?: string;
  messageType?: string;
  keyword?: string;
}

export interface ArchiveFilter {
  conversationId?: string;
  participants?: string[];
  departmentId?: number;
  messageType?: string;
  from?: Date;
  to?: Date;
  /** Trimmed; empty for none. */
  keyword: string;
  /** The keyword's keyed index terms. */
  terms?: string[];
}

const MAX_KEYWORD = 200;
const MAX_PARTICIPANTS = 100;
const INT32_MAX = 2_147_483_647;

export function parseTime(value: string | undefined, name: string): Date | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new ValidationError(`${name} is not an ISO 8601 time`, { field: name });
  return at;
}

/** Validates a filter and turns its keyword into the corp's keyed index terms (the database never sees the word). */
export async function parseArchiveFilter(input: ArchiveFilterInput, keys: KeyRing, corpId: string): Promise<ArchiveFilter> {
  const keyword = input.keyword?.trim() ?? '';
  if (keyword.length > MAX_KEYWORD) throw new ValidationError(`keyword is longer than ${MAX_KEYWORD} characters`, { field: 'keyword' });
  let terms: string[] | undefined;
  if (keyword) {
    const plain = queryTerms(keyword);
    if (plain.length === 0) throw new ValidationError('keyword needs at least two Chinese characters or one word', { field: 'keyword' });
    const hash = await keys.termHasher(corpId);
    terms = [...new Set(plain.map(hash))];
  }
  const participants = [...new Set([input.participant ?? '', ...(input.participants ?? [])].map((u) => u.trim()).filter(Boolean))];
  if (participants.length > MAX_PARTICIPANTS) {
    throw new ValidationError(`at most ${MAX_PARTICIPANTS} participants`, { field: 'participants' });
  }
  const departmentId = input.departmentId || undefined;
  if (departmentId !== undefined && (!Number.isInteger(departmentId) || departmentId < 1 || departmentId > INT32_MAX)) {
    throw new ValidationError('departmentId must be a department id', { field: 'departmentId' });
  }
  const from = parseTime(input.from, 'from');
  const to = parseTime(input.to, 'to');
  if (from && to && from >= to) throw new ValidationError('from must be before to', { field: 'from' });
  return {
    conversationId: input.conversationId || undefined,
    participants: participants.length > 0 ? participants : undefined,
    departmentId,
    messageType: input.messageType || undefined,
    from,
    to,
    keyword,
    terms,
  };
}

/** The filter as it is recorded (with an export, in the archive): what was asked, never the index terms. */
export function describeFilter(f: ArchiveFilter): Record<string, unknown> {
  return {
    conversationId: f.conversationId ?? '',
    participants: f.participants ?? [],
    departmentId: f.departmentId ?? 0,
    messageType: f.messageType ?? '',
    from: f.from?.toISOString() ?? '',
    to: f.to?.toISOString() ?? '',
    keyword: f.keyword,
  };
}
