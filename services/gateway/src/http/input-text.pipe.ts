import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { findInputFault, InputFault, ValidationError } from '@atrium/platform';

/** The refusal of input that breaks the text rules, in the same shape as the ValidationPipe's. */
function inputFaultError(fault: InputFault): ValidationError {
  return new ValidationError(`${fault.field}: ${fault.reason}`, { fields: [{ field: fault.field, reasons: [fault.reason] }] });
}

/**
 * The REST edge's one check of what text it accepts (see findInputFault): every parsed body, query
 * and path parameter, before the ValidationPipe, whose recursion a deeply nested body would
 * overflow. Custom parameters (the caller, WeCom DTOs, upload streams) are not user JSON.
 */
@Injectable()
export class InputTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const fault = findInputFault(value, metadata.data ?? '');
    if (fault) throw inputFaultError(fault);
    return value;
  }
}
