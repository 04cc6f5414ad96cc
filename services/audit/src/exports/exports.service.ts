import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE, NotFoundError, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ArchiveRepository } from '../archive/archive.repository';
import { ArchiveService } from '../archive/archive.service';
import { AUDIT_SETTINGS, AuditSettings } from '../audit.tokens';
import { AccessControl } from '../compliance/access-control.service';
import { ArchiveFilterInput, describeFilter, parseArchiveFilter } from '../compliance/archive-filter';
import { MessageFinder } from '../compliance/message-finder';
import { ownRecord } from '../compliance/own-records';
import { ReadScopes } from '../compliance/read-scope';
import { ArchivedMessageView, RecordReader } from '../compliance/record-reader';
import { decodeCursor, encodeCursor } from '../compliance/search.service';
import { KeyRing } from '../crypto/key-ring.service';
import { EXPORT_FORMATS, ExportFormat, exportHeader, exportRow, findInvisibleTokens, rowMark } from './export-format';
import { ExportsRepository, StoredExport } from './exports.repository';

export interface NewExport {
  filter: ArchiveFilterInput;
  format: string;
  maxRecords?: number;
}

export interface ExportChunk {
  data: string;
  nextChunkToken: string;
  records: number;
}

export interface TraceQuery {
  text?: string;
  mark?: string;
  seq?: number;
}

export const MAX_EXPORT_RECORDS = 100_000;
/** Candidates examined per chunk (keyword exports confirm each one after decryption). */
const CHUNK_CANDIDATES = 20_000;
const TRACE_SCAN = 10_000;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

interface ChunkState {
  cursor?: string;
  written: number;
}

/**
 * Exports of a search result for compliance officers. Every file starts with a visible watermark
 * (export, corp, officer, time) and every row carries the export's token twice: invisible in its
 * text (zero-width characters) and as a visible mark (an HMAC of the row's seq). The token is
 * derived from the export id under a key of the corp's, so only the archive can mint one, and only
 * its hash is stored: a leaked line leads back to its export (TraceArchiveExport).
 */
