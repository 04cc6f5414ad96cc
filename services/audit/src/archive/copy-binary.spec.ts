import { BinaryCopyWriter, isCanonicalUuid } from './copy-binary';

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);
/** The payload of one row, between header and trailer. */
const rowOf = (build: (w: BinaryCopyWriter) => void) => {
  const writer = new BinaryCopyWriter(8);
  build(writer);
  const all = writer.finish();
  expect(all.subarray(0, HEADER.length).equals(HEADER)).toBe(true);
  expect(all.subarray(all.length - 2).equals(TRAILER)).toBe(true);
  return all.subarray(HEADER.length, all.length - 2).toString('hex');
};

describe('binary COPY writer', () => {
  it('writes a row: its field count, then each field as a length and bytes', () => {
    expect(
      rowOf((w) =>
        w
          .row(2)
          .text('é')
          .bytea(Buffer.from([0, 1, 255])),
      ),
    ).toBe('0002' + '00000002c3a9' + '00000003' + '0001ff');
  });

  it('writes bigints as 8 bytes, two’s complement, from numbers and from decimal text', () => {
    expect(rowOf((w) => w.row(1).int8(1))).toBe('0001' + '00000008' + '0000000000000001');
    expect(rowOf((w) => w.row(1).int8(-2))).toBe('0001' + '00000008' + 'fffffffffffffffe');
    expect(rowOf((w) => w.row(1).int8(2 ** 40 + 5))).toBe('0001' + '00000008' + '0000010000000005');
    expect(rowOf((w) => w.row(1).int8('-9223372036854775808'))).toBe('0001' + '00000008' + '8000000000000000');
    expect(() => rowOf((w) => w.row(1).int8(2 ** 53))).toThrow(/safe integer/);
  });

  it('writes timestamptz as microseconds since 2000-01-01 UTC', () => {
    expect(rowOf((w) => w.row(1).timestamptz(new Date('2000-01-01T00:00:00.001Z')))).toBe('0001' + '00000008' + '00000000000003e8');
    expect(rowOf((w) => w.row(1).timestamptz(new Date('1999-12-31T23:59:59.999Z')))).toBe('0001' + '00000008' + 'fffffffffffffc18');
    expect(() => rowOf((w) => w.row(1).timestamptz(new Date('nope')))).toThrow();
  });

  it('writes canonical UUIDs as their 16 bytes and refuses other spellings', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(rowOf((w) => w.row(1).uuid(id))).toBe('0001' + '00000010' + id.replace(/-/g, ''));
    expect(isCanonicalUuid(id.toUpperCase())).toBe(false);
    expect(() => rowOf((w) => w.row(1).uuid(`{${id}}`))).toThrow(/canonical UUID/);
  });

  it('writes bigint[] with its header (one dimension, no NULLs, int8) or as an empty array', () => {
    const one = Buffer.from('0000000000000001', 'hex');
    const minus = Buffer.from('ffffffffffffffff', 'hex');
    expect(rowOf((w) => w.row(1).int8Array([one, minus]))).toBe(
      '0001' +
        '0000002c' +
        '00000001' +
        '00000000' +
        '00000014' +
        '00000002' +
        '00000001' +
        '00000008' +
        one.toString('hex') +
        '00000008' +
        minus.toString('hex'),
    );
    expect(rowOf((w) => w.row(1).int8Array([]))).toBe('0001' + '0000000c' + '00000000' + '00000000' + '00000014');
  });

  it('grows past its first buffer', () => {
    const writer = new BinaryCopyWriter(8);
    for (let i = 0; i < 1_000; i++) writer.row(1).bytea(Buffer.alloc(100, i % 256));
    expect(writer.finish()).toHaveLength(HEADER.length + 1_000 * (2 + 4 + 100) + 2);
  });
});
