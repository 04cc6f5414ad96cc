import { PassThrough, Readable } from 'node:stream';

export type ContentKind = 'image' | 'audio' | 'video' | 'executable';

export interface Sniffed {
  kind: ContentKind;
  mime: string;
}

/** Every signature below sits in the first bytes; 64 leave room for the ISO-BMFF brand. */
export const SNIFF_BYTES = 64;

const ascii = (bytes: Buffer, offset: number, text: string) => bytes.subarray(offset, offset + text.length).toString('latin1') === text;
const starts = (bytes: Buffer, ...values: number[]) => values.every((v, i) => bytes[i] === v);

/** ISO base media files (MP4, MOV, HEIC, M4A…): a `ftyp` box whose major brand names the format. */
function isoBrand(bytes: Buffer): Sniffed | undefined {
  if (!ascii(bytes, 4, 'ftyp')) return undefined;
  const brand = bytes.subarray(8, 12).toString('latin1');
  if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return { kind: 'image', mime: 'image/heic' };
  if (brand === 'avif' || brand === 'avis') return { kind: 'image', mime: 'image/avif' };
  if (brand === 'M4A ' || brand === 'M4B ') return { kind: 'audio', mime: 'audio/mp4' };
  if (brand === 'qt  ') return { kind: 'video', mime: 'video/quicktime' };
  if (brand.startsWith('3g')) return { kind: 'video', mime: 'video/3gpp' };
  return { kind: 'video', mime: 'video/mp4' };
}

/**
 * What the first bytes of a file say it is, whatever its name and declared type claim: a `.exe`
 * renamed `photo.png` is still a Windows program. Only formats chat clients send are recognised;
 * anything else is undefined.
 */
export function sniff(bytes: Buffer): Sniffed | undefined {
  if (starts(bytes, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { kind: 'image', mime: 'image/png' };
  if (starts(bytes, 0xff, 0xd8, 0xff)) return { kind: 'image', mime: 'image/jpeg' };
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return { kind: 'image', mime: 'image/gif' };
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return { kind: 'image', mime: 'image/webp' };
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE')) return { kind: 'audio', mime: 'audio/wav' };
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'AVI ')) return { kind: 'video', mime: 'video/x-msvideo' };
  // BMP: the two reserved header words are zero.
  if (ascii(bytes, 0, 'BM') && bytes.length >= 10 && bytes.readUInt32LE(6) === 0) return { kind: 'image', mime: 'image/bmp' };
  if (ascii(bytes, 0, '#!AMR-WB\n')) return { kind: 'audio', mime: 'audio/amr-wb' };
  if (ascii(bytes, 0, '#!AMR\n')) return { kind: 'audio', mime: 'audio/amr' };
  // WeChat's voice codec, with or without its leading 0x02.
  if (ascii(bytes, 0, '#!SILK_V3') || ascii(bytes, 1, '#!SILK_V3')) return { kind: 'audio', mime: 'audio/silk' };
  if (ascii(bytes, 0, 'OggS')) return { kind: 'audio', mime: 'audio/ogg' };
  if (ascii(bytes, 0, 'ID3') || (bytes[0] === 0xff && bytes.length > 1 && (bytes[1] & 0xe0) === 0xe0 && (bytes[1] & 0x06) !== 0))
    return { kind: 'audio', mime: 'audio/mpeg' };
  if (ascii(bytes, 0, 'fLaC')) return { kind: 'audio', mime: 'audio/flac' };
  // Matroska / WebM (browsers record voice as WebM/Opus too; the upload type decides).
  if (starts(bytes, 0x1a, 0x45, 0xdf, 0xa3)) return { kind: 'video', mime: 'video/webm' };
  const iso = isoBrand(bytes);
  if (iso) return iso;
  if (ascii(bytes, 0, 'MZ')) return { kind: 'executable', mime: 'application/vnd.microsoft.portable-executable' };
  if (starts(bytes, 0x7f, 0x45, 0x4c, 0x46)) return { kind: 'executable', mime: 'application/x-elf' };
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(bytes.length >= 4 ? bytes.readUInt32BE(0) : 0))
    return { kind: 'executable', mime: 'application/x-mach-binary' };
  return undefined;
}

/**
 * The first `bytes` of a stream (fewer if it ends sooner) to judge before anything is stored, and
 * the whole stream again, head included, to store.
 */
export async function peek(stream: Readable, bytes = SNIFF_BYTES): Promise<{ head: Buffer; body: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  await new Promise<void>((resolve, reject) => {
    const settle = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', reject);
      resolve();
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while (size < bytes && (chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        size += chunk.length;
      }
      if (size >= bytes) settle();
    };
    const onEnd = () => {
      ended = true;
      settle();
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', reject);
  });
  const head = Buffer.concat(chunks);
  // A plain pipe, not an iterator: whoever gives up on `body` leaves `stream` intact (unpiped), so
  // the multipart parser that feeds it can still be drained to the end of the request.
  const body = new PassThrough();
  body.write(head);
  if (ended) body.end();
  else {
    stream.once('error', (error) => body.destroy(error));
    stream.pipe(body);
  }
  return { head: head.subarray(0, bytes), body };
}
