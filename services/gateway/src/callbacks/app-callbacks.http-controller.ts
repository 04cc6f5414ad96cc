import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SuperAdminGuard } from '../apps/super-admin.guard';
import { AccessTokenClaims } from '../auth/access-tokens';
import { AuthenticatedGuard } from '../auth/authenticated.guard';
import { Caller } from '../auth/caller.decorator';
import { ErrorResponse } from '../http/error.response';
import { AgentidParam } from '../http/params';
import { AppCallback } from './app-callbacks.repository';
import { AppCallbacksService } from './app-callbacks.service';
import { CallbackDelivery } from './callback-deliveries.repository';
import {
  AppCallbackResponse,
  CallbackDeliveryListResponse,
  CallbackDeliveryResponse,
  DeliveriesQuery,
  SetAppCallbackRequest,
} from './dto/app-callbacks.dto';

const toCallback = (c: AppCallback): AppCallbackResponse => ({
  agentid: c.agentid,
  url: c.url,
  verifiedAt: c.verifiedAt.toISOString(),
  updatedBy: c.updatedBy,
});

const toDelivery = (d: CallbackDelivery): CallbackDeliveryResponse => ({
  id: d.id,
  agentid: d.agentid,
  eventType: d.eventType,
  eventId: d.eventId,
  status: d.status,
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
  failedAt: d.failedAt?.toISOString() ?? null,
});

/** An app's event-callback endpoint (URL, Token, EncodingAESKey) and what was delivered to it. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiResponse({
  status: 400,
  type: ErrorResponse,
  description: 'VALIDATION_FAILED (details.reason CALLBACK_URL_INVALID, CALLBACK_URL_NOT_ALLOWED)',
})
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse, description: 'FORBIDDEN: not a super admin' })
@ApiResponse({ status: 404, type: ErrorResponse, description: 'NOT_FOUND: no such app, or no callback' })
@UseGuards(AuthenticatedGuard, SuperAdminGuard)
@Controller('api/v1/admin')
export class AppCallbacksHttpController {
  constructor(private readonly callbacks: AppCallbacksService) {}

  @Put('apps/:agentid/callback')
  @ApiOkResponse({ type: AppCallbackResponse })
  @ApiResponse({
    status: 412,
    type: ErrorResponse,
    description: 'PRECONDITION_FAILED, details.reason CALLBACK_URL_CHECK_FAILED: the URL did not answer the URL check; nothing was saved',
  })
  async setCallback(@Caller() caller: AccessTokenClaims, @Param() { agentid }: AgentidParam, @Body() body: SetAppCallbackRequest) {
    return toCallback(await this.callbacks.configure(caller, agentid, body));
  }

  @Get('apps/:agentid/callback')
  @ApiOkResponse({ type: AppCallbackResponse, description: 'Token and EncodingAESKey are never shown again' })
  async getCallback(@Caller() caller: AccessTokenClaims, @Param() { agentid }: AgentidParam): Promise<AppCallbackResponse> {
    return toCallback(await this.callbacks.get(caller, agentid));
  }

  @Delete('apps/:agentid/callback')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'No more callbacks to this app; queued ones fail' })
  async removeCallback(@Caller() caller: AccessTokenClaims, @Param() { agentid }: AgentidParam): Promise<void> {
    await this.callbacks.remove(caller, agentid);
  }

  @Get('callback-deliveries')
  @ApiOkResponse({ type: CallbackDeliveryListResponse, description: 'Newest first; `failed` ones exhausted their tries' })
  async listDeliveries(@Caller() caller: AccessTokenClaims, @Query() q: DeliveriesQuery): Promise<CallbackDeliveryListResponse> {
    const deliveries = await this.callbacks.listDeliveries(caller, { agentid: q.agentid, status: q.status }, q.limit ?? 100);
    return { deliveries: deliveries.map(toDelivery) };
  }
}
