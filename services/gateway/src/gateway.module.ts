import { DynamicModule, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { KV_STORE, KvStore } from '@atrium/platform';
import { AccessTokens } from './auth/access-tokens';
import { AuthHttpController } from './auth/auth.http-controller';
import { AuthService } from './auth/auth.service';
import { AuthenticatedGuard } from './auth/authenticated.guard';
import { LoginThrottle } from './auth/login-throttle';
import { RefreshTokensRepository } from './auth/refresh-tokens.repository';
import { SessionRevocations } from './auth/session-revocations';
import { ServiceClients } from './clients/service-clients';
import { GATEWAY_CONFIG, GatewayConfig } from './config';
import { GatewayOpsHttpController } from './health/gateway-ops.http-controller';
import { MeHttpController } from './me/me.http-controller';

@Module({})
export class GatewayModule implements OnModuleDestroy {
  constructor(@Inject(ServiceClients) private readonly clients: ServiceClients) {}

  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [AuthHttpController, MeHttpController, GatewayOpsHttpController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: ServiceClients, useFactory: () => new ServiceClients(config) },
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
        RefreshTokensRepository,
        AuthService,
        AuthenticatedGuard,
      ],
    };
  }

  onModuleDestroy(): Promise<void> {
    return this.clients.close();
  }
}