@Injectable()
export class ExportsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
    private readonly access: AccessControl,
    private readonly scopes: ReadScopes,
    private readonly finder: MessageFinder,
    private readonly reader: RecordReader,
    private readonly keys: KeyRing,
    private readonly exports: ExportsRepository,
    private readonly archiveRepository: ArchiveRepository,
    private readonly archive: ArchiveService,
  ) {}

  async create(caller: CallerIdentity, request: NewExport): Promise<StoredExport> {
    await this.access.requireOfficer(caller);
    if (!(EXPORT_FORMATS as readonly string[]).includes(request.format)) {
      throw new ValidationError(`format must be one of ${EXPORT_FORMATS.join(', ')}`, { field: 'format' });
    }
    const maxRecords = request.maxRecords || MAX_EXPORT_RECORDS;
    if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > MAX_EXPORT_RECORDS) {
      throw new ValidationError(`maxRecords must be 1 to ${MAX_EXPORT_RECORDS}`, { field: 'maxRecords' });
    }
    const filter = describeFilter(await parseArchiveFilter(request.filter, this.keys, caller.corpId));
    const id = randomUUID();
    const token = await this.tokenOf(caller.corpId, id);
    return this.transactions.run(async (tx) => {
      const snapshotSeq = (await this.archiveRepository.head(tx, caller.corpId)).seq;
      const created = await this.exports.insert(tx, {
        id,
        corpId: caller.corpId,
        officer: caller.userId,
        format: request.format as ExportFormat,
        filter,
        maxRecords,
        snapshotSeq,
        tokenHash: sha256(token),
        createdAt: new Date(),
      });
      await this.archive.append(tx, [
        ownRecord(caller.corpId, caller.userId, 'access', 'audit.archive.export_created', {
          exportId: id,
          format: request.format,
          filter,
          maxRecords,
          snapshotSeq,
          tokenHash: created.tokenHash.toString('hex'),
        }),
      ]);
      return created;
    });
  }

  /** The next piece of the file: the first starts with the watermark; an empty token in the answer means done. */
  async read(caller: CallerIdentity, exportId: string, chunkToken: string): Promise<ExportChunk> {
    const grant = await this.access.requireOfficer(caller);
    const stored = await this.ownExport(caller, exportId);
    const state = this.decodeChunk(chunkToken);
    const token = await this.tokenOf(caller.corpId, stored.id);
    const filter = await parseArchiveFilter(stored.filter, this.keys, caller.corpId);
    const scope = await this.scopes.scopeOf(caller.corpId, grant);
    const page = await this.finder.find(scope, filter, {
      cursor: decodeCursor(state.cursor, 'chunkToken'),
      count: Math.min(this.settings.exportChunkRecords, stored.maxRecords - state.written),
      maxSeq: stored.snapshotSeq,
      maxCandidates: CHUNK_CANDIDATES,
    });
    const header = {
      exportId: stored.id,
      corpId: stored.corpId,
      officer: stored.officer,
      createdAt: stored.createdAt,
      filter: stored.filter,
    };
    let data = chunkToken ? '' : exportHeader(stored.format, header);
    for (const view of page.messages) data += exportRow(stored.format, this.rowOf(view), token);
    const written = state.written + page.messages.length;
    const done = !page.cursor || written >= stored.maxRecords;
    if (done) {
      await this.transactions.run(async (tx) => {
        if (await this.exports.complete(tx, caller.corpId, stored.id, written)) {
          await this.archive.append(tx, [
            ownRecord(caller.corpId, caller.userId, 'access', 'audit.archive.exported', { exportId: stored.id, records: written }),
          ]);
        }
      });
    } else {
      await this.exports.recordProgress(this.db, caller.corpId, stored.id, written);
    }
    const nextChunkToken = done ? '' : this.encodeChunk({ cursor: encodeCursor(page.cursor!), written });
    return { data, nextChunkToken, records: page.messages.length };
  }

  async list(caller: CallerIdentity): Promise<StoredExport[]> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    return this.exports.list(this.db, caller.corpId);
  }

  /**
   * Which export a leaked fragment came from: by the invisible token in its text (its SHA-256 is
   * the stored token hash), or by a row's visible mark and seq (recomputed for the corp's exports).
   */
  async trace(caller: CallerIdentity, query: TraceQuery): Promise<{ export?: StoredExport; matchedBy: string }> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    if (!query.text && !(query.mark && query.seq)) throw new ValidationError('give the leaked text, or a row mark with its seq');
    let found: { export?: StoredExport; matchedBy: string } = { matchedBy: '' };
    for (const token of findInvisibleTokens(query.text ?? '')) {
      const hit = await this.exports.byTokenHash(this.db, caller.corpId, sha256(token));
      if (hit) {
        found = { export: hit, matchedBy: 'token' };
        break;
      }
    }
    if (!found.export && query.mark && query.seq) {
      const mark = query.mark.trim().toLowerCase();
      for (const candidate of await this.exports.list(this.db, caller.corpId, TRACE_SCAN)) {
        if (rowMark(await this.tokenOf(caller.corpId, candidate.id), query.seq) === mark) {
          found = { export: candidate, matchedBy: 'mark' };
          break;
        }
      }
    }
    await this.transactions.run((tx) =>
      this.archive.append(tx, [
        ownRecord(caller.corpId, caller.userId, 'access', 'audit.export.traced', {
          found: found.export?.id ?? '',
          matchedBy: found.matchedBy,
        }),
      ]),
    );
    return found;
  }

  private async ownExport(caller: CallerIdentity, exportId: string): Promise<StoredExport> {
    const stored = /^[0-9a-f-]{36}$/i.test(exportId) ? await this.exports.find(this.db, caller.corpId, exportId) : undefined;
    // Only the officer who made an export reads it; to anyone else it does not exist.
    if (!stored || stored.officer !== caller.userId) throw new NotFoundError('export', { exportId });
    return stored;
  }

  private async tokenOf(corpId: string, exportId: string): Promise<Buffer> {
    const key = await this.keys.derivedKey(corpId, 'export-trace');
    return createHmac('sha256', key).update(exportId).digest().subarray(0, 16);
  }

  private rowOf(view: ArchivedMessageView) {
    const payload = view.payload as { message?: { content?: unknown } };
    return { ...view, text: this.reader.textOf(view), content: payload.message?.content ?? view.payload };
  }

  private encodeChunk(state: ChunkState): string {
    return Buffer.from(JSON.stringify(state)).toString('base64url');
  }

  private decodeChunk(token: string): ChunkState {
    if (!token) return { written: 0 };
    try {
      const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ChunkState;
      if (typeof state.cursor !== 'string' || !Number.isInteger(state.written) || state.written < 0) throw new Error('bad chunk token');
      return state;
    } catch {
      throw new ValidationError('chunkToken is malformed', { field: 'chunkToken' });
    }
  }
}
