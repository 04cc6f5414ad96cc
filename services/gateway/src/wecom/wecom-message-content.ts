import { ERRCODE, Errcode, WecomError } from './wecom-error';

/** msgtypes of message/send; appchat/send takes the same but template_card. */
export const WECOM_MSGTYPES = ['text', 'image', 'voice', 'video', 'file', 'textcard', 'news', 'markdown', 'template_card'] as const;
export type WecomMsgtype = (typeof WECOM_MSGTYPES)[number];
export const WECOM_CHAT_MSGTYPES: readonly WecomMsgtype[] = WECOM_MSGTYPES.filter((t) => t !== 'template_card');

/** Template cards Atrium renders: notices and buttons (WeCom's vote and multiple-choice cards are not). */
const CARD_TYPES = ['text_notice', 'news_notice', 'button_interaction'];
const TASK_ID = /^[A-Za-z0-9_\-@]{1,128}$/;
const MEDIA_ID_MAX = 256;

/** Our message type and content (messaging's content_json) for a WeCom message body. */
export interface AppContent {
  type: string;
  content: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const fail = (errcode: Errcode, errmsg: string): never => {
  throw new WecomError(errcode, errmsg);
};

function text(
  value: unknown,
  field: string,
  limits: { max: number; missing?: Errcode; tooLong?: Errcode; optional?: boolean },
): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (limits.optional) return undefined;
    return fail(limits.missing ?? ERRCODE.INVALID_PARAMETER, `${field} is missing`);
  }
  if (typeof value !== 'string') return fail(ERRCODE.INVALID_PARAMETER, `${field} must be a string`);
  if (bytes(value) > limits.max) return fail(limits.tooLong ?? ERRCODE.CONTENT_TOO_LARGE, `${field} is longer than ${limits.max} bytes`);
  return value;
}

function link(value: unknown, field: string, optional = false): string | undefined {
  const url = text(value, field, { max: 2_048, missing: ERRCODE.MISSING_URL, optional });
  if (url !== undefined && !/^https?:\/\/[^\s]+$/i.test(url)) fail(ERRCODE.URL_WITHOUT_SCHEME, `${field} must be an http(s) URL`);
  return url;
}

function mediaId(body: Json): string {
  const id = body.media_id;
  if (id === undefined || id === null || id === '') return fail(ERRCODE.MISSING_MEDIA_ID, 'media_id is missing');
  if (typeof id !== 'string' || id.length > MEDIA_ID_MAX) return fail(ERRCODE.INVALID_MEDIA_ID, 'invalid media_id');
  return id;
}

const defined = (fields: Json): Json => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

function news(body: Json): Json {
  const articles = body.articles;
  if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8)
    fail(ERRCODE.INVALID_ARTICLE_COUNT, 'news.articles must hold 1-8 articles');
  return {
    articles: (articles as unknown[]).map((raw, i) => {
      const a = isObject(raw) ? raw : fail(ERRCODE.INVALID_PARAMETER, `news.articles[${i}] must be an object`);
      const appid = text(a.appid, `news.articles[${i}].appid`, { max: 64, optional: true });
      return defined({
        title: text(a.title, `news.articles[${i}].title`, { max: 128, missing: ERRCODE.MISSING_TITLE }),
        description: text(a.description, `news.articles[${i}].description`, { max: 512, optional: true }) ?? '',
        // An article opens its url, or a mini program page (appid and pagepath).
        url: link(a.url, `news.articles[${i}].url`, appid !== undefined),
        picurl: link(a.picurl, `news.articles[${i}].picurl`, true),
        appid,
        pagepath: text(a.pagepath, `news.articles[${i}].pagepath`, { max: 1_024, optional: true }),
      });
    }),
  };
}

