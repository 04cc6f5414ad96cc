import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DATA_SOURCE, DomainError, TRANSACTIONS, TransactionRunner, ValidationError } from '@atrium/platform';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ArchiveService } from '../archive/archive.service';
import { AccessControl } from '../compliance/access-control.service';
import { OfficerGrant } from '../compliance/officers.repository';
import { ownRecord } from '../compliance/own-records';
import { ReadScopes } from '../compliance/read-scope';
import { RecordReader } from '../compliance/record-reader';
import { SearchRepository } from '../compliance/search.repository';
import { PolicyRepository } from '../policy/policy.repository';
import { ScopeRepository } from '../scope/scope.repository';
import { chatMessageOf, normalisePublicKey, sealForPull } from './pull-format';
import { ArchivePublicKey, PullRepository } from './pull.repository';

export interface PulledRecord {
  seq: number;
  msgid: string;
  publickeyVer: number;
  encryptRandomKey: string;
  encryptChatMsg: string;
}

export interface PullRequest {
  seq: number;
  limit: number;
  pullToken?: string;
}

export const MAX_PULL = 1_000;
const TOKEN_TTL_SECONDS = 7_200;
/** Records examined per pull at most (skipped ones included) before answering with what was found. */
const MAX_EXAMINED = 10_000;

const sha256 = (value: string | Buffer) => createHash('sha256').update(value).digest();

/**
 * The msgaudit-style pull (WeCom 会话内容存档): message records after a seq, in chain order, each
 * encrypted to the corp's newest RSA public key. `seq` is the record's position in the corp's hash
 * chain: increasing, not contiguous (other kinds of records sit between messages). Callers: a
 * compliance officer (within their department scope), a super admin, or a tool holding a token
 * issued for the corp's pull secret (the archive's own Secret, as in WeCom).
 */
