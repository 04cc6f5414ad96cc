import { INestApplication } from '@nestjs/common';
import { Infrastructure, ServiceDefinition } from '@atrium/platform';
import type { Application } from 'express';
import { GatewayConfig } from './config';
import { GatewayModule } from './gateway.module';
import { httpTelemetry } from './http/http-telemetry.middleware';
import { setupOpenApi } from './http/openapi';
import { RequestContextInterceptor } from './http/request-context.interceptor';
import { createValidationPipe } from './http/validation';
import { GatewaySessions1700000000100 } from './migrations/1700000000100-gateway-sessions';

export function gatewayService(config: GatewayConfig): ServiceDefinition {
  return {
    name: 'gateway',
    database: { entities: [], migrations: [GatewaySessions1700000000100] },
    // No gRPC server: the gateway is the HTTP edge and only a gRPC client.
    imports: [GatewayModule.forRoot(config)],
    opsController: false,
    configureHttp: (app: INestApplication, infra: Infrastructure) => {
      const express = app.getHttpAdapter().getInstance() as Application;
      express.set('trust proxy', config.TRUST_PROXY);
      express.disable('x-powered-by');
      app.use(httpTelemetry(infra.metrics));
      app.useGlobalPipes(createValidationPipe());
      app.useGlobalInterceptors(new RequestContextInterceptor());
      setupOpenApi(app);
    },
  };
}
