import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DomainError, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';
import { KnownCorpsRepository } from '../corps/known-corps.repository';
import { ERRCODE, WecomError } from './wecom-error';
import { toPulledRecord } from '../compliance/compliance.mapper';
import { PulledRecordResponse } from '../compliance/dto/compliance.dto';

/** The archive tool's identity: it proves itself by the pull secret (or a token of it), never by this claim. */
const toolIdentity = (corpId: string): CallerIdentity => ({ corpId, userId: 'app:msgaudit', roles: [] });

/**
 * WeCom's 会话内容存档 for third-party archive tools. The pull secret and its tokens belong to the
 * audit service; a token names its corp (base64url of the corp id before the dot), which is how
 * the gateway knows whose archive it is calling.
 */
@Injectable()
export class WecomMsgauditService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly corps: KnownCorpsRepository,
    private readonly clients: ServiceClients,
  ) {}

  async issueToken(corpid: string, secret: string): Promise<{ accessToken: string; expiresIn: number }> {
    const corp = await this.corps.find(this.transactions.manager, corpid);
    if (!corp) throw new DomainError('CORP_NOT_FOUND', 'unknown corpid');
    return this.clients.audit.call('IssuePullToken', (a, md) => a.issuePullToken({ secret }, md), toolIdentity(corp.corpId));
  }

  async chatData(accessToken: string, seq: number, limit: number): Promise<PulledRecordResponse[]> {
    const [encodedCorp, random] = accessToken.split('.');
    const corpId = encodedCorp && random ? Buffer.from(encodedCorp, 'base64url').toString('utf8') : '';
    if (!corpId) throw new WecomError(ERRCODE.INVALID_ACCESS_TOKEN, 'invalid access_token');
    const page = await this.clients.audit.call(
      'PullArchive',
      (a, md) => a.pullArchive({ seq, limit, pullToken: accessToken }, md),
      toolIdentity(corpId),
    );
    return page.chatdata.map(toPulledRecord);
  }
}
