import { cleanName, contentTypeFor } from './media-rules';
import { sniff } from './media-sniff';
import { contentDisposition } from './media.mapper';

/** What a call throws, for matching its code and details. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('media content checks', () => {
  it.each<[string, Buffer, string | undefined]>([
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'rest'), 'image/png'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ['GIF', bytes('GIF89a....'), 'image/gif'],
    ['WebP', bytes('RIFF\x00\x00\x00\x00WEBPVP8 '), 'image/webp'],
    ['HEIC', bytes([0, 0, 0, 0x18], 'ftypheic'), 'image/heic'],
    ['AMR voice', bytes('#!AMR\n...'), 'audio/amr'],
    ['SILK voice', bytes([0x02], '#!SILK_V3'), 'audio/silk'],
    ['MP3 with ID3', bytes('ID3\x04'), 'audio/mpeg'],
    ['M4A', bytes([0, 0, 0, 0x20], 'ftypM4A '), 'audio/mp4'],
    ['MP4', bytes([0, 0, 0, 0x20], 'ftypisom'), 'video/mp4'],
    ['QuickTime', bytes([0, 0, 0, 0x14], 'ftypqt  '), 'video/quicktime'],
    ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3]), 'video/webm'],
    ['a Windows program', bytes('MZ\x90\x00'), 'application/vnd.microsoft.portable-executable'],
    ['an ELF binary', bytes([0x7f], 'ELF'), 'application/x-elf'],
    ['plain text', bytes('hello, world'), undefined],
  ])('recognises %s by its first bytes', (_, head, mime) => {
    expect(sniff(head)?.mime).toBe(mime);
  });

  it('decides the type of image, voice and video by the bytes, whatever the client declared', () => {
    const png = sniff(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const program = sniff(bytes('MZ\x90\x00'));
    expect(contentTypeFor('image', png, 'application/x-msdownload', [])).toBe('image/png');
    expect(thrown(() => contentTypeFor('image', program, 'image/png', []))).toMatchObject({ details: { reason: 'CONTENT_MISMATCH' } });
    expect(() => contentTypeFor('video', png, 'video/mp4', [])).toThrow('the content is not a video');
    // Browsers record voice as WebM/Opus.
    expect(contentTypeFor('voice', sniff(bytes([0x1a, 0x45, 0xdf, 0xa3])), '', [])).toBe('audio/webm');
  });

  it("keeps a file's declared type unless its bytes say more, and refuses programs where .exe is blocked", () => {
    expect(contentTypeFor('file', undefined, 'application/PDF', [])).toBe('application/pdf');
    expect(contentTypeFor('file', undefined, 'not a type', [])).toBe('application/octet-stream');
    expect(contentTypeFor('file', sniff(bytes([0xff, 0xd8, 0xff])), 'text/plain', [])).toBe('image/jpeg');
    const program = sniff(bytes('MZ\x90\x00'));
    expect(() => contentTypeFor('file', program, 'application/pdf', ['exe'])).toThrow('executable programs may not be uploaded');
    expect(contentTypeFor('file', program, 'application/pdf', [])).toBe('application/vnd.microsoft.portable-executable');
  });

  it('keeps only the display name of an upload', () => {
    expect(cleanName('C:\\Users\\li\\报告.pdf', 'file', 'application/pdf')).toBe('报告.pdf');
    expect(cleanName('../../etc/passwd', 'file', 'text/plain')).toBe('passwd');
    expect(cleanName('a\u0000b\nc.txt', 'file', 'text/plain')).toBe('abc.txt');
    expect(cleanName(undefined, 'image', 'image/png')).toBe('image.png');
    expect(cleanName('x'.repeat(300), 'file', 'text/plain')).toHaveLength(255);
  });

  it('offers any name as a download name (RFC 6266 / RFC 5987)', () => {
    expect(contentDisposition('attachment', '季度报告 "final".pdf')).toBe(
      `attachment; filename="____ _final_.pdf"; filename*=UTF-8''%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%20%22final%22.pdf`,
    );
    expect(contentDisposition('inline', "it's (1).png")).toBe(`inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`);
  });
});
