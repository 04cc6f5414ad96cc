import { DynamicModule, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { KV_STORE, KvStore } from '@atrium/platform';
import { AppCredentialsHttpController } from './apps/app-credentials.http-controller';
import { AppCredentialsRepository } from './apps/app-credentials.repository';
import { AppCredentialsService } from './apps/app-credentials.service';
import { SuperAdminGuard } from './apps/super-admin.guard';
import { AccessTokens } from './auth/access-tokens';
import { AuthHttpController } from './auth/auth.http-controller';
import { AuthService } from './auth/auth.service';
import { AuthenticatedGuard } from './auth/authenticated.guard';
import { BearerAuthenticator } from './auth/bearer-authenticator';
import { LoginThrottle } from './auth/login-throttle';
import { RefreshTokensRepository } from './auth/refresh-tokens.repository';
import { SessionRevocations } from './auth/session-revocations';
import { ServiceClients } from './clients/service-clients';
import { GATEWAY_CONFIG, GatewayConfig } from './config';
import { KnownCorpsConsumer } from './corps/known-corps.consumer';
import { KnownCorpsRepository } from './corps/known-corps.repository';
import { KnownCorpsService } from './corps/known-corps.service';
import { AdminScopesHttpController } from './directory/admin-scopes.http-controller';
import { DepartmentsHttpController } from './directory/departments.http-controller';
import { ExternalContactsHttpController } from './directory/external-contacts.http-controller';
import { ImportsHttpController } from './directory/imports.http-controller';
import { MembersHttpController } from './directory/members.http-controller';
import { TagsHttpController } from './directory/tags.http-controller';
import { GatewayOpsHttpController } from './health/gateway-ops.http-controller';
import { MeHttpController } from './me/me.http-controller';
import { ConversationsHttpController } from './messaging/conversations.http-controller';
import { MessagesHttpController } from './messaging/messages.http-controller';
import { WsGateway } from './realtime/ws.gateway';
import { MemberSessionsConsumer } from './sessions/member-sessions.consumer';
import { MemberSessionsService } from './sessions/member-sessions.service';
import { WecomAccessGuard } from './wecom/wecom-access.guard';
import { WecomDepartmentsHttpController } from './wecom/wecom-departments.http-controller';
import { WecomExceptionFilter } from './wecom/wecom-exception.filter';
import { WecomFallbackHttpController } from './wecom/wecom-fallback.http-controller';
import { WecomTokenHttpController } from './wecom/wecom-token.http-controller';
import { WecomTokens } from './wecom/wecom-tokens';
import { WecomUsersHttpController } from './wecom/wecom-users.http-controller';

@Module({})
export class GatewayModule implements OnModuleDestroy {
  constructor(@Inject(ServiceClients) private readonly clients: ServiceClients) {}

  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [
        AuthHttpController,
        MeHttpController,
        GatewayOpsHttpController,
        DepartmentsHttpController,
        MembersHttpController,
        TagsHttpController,
        AdminScopesHttpController,
        ExternalContactsHttpController,
        ImportsHttpController,
        AppCredentialsHttpController,
        ConversationsHttpController,
        MessagesHttpController,
        WecomTokenHttpController,
        WecomDepartmentsHttpController,
        WecomUsersHttpController,
        // Last: it answers every /cgi-bin/ path the controllers above do not serve.
        WecomFallbackHttpController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: ServiceClients, useFactory: () => new ServiceClients(config) },
        BearerAuthenticator,
        WsGateway,
        {
          provide: AccessTokens,
          useFactory: () =>
            new AccessTokens({
              secret: config.JWT_SECRET,
              issuer: config.JWT_ISSUER,
              audience: config.JWT_AUDIENCE,
              ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
            }),
        },
        {
          provide: SessionRevocations,
          inject: [KV_STORE],
          useFactory: (kv: KvStore) => new SessionRevocations(kv, config.ACCESS_TOKEN_TTL_SECONDS),
        },
        {
          provide: LoginThrottle,
          inject: [KV_STORE],
          useFactory: (kv: KvStore) =>
            new LoginThrottle(kv, {
              maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
              maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
              windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
            }),
        },
        {
          provide: WecomTokens,
          inject: [KV_STORE],
          useFactory: (kv: KvStore) => new WecomTokens(kv, config.WECOM_ACCESS_TOKEN_TTL_SECONDS),
        },
        RefreshTokensRepository,
        AuthService,
        AuthenticatedGuard,
        SuperAdminGuard,
        MemberSessionsService,
        MemberSessionsConsumer,
        KnownCorpsRepository,
        KnownCorpsService,
        KnownCorpsConsumer,
        AppCredentialsRepository,
        AppCredentialsService,
        WecomAccessGuard,
        WecomExceptionFilter,
      ],
    };
  }

  onModuleDestroy(): Promise<void> {
    return this.clients.close();
  }
}
