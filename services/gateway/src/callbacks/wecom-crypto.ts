import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BLOCK = 32;
const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;

/** WeCom's EncodingAESKey: 43 letters and digits, the base64 of a 32-byte AES key without its "=". */
export function isEncodingAesKey(value: string): boolean {
  return ENCODING_AES_KEY.test(value) && Buffer.from(`${value}=`, 'base64').length === 32;
}

export class WecomCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WecomCryptoError';
  }
}

/**
 * WeCom's callback encryption (WXBizMsgCrypt), as the app side implements it: AES-256-CBC with
 * key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding to 32-byte
 * blocks; plaintext = 16 random bytes + 4-byte big-endian length + message + receiveid (the
 * corpid); msg_signature = sha1 of the sorted [token, timestamp, nonce, encrypt], lower-case hex.
 */
export class WecomCrypto {
  private readonly key: Buffer;

  constructor(
    private readonly token: string,
    encodingAesKey: string,
    private readonly receiveId: string,
  ) {
    if (!isEncodingAesKey(encodingAesKey)) throw new WecomCryptoError('EncodingAESKey must be 43 letters and digits');
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64');
  }

  signature(timestamp: string, nonce: string, encrypt: string): string {
    return createHash('sha1').update([this.token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
  }

  /** `random` is for reproducing a known ciphertext; it is 16 fresh random bytes otherwise. */
  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    if (random.length !== 16) throw new WecomCryptoError('the random prefix is 16 bytes');
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.receiveId, 'utf8')]);
    const pad = BLOCK - (plain.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16)).setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
  }

  /** The message inside `encrypt`; refuses a ciphertext for another receiveid. */
  decrypt(encrypt: string): string {
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16)).setAutoPadding(false);
      plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
    } catch {
      throw new WecomCryptoError('ciphertext does not decrypt');
    }
    const pad = plain.length > 0 ? plain[plain.length - 1] : 0;
    if (pad < 1 || pad > BLOCK || plain.length < 20 + pad) throw new WecomCryptoError('bad padding');
    const content = plain.subarray(16, plain.length - pad);
    const length = content.readUInt32BE(0);
    if (4 + length > content.length) throw new WecomCryptoError('bad message length');
    const receiveId = content.subarray(4 + length).toString('utf8');
    if (receiveId !== this.receiveId) throw new WecomCryptoError('receiveid does not match');
    return content.subarray(4, 4 + length).toString('utf8');
  }

  /** Checks msg_signature, then decrypts: what an app does with a URL check's echostr and with each post. */
  verifyAndDecrypt(msgSignature: string, timestamp: string, nonce: string, encrypt: string): string {
    const expected = Buffer.from(this.signature(timestamp, nonce, encrypt));
    const given = Buffer.from(msgSignature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new WecomCryptoError('msg_signature mismatch');
    return this.decrypt(encrypt);
  }
}
