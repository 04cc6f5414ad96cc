import { DynamicModule, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { KV_STORE, KvStore, TRANSACTIONS, TransactionRunner } from '@atrium/platform';
import { AppAudience } from './apps/app-audience';
import { AppCredentialsHttpController } from './apps/app-credentials.http-controller';
import { AppCredentialsRepository } from './apps/app-credentials.repository';
import { AppCredentialsService } from './apps/app-credentials.service';
import { AppMessagingService } from './apps/app-messaging.service';
import { AppCallbacksHttpController } from './callbacks/app-callbacks.http-controller';
import { AppCallbacksRepository } from './callbacks/app-callbacks.repository';
import { AppCallbacksService } from './callbacks/app-callbacks.service';
import { CallbackDeliveriesRepository } from './callbacks/callback-deliveries.repository';
import { CallbackDeliveryWorker } from './callbacks/callback-delivery.worker';
import { CallbackHttp } from './callbacks/callback-http';
import { CALLBACK_SETTINGS, callbackSettings } from './callbacks/callback-settings';
import { CardClicksConsumer } from './callbacks/card-clicks.consumer';
import { CardActionsHttpController } from './messaging/card-actions.http-controller';
import { WecomCardsHttpController } from './wecom/wecom-cards.http-controller';
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
import { COMPLIANCE_CONTROLLERS, COMPLIANCE_PROVIDERS } from './compliance';
import { GATEWAY_CONFIG, GatewayConfig } from './config';
import { KnownCorpsCatchUp } from './corps/known-corps.catch-up';
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
import { BLOB_STORE, createBlobStore } from './media/blob-store.factory';
import { MediaHttpController } from './media/media.http-controller';
import { MediaService } from './media/media.service';
import { ConversationsHttpController } from './messaging/conversations.http-controller';
import { MessagesHttpController } from './messaging/messages.http-controller';
import { MessagingFeaturesHttpController } from './messaging/messaging-features.http-controller';
import { CorpPolicyHttpController } from './messaging/corp-policy.http-controller';
import { SocketSends } from './realtime/socket-sends';
import { WsGateway } from './realtime/ws.gateway';
import { MemberSessionsConsumer } from './sessions/member-sessions.consumer';
import { MemberSessionsService } from './sessions/member-sessions.service';
import { WecomAccessGuard } from './wecom/wecom-access.guard';
import { WecomAppchatHttpController } from './wecom/wecom-appchat.http-controller';
import { WecomDepartmentsHttpController } from './wecom/wecom-departments.http-controller';
import { WecomExceptionFilter } from './wecom/wecom-exception.filter';
import { WecomFallbackHttpController } from './wecom/wecom-fallback.http-controller';
import { WecomMediaHttpController } from './wecom/wecom-media.http-controller';
import { WecomMessagesHttpController } from './wecom/wecom-messages.http-controller';
import { WecomMsgauditHttpController } from './wecom/wecom-msgaudit.http-controller';
import { WecomMsgauditService } from './wecom/wecom-msgaudit.service';
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
        MessagingFeaturesHttpController,
        CorpPolicyHttpController,
        WecomTokenHttpController,
        WecomDepartmentsHttpController,
        WecomUsersHttpController,
        AppCallbacksHttpController,
        CardActionsHttpController,
        WecomCardsHttpController,
        WecomMessagesHttpController,
        WecomAppchatHttpController,
        ...COMPLIANCE_CONTROLLERS,
        MediaHttpController,
        WecomMediaHttpController,
        WecomMsgauditHttpController,
        // Last: it answers every /cgi-bin/ path the controllers above do not serve.
        WecomFallbackHttpController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: ServiceClients, useFactory: () => new ServiceClients(config) },
        { provide: BLOB_STORE, useFactory: () => createBlobStore(config) },
        MediaService,
        WecomMsgauditService,
        BearerAuthenticator,
        WsGateway,
        SocketSends,
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
          inject: [KV_STORE, TRANSACTIONS, RefreshTokensRepository],
          useFactory: (kv: KvStore, transactions: TransactionRunner, refreshTokens: RefreshTokensRepository) =>
            new SessionRevocations(kv, refreshTokens, () => transactions.manager, {
              accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
              liveCacheSeconds: 60,
              cacheTimeoutMs: 500,
            }),
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
        KnownCorpsCatchUp,
        AppCredentialsRepository,
        AppCredentialsService,
        AppAudience,
        AppMessagingService,
        WecomAccessGuard,
        WecomExceptionFilter,
        ...COMPLIANCE_PROVIDERS,
        { provide: CALLBACK_SETTINGS, useValue: callbackSettings(config) },
        {
          provide: CallbackHttp,
          useFactory: () => new CallbackHttp(callbackSettings(config)),
        },
        AppCallbacksRepository,
        CallbackDeliveriesRepository,
        AppCallbacksService,
        CallbackDeliveryWorker,
        CardClicksConsumer,
      ],
    };
  }

  onModuleDestroy(): Promise<void> {
    return this.clients.close();
  }
}
