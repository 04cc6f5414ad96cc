import { AppMessageRecalled, AppMessageSent, EventPayload, MessageRecalled, MessageSent } from '@atrium/contracts';
import { constants, createCipheriv, createHash, createPublicKey, KeyObject, publicEncrypt, randomBytes } from 'node:crypto';
import { ArchivedMessageView } from '../compliance/record-reader';

export interface PullConversation {
  kind: string;
  /** Current members (the archive's roster projection). */
  members: string[];
}

/** A message as WeCom's msgaudit SDK decrypts it (action, from, tolist, roomid, msgtime, msgtype, <msgtype>). */
export interface ChatMessage {
  msgid: string;
  message: Record<string, unknown>;
}

function body(type: string, content: Record<string, unknown>): Record<string, unknown> {
  // WeCom's text message is {"text":{"content":"…"}}; Atrium's text content is {"text":"…", …}.
  if (type === 'text') {
    const { text, ...rest } = content;
    return { text: { ...rest, content: typeof text === 'string' ? text : '' } };
  }
  return { [type]: content };
}

/**
 * The WeCom-shaped message of an archived message record, or null for a kind the pull API does
 * not carry (burn-after-reading purges and the like: they are state changes, not messages).
 * A direct conversation has an empty roomid, as in WeCom; tolist is everyone else in the
 * conversation (as the archive knows it now).
 */
export function chatMessageOf(view: ArchivedMessageView, conversation: PullConversation | undefined): ChatMessage | null {
  const others = (sender: string) => (conversation?.members ?? []).filter((m) => m !== sender);
  const roomid = conversation?.kind === 'direct' ? '' : view.conversationId;
  const msgtime = view.sentAt.getTime();
  switch (view.eventType) {
    case MessageSent.type: {
      const { message } = view.payload as EventPayload<typeof MessageSent>;
      return {
        msgid: message.id,
        message: {
          msgid: message.id,
          action: 'send',
          from: message.sender,
          tolist: others(message.sender),
          roomid,
          msgtime,
          msgtype: message.type,
          ...body(message.type, message.content),
        },
      };
    }
    case MessageRecalled.type: {
      const recalled = view.payload as EventPayload<typeof MessageRecalled>;
      return {
        msgid: view.eventId,
        message: {
          msgid: view.eventId,
          action: 'recall',
          from: recalled.actor,
          tolist: others(recalled.actor),
          roomid,
          msgtime,
          msgtype: 'revoke',
          revoke: { pre_msgid: recalled.messageId },
        },
      };
    }
    case AppMessageSent.type: {
      const sent = view.payload as EventPayload<typeof AppMessageSent>;
      const msgid = sent.parts > 1 ? `${sent.msgid}_${sent.part}` : sent.msgid;
      return {
        msgid,
        message: {
          msgid,
          action: 'send',
          from: sent.sender,
          tolist: sent.deliveries.map((d) => d.userid),
          roomid: '',
          msgtime,
          msgtype: sent.type,
          ...body(sent.type, sent.content),
        },
      };
    }
    case AppMessageRecalled.type: {
      const recalled = view.payload as EventPayload<typeof AppMessageRecalled>;
      return {
        msgid: view.eventId,
        message: {
          msgid: view.eventId,
          action: 'recall',
          from: recalled.sender,
          tolist: [],
          roomid: '',
          msgtime,
          msgtype: 'revoke',
          revoke: { pre_msgid: recalled.msgid },
        },
      };
    }
    default:
      return null;
  }
}

export interface SealedForPull {
  /** Base64 of RSA-OAEP (SHA-256, MGF1-SHA-256) of the 32-byte message key. */
  encryptRandomKey: string;
  /** Base64 of nonce (12 bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes); the msgid is the associated data. */
  encryptChatMsg: string;
}

/**
 * Encrypts one message to the corp's public key, the way WeCom's archive does it in spirit (a fresh
 * random key per message, encrypted to the corp's RSA key) with standard primitives a third-party
 * tool has everywhere: RSA-OAEP-SHA256 for the key, AES-256-GCM for the message.
 */
export function sealForPull(publicKeyPem: string, msgid: string, plaintext: string): SealedForPull {
  const key = randomBytes(32);
  const encryptedKey = publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(msgid, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    encryptRandomKey: encryptedKey.toString('base64'),
    encryptChatMsg: Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64'),
  };
}

/** A registrable key: RSA of at least 2048 bits, normalised to SPKI PEM, with its SHA-256 fingerprint. */
export function normalisePublicKey(pem: string): { pem: string; fingerprint: string } | string {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return 'publicKeyPem is not a PEM public key';
  }
  if (key.asymmetricKeyType !== 'rsa') return 'the public key must be RSA';
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return 'the RSA key must have at least 2048 bits';
  const der = key.export({ type: 'spki', format: 'der' });
  return { pem: key.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: createHash('sha256').update(der).digest('hex') };
}
