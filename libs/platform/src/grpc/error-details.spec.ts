import { Metadata } from '@grpc/grpc-js';
import { decodeErrorDetails, encodeErrorDetails } from './error-details';
import { ERROR_DETAILS_HEADER } from './grpc-server';

describe('error details in gRPC metadata', () => {
  const awkward = { userid: '张三', name: 'ok 👍', control: 'a\u0000b\n', quote: '"\\', n: 7, nested: { list: ['不存在'] } };

  it('encodes details with user text as a value grpc-js accepts', () => {
    // The defect: the raw JSON of these details is refused outright.
    expect(() => new Metadata().set(ERROR_DETAILS_HEADER, JSON.stringify(awkward))).toThrow(/illegal characters/);
    const encoded = encodeErrorDetails(awkward);
    expect(encoded).toMatch(/^[\x20-\x7e]*$/);
    const metadata = new Metadata();
    metadata.set(ERROR_DETAILS_HEADER, encoded);
    expect(decodeErrorDetails(metadata.get(ERROR_DETAILS_HEADER)[0])).toEqual(awkward);
  });

  it('decodes nothing from a missing or malformed header', () => {
    expect(decodeErrorDetails(undefined)).toBeUndefined();
    expect(decodeErrorDetails('{not json')).toBeUndefined();
    expect(decodeErrorDetails('[1]')).toBeUndefined();
    expect(decodeErrorDetails(Buffer.from('{}'))).toBeUndefined();
  });
});
