import type { Server } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { Infrastructure, ServiceDefinition } from '@atrium/platform';
import { json, type Application, type NextFunction, type Request, type Response } from 'express';
import { AppCredentialsService } from './apps/app-credentials.service';
import { CallbackDeliveryWorker } from './callbacks/callback-delivery.worker';
import { CardClicksConsumer } from './callbacks/card-clicks.consumer';
import { GatewayConfig } from './config';
import { KnownCorpsCatchUp } from './corps/known-corps.catch-up';
import { KnownCorpsConsumer } from './corps/known-corps.consumer';
import { IMPORT_BODY_LIMIT } from './directory/dto/import.dto';
import { GatewayModule } from './gateway.module';
import { httpTelemetry } from './http/http-telemetry.middleware';
import { InputTextPipe } from './http/input-text.pipe';
import { limitRequestHead } from './http/request-head-limit';
import { setupOpenApi } from './http/openapi';
import { RequestContextInterceptor } from './http/request-context.interceptor';
import { createValidationPipe } from './http/validation';
import { GatewaySessions1700000000100 } from './migrations/1700000000100-gateway-sessions';
import { GatewayOpenApi1700000000200 } from './migrations/1700000000200-gateway-open-api';
import { AppCallbacks1700000000500 } from './migrations/1700000000500-app-callbacks';
import { AppVisibleRange1700000000400 } from './migrations/1700000000400-app-visible-range';
import { SessionRevocationReasons1700000000700 } from './migrations/1700000000700-session-revocation-reasons';
import { WsGateway } from './realtime/ws.gateway';
import { MemberSessionsConsumer } from './sessions/member-sessions.consumer';
import { webClient } from './web/web-client.middleware';
import { wecomBodyReader } from './wecom/wecom-request';

const WECOM_BODY_LIMIT = '1mb';

export function gatewayService(config: GatewayConfig): ServiceDefinition {
  return {
    name: 'gateway',
    database: {
      entities: [],
      migrations: [
        GatewaySessions1700000000100,
        GatewayOpenApi1700000000200,
        AppVisibleRange1700000000400,
        AppCallbacks1700000000500,
        SessionRevocationReasons1700000000700,
      ],
    },
    // No gRPC server: the gateway is the HTTP edge and only a gRPC client.
    imports: [GatewayModule.forRoot(config)],
    livenessController: false,
    // Sockets close first (clients reconnect to another replica), then HTTP drains.
    beforeStop: (app) => app.get(WsGateway).closeAll(),
    configureHttp: (app: INestApplication, infra: Infrastructure) => {
      const express = app.getHttpAdapter().getInstance() as Application;
      express.set('trust proxy', config.TRUST_PROXY);
      express.disable('x-powered-by');
      limitRequestHead(app.getHttpServer() as Server);
      app.use(httpTelemetry(infra.metrics));
      // Both run before the framework's JSON parser, which skips a body already read. (Wrapped: the
      // framework would take a middleware named jsonParser for its own and not install that.)
      app.use('/cgi-bin', wecomBodyReader(WECOM_BODY_LIMIT));
      const importJson = json({ limit: IMPORT_BODY_LIMIT });
      app.use('/api/v1/directory/imports', (req: Request, res: Response, next: NextFunction) => importJson(req, res, next));
      app.useGlobalPipes(new InputTextPipe(), createValidationPipe());
      app.useGlobalInterceptors(new RequestContextInterceptor());
      setupOpenApi(app);
      const web = webClient(config.ATRIUM_WEB_ROOT ?? 'dist/apps/web');
      if (web) app.use(web);
    },
    onStarted: async (app) => {
      await app.get(AppCredentialsService).seedConfiguredSyncSecret();
      await app.get(KnownCorpsConsumer).start();
      void app.get(KnownCorpsCatchUp).start();
      await app.get(MemberSessionsConsumer).start();
      await app.get(CardClicksConsumer).start();
      app.get(CallbackDeliveryWorker).start();
    },
  };
}
