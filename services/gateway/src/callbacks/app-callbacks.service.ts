import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CardClicked, EventPayload } from '@atrium/contracts';
import { CallerIdentity, DomainError, NotFoundError, TRANSACTIONS, TransactionRunner, Tx, ValidationError } from '@atrium/platform';
import { AppCallback, AppCallbacksRepository } from './app-callbacks.repository';
import { CallbackDeliveriesRepository, CallbackDelivery, DeliveryStatus } from './callback-deliveries.repository';
import { CallbackAddressRefused, CallbackHttp, describeCallbackFailure, parseCallbackUrl } from './callback-http';
import { templateCardEventXml, urlCheck, withQuery } from './callback-messages';
import { isEncodingAesKey, WecomCrypto } from './wecom-crypto';

export interface CallbackInput {
  url: string;
  token: string;
  encodingAesKey: string;
}

const TOKEN = /^[A-Za-z0-9]{1,32}$/;
const MAX_LISTED = 500;

/**
 * The event callbacks of a corp's apps (WeCom 接收消息服务器): the endpoint an admin configures
 * after Atrium proved the app holds the key (the URL check), and the deliveries queued for it.
 */
@Injectable()
export class AppCallbacksService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly callbacks: AppCallbacksRepository,
    private readonly deliveries: CallbackDeliveriesRepository,
    private readonly http: CallbackHttp,
  ) {}

  /**
   * Saves the endpoint only after the URL check passes: a GET with an encrypted echostr that the
   * app must answer with the decrypted text. Nothing is sent to a URL that failed it.
   */
  async configure(caller: CallerIdentity, agentid: number, input: CallbackInput): Promise<AppCallback> {
    const url = parseCallbackUrl(input.url);
    if (!TOKEN.test(input.token)) throw new ValidationError('token must be 1-32 letters and digits', { field: 'token' });
    if (!isEncodingAesKey(input.encodingAesKey))
      throw new ValidationError('encodingAesKey must be 43 letters and digits (a base64 AES-256 key)', { field: 'encodingAesKey' });
    if (!(await this.callbacks.appExists(this.transactions.manager, caller.corpId, agentid)))
      throw new NotFoundError(`app ${agentid}`, { agentid });
    await this.checkUrl(url, new WecomCrypto(input.token, input.encodingAesKey, caller.corpId));
    return this.transactions.run((tx) =>
      this.callbacks.upsert(tx, {
        corpId: caller.corpId,
        agentid,
        url: url.toString(),
        token: input.token,
        encodingAesKey: input.encodingAesKey,
        verifiedAt: new Date(),
        updatedBy: caller.userId,
      }),
    );
  }

  async get(caller: CallerIdentity, agentid: number): Promise<AppCallback> {
    const callback = await this.callbacks.find(this.transactions.manager, caller.corpId, agentid);
    if (!callback) throw new NotFoundError(`callback of app ${agentid}`, { agentid });
    return callback;
  }

  async remove(caller: CallerIdentity, agentid: number): Promise<void> {
    if (!(await this.transactions.run((tx) => this.callbacks.remove(tx, caller.corpId, agentid))))
      throw new NotFoundError(`callback of app ${agentid}`, { agentid });
  }

  listDeliveries(
    caller: CallerIdentity,
    filter: { agentid?: number; status?: DeliveryStatus },
    limit: number,
  ): Promise<CallbackDelivery[]> {
    return this.deliveries.list(this.transactions.manager, caller.corpId, filter, Math.min(Math.max(limit, 1), MAX_LISTED));
  }

  /**
   * In the consumer's transaction: queue the click for the app that sent the card, if it has a
   * callback. The delivery itself happens in CallbackDeliveryWorker, never here.
   */
  async enqueueCardClick(tx: Tx, eventId: string, click: EventPayload<typeof CardClicked>): Promise<void> {
    if (click.agentid === null) return;
    if (!(await this.callbacks.find(tx, click.corpId, click.agentid))) return;
    await this.deliveries.enqueue(tx, {
      corpId: click.corpId,
      id: randomUUID(),
      agentid: click.agentid,
      eventId,
      eventType: 'template_card_event',
      plaintext: templateCardEventXml({ ...click, agentid: click.agentid, clickedAt: new Date(click.clickedAt) }),
    });
  }

  private async checkUrl(url: URL, crypto: WecomCrypto): Promise<void> {
    const check = urlCheck(crypto);
    let response: { status: number; body: string };
    try {
      response = await this.http.request('GET', withQuery(url, { ...check.query }));
    } catch (error) {
      if (error instanceof CallbackAddressRefused)
        throw new ValidationError(`url: ${error.message}`, { field: 'url', reason: 'CALLBACK_URL_NOT_ALLOWED' });
      throw new DomainError('PRECONDITION_FAILED', `the URL check failed: ${describeCallbackFailure(error)}`, {
        field: 'url',
        reason: 'CALLBACK_URL_CHECK_FAILED',
      });
    }
    if (response.status !== 200 || response.body.trim() !== check.plain) {
      throw new DomainError('PRECONDITION_FAILED', 'the url did not answer the URL check with the decrypted echostr', {
        field: 'url',
        reason: 'CALLBACK_URL_CHECK_FAILED',
        status: response.status,
      });
    }
  }
}
