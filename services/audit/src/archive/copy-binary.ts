/**
 * PostgreSQL's binary COPY format (`COPY … FROM STDIN (FORMAT binary)`), for the few column types
 * the archive writes in bulk. Binary, not text: the server parses no hex, no array literal, no
 * timestamp — `array_in` and `byteain` were a quarter of PostgreSQL's time in an ingest of
 * INSERT … unnest($1::bytea[], …) — and the client formats nothing but lengths.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** PostgreSQL's epoch (2000-01-01T00:00:00Z) in Unix milliseconds: timestamptz counts microseconds from it. */
const PG_EPOCH_MS = 946_684_800_000;
const INT8_OID = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `value` is a UUID in the form PostgreSQL prints (lower-case hex, hyphenated): what `uuid` writes byte for byte. */
export const isCanonicalUuid = (value: string) => UUID.test(value);

export class BinaryCopyWriter {
  private buffer: Buffer;
  private at = 0;

  constructor(sizeHint = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(sizeHint, 64));
    this.bytes(SIGNATURE);
    this.int32(0); // flags
    this.int32(0); // header extension length
  }

  /** Starts a row of `fields` columns. */
  row(fields: number): this {
    this.room(2);
    this.buffer.writeInt16BE(fields, this.at);
    this.at += 2;
    return this;
  }

  text(value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    this.room(4 + length);
    this.buffer.writeInt32BE(length, this.at);
    this.at += 4 + this.buffer.write(value, this.at + 4, 'utf8');
    return this;
  }

  /** A bigint given as a JavaScript integer (a safe one) or as its decimal text. */
  int8(value: number | string): this {
    this.room(12);
    this.buffer.writeInt32BE(8, this.at);
    if (typeof value === 'number') this.int64(value, this.at + 4);
    else this.buffer.writeBigInt64BE(BigInt(value), this.at + 4);
    this.at += 12;
    return this;
  }

  /** A canonical UUID (see isCanonicalUuid): 16 bytes. */
  uuid(value: string): this {
    if (!isCanonicalUuid(value)) throw new Error(`not a canonical UUID: ${value}`);
    this.room(20);
    const b = this.buffer;
    const at = this.at + 4;
    b.writeInt32BE(16, this.at);
    b.write(value.slice(0, 8), at, 'hex');
    b.write(value.slice(9, 13), at + 4, 'hex');
    b.write(value.slice(14, 18), at + 6, 'hex');
    b.write(value.slice(19, 23), at + 8, 'hex');
    b.write(value.slice(24, 36), at + 10, 'hex');
    this.at += 20;
    return this;
  }

  /** Microseconds since 2000-01-01 UTC (a JavaScript Date has milliseconds). */
  timestamptz(value: Date): this {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw new Error('invalid date');
    this.room(12);
    this.buffer.writeInt32BE(8, this.at);
    // Within ±285,000 years of 2000 the microseconds are a safe integer.
    this.int64((ms - PG_EPOCH_MS) * 1000, this.at + 4);
    this.at += 12;
    return this;
  }

  bytea(value: Buffer): this {
    this.room(4 + value.length);
    this.buffer.writeInt32BE(value.length, this.at);
    value.copy(this.buffer, this.at + 4);
    this.at += 4 + value.length;
    return this;
  }

  /** A one-dimensional bigint[] whose elements are given as 8 big-endian bytes each (no NULLs). */
  int8Array(elements: readonly Buffer[]): this {
    const header = elements.length === 0 ? 12 : 20;
    const size = header + 12 * elements.length;
    this.room(4 + size);
    const b = this.buffer;
    let at = this.at;
    b.writeInt32BE(size, at);
    b.writeInt32BE(elements.length === 0 ? 0 : 1, at + 4); // dimensions
    b.writeInt32BE(0, at + 8); // has NULLs
    b.writeInt32BE(INT8_OID, at + 12);
    at += 16;
    if (elements.length > 0) {
      b.writeInt32BE(elements.length, at);
      b.writeInt32BE(1, at + 4); // lower bound
      at += 8;
      for (const element of elements) {
        if (element.length !== 8) throw new Error('an int8 element is 8 bytes');
        b.writeInt32BE(8, at);
        element.copy(b, at + 4);
        at += 12;
      }
    }
    this.at = at;
    return this;
  }

  /** The whole COPY payload, trailer included; the writer is done. */
  finish(): Buffer {
    this.room(2);
    this.buffer.writeInt16BE(-1, this.at);
    this.at += 2;
    return this.buffer.subarray(0, this.at);
  }

  /** A safe integer as 8 bytes, two's complement, big-endian: no BigInt on the way. */
  private int64(value: number, at: number): void {
    if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer: ${value}`);
    const high = Math.floor(value / 0x1_0000_0000);
    this.buffer.writeInt32BE(high, at);
    this.buffer.writeUInt32BE(value - high * 0x1_0000_0000, at + 4);
  }

  private int32(value: number): void {
    this.room(4);
    this.buffer.writeInt32BE(value, this.at);
    this.at += 4;
  }

  private bytes(value: Buffer): void {
    this.room(value.length);
    value.copy(this.buffer, this.at);
    this.at += value.length;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}
