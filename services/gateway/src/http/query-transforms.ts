import { Transform } from 'class-transformer';

/** A query-string boolean: true/false/1/0; anything else is left for IsBoolean to refuse. */
export const BooleanQuery = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === 'true' || value === '1' || value === true) return true;
    if (value === 'false' || value === '0' || value === false) return false;
    return value;
  });
