import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedGuard } from '../auth/authenticated.guard';
import { ErrorResponse } from './error.response';

export interface AuthenticatedApiErrors {
  /** What a 403 means on this controller. */
  forbidden?: string;
  /** What a 404 means; false when the controller has no lookups. */
  notFound?: string | false;
}

/**
 * A REST controller for the signed-in member: bearer auth enforced, and the error envelopes every
 * such endpoint can answer with documented in OpenAPI.
 */
export function AuthenticatedApi(tag: string, errors: AuthenticatedApiErrors = {}): ClassDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(),
    ApiResponse({ status: 400, type: ErrorResponse, description: 'VALIDATION_FAILED' }),
    ApiResponse({
      status: 401,
      type: ErrorResponse,
      description: 'UNAUTHENTICATED (missing, invalid or revoked access token, member no longer active) or TOKEN_EXPIRED',
    }),
    ApiResponse({ status: 403, type: ErrorResponse, description: errors.forbidden }),
    ...(errors.notFound === false ? [] : [ApiResponse({ status: 404, type: ErrorResponse, description: errors.notFound })]),
    ApiResponse({ status: 503, type: ErrorResponse, description: 'UNAVAILABLE: whether the token was revoked cannot be checked now' }),
    UseGuards(AuthenticatedGuard),
  );
}