@Injectable()
export class PullService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly access: AccessControl,
    private readonly scopes: ReadScopes,
    private readonly search: SearchRepository,
    private readonly reader: RecordReader,
    private readonly conversations: ScopeRepository,
    private readonly policies: PolicyRepository,
    private readonly pulls: PullRepository,
    private readonly archive: ArchiveService,
  ) {}

  async registerPublicKey(caller: CallerIdentity, publicKeyPem: string): Promise<ArchivePublicKey> {
    this.access.requireSuperAdmin(caller);
    const normalised = normalisePublicKey(publicKeyPem ?? '');
    if (typeof normalised === 'string') throw new ValidationError(normalised, { field: 'publicKeyPem' });
    return this.transactions.run(async (tx) => {
      const key = await this.pulls.addPublicKey(tx, caller.corpId, {
        publicKeyPem: normalised.pem,
        fingerprint: normalised.fingerprint,
        createdBy: caller.userId,
      });
      await this.archive.append(tx, [
        ownRecord(caller.corpId, caller.userId, 'admin_action', 'audit.pull.public_key_registered', {
          version: key.version,
          fingerprint: key.fingerprint,
        }),
      ]);
      return key;
    });
  }

  async publicKeys(caller: CallerIdentity): Promise<ArchivePublicKey[]> {
    await this.access.requireOfficerOrSuperAdmin(caller);
    return this.pulls.publicKeys(this.db, caller.corpId);
  }

  /** A new pull secret, shown once; tokens of the previous one stop working at once. */
  async rotateSecret(caller: CallerIdentity): Promise<{ secret: string; version: number }> {
    this.access.requireSuperAdmin(caller);
    const secret = randomBytes(32).toString('base64url');
    const version = await this.transactions.run(async (tx) => {
      const v = await this.pulls.replaceSecret(tx, caller.corpId, sha256(secret), caller.userId);
      await this.archive.append(tx, [ownRecord(caller.corpId, caller.userId, 'admin_action', 'audit.pull.secret_rotated', { version: v })]);
      return v;
    });
    return { secret, version };
  }

  /**
   * A pull token for the corp's secret. The token names its corp (base64url of the corp id, a dot,
   * 32 random bytes) so that a gateway can route it; only its hash is stored.
   */
  async issueToken(caller: CallerIdentity, secret: string): Promise<{ accessToken: string; expiresIn: number }> {
    const stored = caller.corpId ? await this.pulls.secret(this.db, caller.corpId) : undefined;
    const presented = sha256(secret ?? '');
    if (!stored || !timingSafeEqual(presented, stored.secretHash)) throw new DomainError('INVALID_CREDENTIALS', 'the pull secret is wrong');
    const accessToken = `${Buffer.from(caller.corpId).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    await this.transactions.run((tx) =>
      this.pulls.addToken(tx, caller.corpId, sha256(accessToken), stored.version, new Date(Date.now() + TOKEN_TTL_SECONDS * 1000)),
    );
    return { accessToken, expiresIn: TOKEN_TTL_SECONDS };
  }

  async pull(caller: CallerIdentity, request: PullRequest): Promise<{ chatdata: PulledRecord[]; nextSeq: number }> {
    const { grant, actor, via } = await this.authorise(caller, request.pullToken);
    const limit = request.limit || MAX_PULL;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PULL)
      throw new ValidationError(`limit must be 1 to ${MAX_PULL}`, { field: 'limit' });
    if (!Number.isInteger(request.seq) || request.seq < 0)
      throw new ValidationError('seq must be 0 or a seq returned before', { field: 'seq' });
    if (!(await this.policies.archivingEnabled(this.db, caller.corpId))) {
      throw new DomainError('PRECONDITION_FAILED', 'archiving is switched off for this corp', { reason: 'ARCHIVING_DISABLED' });
    }
    const key = await this.pulls.latestPublicKey(this.db, caller.corpId);
    if (!key) throw new DomainError('PRECONDITION_FAILED', 'the corp has not registered a public key', { reason: 'NO_PUBLIC_KEY' });
    const scope = await this.scopes.scopeOf(caller.corpId, grant);
    const chatdata: PulledRecord[] = [];
    let nextSeq = request.seq;
    let examined = 0;
    while (chatdata.length < limit && examined < MAX_EXAMINED) {
      const want = limit - chatdata.length;
      const records = await this.search.messagesAfter(this.db, scope, nextSeq, want);
      const infos = await this.conversations.conversations(this.db, caller.corpId, [
        ...new Set(records.map((r) => r.conversationId).filter(Boolean)),
      ]);
      for (const record of records) {
        examined++;
        nextSeq = record.seq;
        const view = await this.reader.read(record);
        const chat = view && chatMessageOf(view, infos.get(record.conversationId));
        if (!chat) continue;
        const sealed = sealForPull(key.publicKeyPem, chat.msgid, JSON.stringify(chat.message));
        chatdata.push({ seq: record.seq, msgid: chat.msgid, publickeyVer: key.version, ...sealed });
      }
      if (records.length < want) break;
    }
    if (chatdata.length > 0) {
      await this.transactions.run((tx) =>
        this.archive.append(tx, [
          ownRecord(caller.corpId, actor, 'access', 'audit.archive.pulled', {
            via,
            seq: request.seq,
            limit,
            returned: chatdata.length,
            nextSeq,
            publickeyVer: key.version,
          }),
        ]),
      );
    }
    return { chatdata, nextSeq };
  }

  private async authorise(
    caller: CallerIdentity,
    pullToken: string | undefined,
  ): Promise<{ grant?: OfficerGrant; actor: string; via: 'pull_token' | 'officer' | 'super_admin' }> {
    if (pullToken) {
      if (!caller.corpId || !(await this.pulls.tokenValid(this.db, caller.corpId, sha256(pullToken)))) {
        throw new DomainError('UNAUTHENTICATED', 'the pull token is invalid or expired');
      }
      return { actor: 'app:msgaudit', via: 'pull_token' };
    }
    const grant = await this.access.requireOfficerOrSuperAdmin(caller);
    return { grant, actor: caller.userId, via: grant ? 'officer' : 'super_admin' };
  }
}