function templateCard(body: Json): Json {
  const cardType = body.card_type;
  if (typeof cardType !== 'string' || !CARD_TYPES.includes(cardType))
    fail(ERRCODE.SEND_CARD_TYPE_INVALID, `template_card.card_type must be one of ${CARD_TYPES.join(', ')}`);
  const main = isObject(body.main_title) ? body.main_title : {};
  const subtitle = text(body.sub_title_text, 'template_card.sub_title_text', { max: 1_024, optional: true });
  const heading = text(main.title, 'template_card.main_title.title', { max: 128, optional: true });
  const title = heading ?? subtitle ?? fail(ERRCODE.SEND_CARD_TITLE_MISSING, 'template_card needs main_title.title or sub_title_text');
  const description = [text(main.desc, 'template_card.main_title.desc', { max: 512, optional: true }), heading ? subtitle : undefined]
    .filter(Boolean)
    .join('\n');
  const taskId = body.task_id;
  if (taskId !== undefined && (typeof taskId !== 'string' || !TASK_ID.test(taskId)))
    fail(ERRCODE.SEND_CARD_TASK_ID_INVALID, 'template_card.task_id must be 1-128 of letters, digits and _-@');
  if (cardType === 'button_interaction' && taskId === undefined)
    fail(ERRCODE.SEND_CARD_TASK_ID_INVALID, 'a button_interaction card needs a task_id');
  const list = body.button_list ?? [];
  if (!Array.isArray(list) || list.length > 6) fail(ERRCODE.INVALID_PARAMETER, 'template_card.button_list holds at most 6 buttons');
  // Buttons that call back (a key); link buttons (type 1) have no key and are not Atrium's to track.
  const buttons = (list as unknown[])
    .map((raw, i) => {
      const b = isObject(raw) ? raw : fail(ERRCODE.INVALID_PARAMETER, `template_card.button_list[${i}] must be an object`);
      if (b.type === 1) return undefined;
      const label = typeof b.text === 'string' && b.text.length >= 1 && [...b.text].length <= 32;
      if (!label) fail(ERRCODE.SEND_CARD_BUTTON_TEXT_INVALID, `template_card.button_list[${i}].text must be 1-32 characters`);
      const key = typeof b.key === 'string' && b.key.length >= 1 && b.key.length <= 64;
      if (!key) fail(ERRCODE.SEND_CARD_BUTTON_KEY_INVALID, `template_card.button_list[${i}].key must be 1-64 characters`);
      return { key: b.key as string, text: b.text as string };
    })
    .filter((b): b is { key: string; text: string } => b !== undefined);
  return defined({ title, description, buttons, taskId });
}

/**
 * A WeCom message body (`msgtype` and the object named after it) as Atrium's message type and
 * content, with WeCom's limits and errcodes (lengths in UTF-8 bytes). Unknown fields are dropped:
 * integrations send fields Atrium does not model (`enable_id_trans`, `safe` inside objects…).
 */
export function toAppContent(msgtype: WecomMsgtype, payload: unknown): AppContent {
  const body = isObject(payload) ? payload : fail(ERRCODE.INVALID_PARAMETER, `${msgtype} must be an object`);
  switch (msgtype) {
    case 'text':
      return { type: 'text', content: { text: text(body.content, 'text.content', { max: 2_048, missing: ERRCODE.EMPTY_TEXT_CONTENT }) } };
    case 'markdown':
      return {
        type: 'markdown',
        content: { content: text(body.content, 'markdown.content', { max: 2_048, missing: ERRCODE.EMPTY_TEXT_CONTENT }) },
      };
    case 'image':
    case 'voice':
    case 'file':
      return { type: msgtype, content: { mediaId: mediaId(body) } };
    case 'video':
      return { type: 'video', content: { mediaId: mediaId(body) } };
    case 'textcard':
      return {
        type: 'textcard',
        content: {
          title: text(body.title, 'textcard.title', { max: 128, missing: ERRCODE.MISSING_TITLE }),
          description: text(body.description, 'textcard.description', { max: 512, missing: ERRCODE.MISSING_DESCRIPTION }),
          url: link(body.url, 'textcard.url'),
          btntxt: typeof body.btntxt === 'string' ? [...body.btntxt].slice(0, 4).join('') : '',
        },
      };
    case 'news':
      return { type: 'news', content: news(body) };
    case 'template_card':
      return { type: 'template_card', content: templateCard(body) };
    default: {
      const unknown: never = msgtype;
      throw new WecomError(ERRCODE.INVALID_MSGTYPE, `unsupported msgtype ${String(unknown)}`);
    }
  }
}
