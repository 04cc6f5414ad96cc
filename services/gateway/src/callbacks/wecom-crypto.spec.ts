import { createDecipheriv } from 'node:crypto';
import { isEncodingAesKey, WecomCrypto, WecomCryptoError } from './wecom-crypto';

/**
 * The known vectors come from WeCom's official callback sample (WXBizMsgCrypt by jonyqin):
 * https://github.com/sbzhu/weworkapi_python/blob/master/callback/Sample.py — example one (VerifyURL)
 * and example two (DecryptMsg), with the sample's Token, EncodingAESKey and CorpID.
 */
const SAMPLE = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
  verifyUrl: {
    msgSignature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
    timestamp: '1476416373',
    nonce: '47744683',
    echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
  },
  decryptMsg: {
    msgSignature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
    timestamp: '1476422779',
    nonce: '1597212914',
    encrypt:
      'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
    message:
      '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
  },
};

const sample = () => new WecomCrypto(SAMPLE.token, SAMPLE.encodingAesKey, SAMPLE.corpId);

/** The 16 random bytes a ciphertext starts with, read independently of the class under test. */
function randomPrefixOf(encrypt: string): Buffer {
  const key = Buffer.from(`${SAMPLE.encodingAesKey}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]).subarray(0, 16);
}

describe('WeCom callback crypto (WXBizMsgCrypt)', () => {
  it("verifies the official sample's URL check and decrypts its echostr", () => {
    const { msgSignature, timestamp, nonce, echostr } = SAMPLE.verifyUrl;
    expect(sample().signature(timestamp, nonce, echostr)).toBe(msgSignature);
    expect(sample().verifyAndDecrypt(msgSignature, timestamp, nonce, echostr)).toBe('1288432023552776189');
  });

  it("signs and decrypts the official sample's encrypted message", () => {
    const { msgSignature, timestamp, nonce, encrypt, message } = SAMPLE.decryptMsg;
    expect(sample().signature(timestamp, nonce, encrypt)).toBe(msgSignature);
    expect(sample().verifyAndDecrypt(msgSignature, timestamp, nonce, encrypt)).toBe(message);
  });

  it("reproduces the official sample's ciphertext byte for byte from the same random prefix", () => {
    const { encrypt, message } = SAMPLE.decryptMsg;
    expect(sample().encrypt(message, randomPrefixOf(encrypt))).toBe(encrypt);
  });

  it('round-trips messages of every padding length, Chinese text included', () => {
    const crypto = new WecomCrypto('token123', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', 'corp-1');
    for (let n = 0; n <= 70; n++) {
      const message = '点'.repeat(n % 7) + 'x'.repeat(n);
      const encrypt = crypto.encrypt(message);
      expect(Buffer.from(encrypt, 'base64').length % 32).toBe(0);
      expect(crypto.decrypt(encrypt)).toBe(message);
    }
    // Fresh random bytes each time: the same message never encrypts the same twice.
    expect(crypto.encrypt('same')).not.toBe(crypto.encrypt('same'));
  });

  it('refuses a forged signature, another corp, a tampered ciphertext and a malformed key', () => {
    const { timestamp, nonce, encrypt } = SAMPLE.decryptMsg;
    expect(() => sample().verifyAndDecrypt('0'.repeat(40), timestamp, nonce, encrypt)).toThrow(WecomCryptoError);
    expect(() => new WecomCrypto(SAMPLE.token, SAMPLE.encodingAesKey, 'ww-someone-else').decrypt(encrypt)).toThrow('receiveid');
    const tampered = Buffer.from(encrypt, 'base64');
    tampered[tampered.length - 1] ^= 0xff;
    expect(() => sample().decrypt(tampered.toString('base64'))).toThrow(WecomCryptoError);
    expect(isEncodingAesKey(SAMPLE.encodingAesKey)).toBe(true);
    expect(isEncodingAesKey(SAMPLE.encodingAesKey.slice(1))).toBe(false);
    expect(isEncodingAesKey(`${SAMPLE.encodingAesKey.slice(1)}+`)).toBe(false);
    expect(() => new WecomCrypto('t', 'short', 'c')).toThrow(WecomCryptoError);
  });
});
