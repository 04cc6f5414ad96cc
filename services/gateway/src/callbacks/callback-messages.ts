import { randomInt } from 'node:crypto';
import { WecomCrypto } from './wecom-crypto';

/** A CDATA section that survives any text, `]]>` included. */
const cdata = (value: string) => `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

export interface TemplateCardClick {
  corpId: string;
  userid: string;
  key: string;
  taskId: string;
  responseCode: string;
  agentid: number;
  clickedAt: Date;
}

/** WeCom's 模板卡片事件推送 (template_card_event) plaintext for a button click. */
export function templateCardEventXml(click: TemplateCardClick): string {
  return (
    `<xml><ToUserName>${cdata(click.corpId)}</ToUserName><FromUserName>${cdata(click.userid)}</FromUserName>` +
    `<CreateTime>${Math.floor(click.clickedAt.getTime() / 1000)}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata('template_card_event')}</Event><EventKey>${cdata(click.key)}</EventKey><TaskId>${cdata(click.taskId)}</TaskId>` +
    `<CardType>${cdata('button_interaction')}</CardType><ResponseCode>${cdata(click.responseCode)}</ResponseCode>` +
    `<AgentID>${click.agentid}</AgentID></xml>`
  );
}

const digits = (n: number) => Array.from({ length: n }, (_, i) => randomInt(i === 0 ? 1 : 0, 10)).join('');

export interface SignedQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

/** The signed, encrypted POST of one event: the query string and the outer XML WeCom sends. */
export function sealEvent(
  crypto: WecomCrypto,
  corpId: string,
  agentid: number,
  plaintext: string,
  now = new Date(),
): { query: SignedQuery; body: string } {
  const encrypt = crypto.encrypt(plaintext);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = digits(10);
  return {
    query: { msg_signature: crypto.signature(timestamp, nonce, encrypt), timestamp, nonce },
    body: `<xml><ToUserName>${cdata(corpId)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt><AgentID>${cdata(String(agentid))}</AgentID></xml>`,
  };
}

/** The URL check: the app must answer the GET with `plain`, which only the holder of the key can read. */
export function urlCheck(crypto: WecomCrypto, now = new Date()): { query: SignedQuery & { echostr: string }; plain: string } {
  const plain = digits(19);
  const echostr = crypto.encrypt(plain);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const nonce = digits(10);
  return { query: { msg_signature: crypto.signature(timestamp, nonce, echostr), timestamp, nonce, echostr }, plain };
}

export function withQuery(url: URL, query: Record<string, string>): URL {
  const out = new URL(url.toString());
  for (const [name, value] of Object.entries(query)) out.searchParams.set(name, value);
  return out;
}
