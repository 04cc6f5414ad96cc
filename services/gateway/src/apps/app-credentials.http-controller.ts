import { Body, Controller, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AccessTokenClaims } from '../auth/access-tokens';
import { AuthenticatedGuard } from '../auth/authenticated.guard';
import { Caller } from '../auth/caller.decorator';
import { ErrorResponse } from '../http/error.response';
import { AgentidParam } from '../http/params';
import { OpenApiApp } from './app-credentials.repository';
import { AppCredentialsService } from './app-credentials.service';
import {
  AppListResponse,
  AppResponse,
  AppWithSecretResponse,
  CreateAppRequest,
  SyncSecretResponse,
  UpdateAppRequest,
  VisibleRangeDto,
} from './dto/app-credentials.dto';
import { SuperAdminGuard } from './super-admin.guard';

const toApp = (app: OpenApiApp): AppResponse => ({
  agentid: app.agentid,
  name: app.name,
  description: app.description,
  visibleRange: app.visibleRange,
  createdAt: app.createdAt.toISOString(),
  secretRotatedAt: app.secretRotatedAt.toISOString(),
});

const toRange = (r: VisibleRangeDto | undefined) =>
  r && { userids: r.userids ?? [], departmentIds: r.departmentIds ?? [], tagIds: r.tagIds ?? [] };

/**
 * Self-built apps of the WeCom-compatible API (`/cgi-bin/gettoken`, message/send…) with their
 * visible range, and the directory-sync secret; managed by a corp's super admin. A secret is shown
 * once, at creation or rotation, never in a listing.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse, description: 'FORBIDDEN: not a super admin' })
@UseGuards(AuthenticatedGuard, SuperAdminGuard)
@Controller('api/v1/admin')
export class AppCredentialsHttpController {
  constructor(private readonly credentials: AppCredentialsService) {}

  @Post('apps')
  @ApiCreatedResponse({ type: AppWithSecretResponse, description: 'The app and its secret, shown only now' })
  async createApp(@Caller() caller: AccessTokenClaims, @Body() body: CreateAppRequest): Promise<AppWithSecretResponse> {
    const { app, secret } = await this.credentials.createApp(caller, { ...body, visibleRange: toRange(body.visibleRange) });
    return { ...toApp(app), secret };
  }

  @Get('apps/:agentid')
  @ApiOkResponse({ type: AppResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async getApp(@Caller() caller: AccessTokenClaims, @Param() params: AgentidParam): Promise<AppResponse> {
    return toApp(await this.credentials.getApp(caller, params.agentid));
  }

  @Patch('apps/:agentid')
  @ApiOkResponse({ type: AppResponse, description: 'Name, description or the whole visible range changed' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async updateApp(
    @Caller() caller: AccessTokenClaims,
    @Param() params: AgentidParam,
    @Body() body: UpdateAppRequest,
  ): Promise<AppResponse> {
    return toApp(await this.credentials.updateApp(caller, params.agentid, { ...body, visibleRange: toRange(body.visibleRange) }));
  }

  @Get('apps')
  @ApiOkResponse({ type: AppListResponse })
  async listApps(@Caller() caller: AccessTokenClaims): Promise<AppListResponse> {
    return { apps: (await this.credentials.listApps(caller)).map(toApp) };
  }

  @Post('apps/:agentid/secret')
  @HttpCode(200)
  @ApiOkResponse({ type: AppWithSecretResponse, description: "A new secret; the old one and the app's tokens stop working" })
  async rotateAppSecret(@Caller() caller: AccessTokenClaims, @Param() params: AgentidParam): Promise<AppWithSecretResponse> {
    const { app, secret } = await this.credentials.rotateAppSecret(caller, params.agentid);
    return { ...toApp(app), secret };
  }

  @Post('sync-secret')
  @HttpCode(200)
  @ApiOkResponse({ type: SyncSecretResponse })
  async rotateSyncSecret(@Caller() caller: AccessTokenClaims): Promise<SyncSecretResponse> {
    return { secret: await this.credentials.rotateSyncSecret(caller) };
  }
}
