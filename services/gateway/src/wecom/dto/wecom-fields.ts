import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsArray, IsInt } from 'class-validator';

export const INT32_MAX = 2_147_483_647;
export const ORDER_MAX = 4_294_967_295;
/** WeCom's rule for department names: none of \ : * ? " < > |. */
export const DEPARTMENT_NAME = /^[^\\:*?"<>|]*$/;
/** WeCom's rule for userids: 1-64 of letters, digits and _-@., starting with a letter or digit. */
export const USERID = /^[0-9A-Za-z][0-9A-Za-z_\-@.]{0,63}$/;

// An empty query parameter (`?id=`) counts as absent.
const toInt = (value: unknown) => {
  if (value === '') return undefined;
  return typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value;
};

/** An integer, also when sent as a digit string ("parentid": "1" works on WeCom). */
export const WecomInt = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => toInt(value)),
    IsInt(),
  );

export const WecomIntArray = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map(toInt) : value)),
    IsArray(),
    IsInt({ each: true }),
  );
