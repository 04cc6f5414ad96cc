import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorResponse } from '../http/error.response';
import { AccessTokenClaims } from './access-tokens';
import { AuthService } from './auth.service';
import { AuthenticatedGuard } from './authenticated.guard';
import { Caller } from './caller.decorator';
import { LoginRequest } from './dto/login.request';
import { RefreshRequest } from './dto/refresh.request';
import { TokenResponse } from './dto/token.response';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthHttpController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  @ApiResponse({ status: 400, type: ErrorResponse, description: 'VALIDATION_FAILED' })
  @ApiResponse({ status: 401, type: ErrorResponse, description: 'INVALID_CREDENTIALS' })
  @ApiResponse({ status: 403, type: ErrorResponse, description: 'ACCOUNT_DISABLED' })
  @ApiResponse({ status: 429, type: ErrorResponse, description: 'RATE_LIMITED, with Retry-After' })
  login(@Body() body: LoginRequest, @Req() req: Request): Promise<TokenResponse> {
    return this.auth.login(body.corp, body.account, body.password, req.ip ?? 'unknown');
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  @ApiResponse({ status: 401, type: ErrorResponse, description: 'UNAUTHENTICATED, TOKEN_EXPIRED or REFRESH_TOKEN_REUSED' })
  refresh(@Body() body: RefreshRequest): Promise<TokenResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(AuthenticatedGuard)
  @ApiResponse({ status: 204, description: 'The session and all its tokens are revoked' })
  @ApiResponse({ status: 401, type: ErrorResponse })
  logout(@Caller() caller: AccessTokenClaims): Promise<void> {
    return this.auth.logout(caller, caller.sessionId);
  }
}
