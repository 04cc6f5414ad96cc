import { DynamicModule, INestApplication, Module, Type } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { GrpcIdentityInterceptor, grpcServerOptions } from '../grpc';
import { PlatformErrorFilter } from './error.filter';
import { HealthGrpcController } from '../grpc/health.grpc-controller';
import { NestPinoLogger } from '../logging';
import { createInfrastructure, Infrastructure, InfrastructureOptions } from './infrastructure';
import { DatabaseOptions, keepStatisticsCurrent } from '../database';
import { PlatformEnv } from '../config';
import { LivenessHttpController, OpsHttpController } from './ops.http-controller';
import { PlatformModule } from './platform.module';
import { ReadinessService } from './readiness.service';

export interface ServiceDefinition {
  name: string;
  database: Omit<DatabaseOptions, 'url'>;
  /** The service's feature modules. */
  imports: (Type | DynamicModule)[];
  /** The service's gRPC API; absent for the gateway, which is only a client. */
  grpc?: { packageName: string; protoPath: string };
  /** Event consumers and other background work, started after the servers listen. */
  onStarted?: (app: INestApplication, infra: Infrastructure) => Promise<void>;
  /** false: the service serves its own /healthz (the gateway's lists every service). */
  livenessController?: boolean;
  /** Runs first on stop, while everything still works (the gateway closes its WebSockets here). */
  beforeStop?: (app: INestApplication) => Promise<void>;
  /** Extra HTTP setup (validation pipes, OpenAPI) before listening. */
  configureHttp?: (app: INestApplication, infra: Infrastructure) => void | Promise<void>;
}

export interface RunningService {
  name: string;
  httpPort: number;
  grpcPort: number;
  app: INestApplication;
  infra: Infrastructure;
  /** Graceful stop: readiness off, servers drained, consumers committed, relay flushed, DB closed. */
  stop(): Promise<void>;
}

export interface RunOptions {
  httpPort: number;
  grpcPort: number;
  host?: string;
}

export async function runService(definition: ServiceDefinition, infra: Infrastructure, options: RunOptions): Promise<RunningService> {
  @Module({
    imports: [PlatformModule.forRoot(infra), ...definition.imports],
    controllers: [
      ...(definition.grpc ? [HealthGrpcController] : []),
      OpsHttpController,
      ...(definition.livenessController === false ? [] : [LivenessHttpController]),
    ],
  })
  class RootModule {}

  const app = await NestFactory.create(RootModule, { logger: new NestPinoLogger(infra.logger), abortOnError: false });
  // Registered on the app and inherited by the gRPC server: a connected microservice counts as
  // initialised and refuses global enhancers of its own. Both act per context type.
  app.useGlobalFilters(new PlatformErrorFilter(infra.logger));
  if (definition.grpc) {
    app.useGlobalInterceptors(new GrpcIdentityInterceptor(definition.name, infra.identityKey, app.get(Reflector)));
    app.connectMicroservice(
      grpcServerOptions(definition.grpc.packageName, definition.grpc.protoPath, options.grpcPort, options.host ?? '0.0.0.0'),
      {
        inheritAppConfig: true,
      },
    );
  }
  try {
    await definition.configureHttp?.(app, infra);
    await app.startAllMicroservices();
    await app.listen(options.httpPort, options.host ?? '0.0.0.0');
  } catch (error) {
    // A port taken meanwhile, say: release what the app opened before the caller decides.
    await app.close().catch(() => undefined);
    throw error;
  }
  const httpPort = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  infra.bus.start();
  // One connection means PGlite (embedded mode), which runs no autovacuum.
  const stopStatistics = infra.transactions.connections === 1 ? keepStatisticsCurrent(infra.dataSource.manager, infra.logger) : undefined;
  await definition.onStarted?.(app, infra);
  infra.logger.info({ httpPort, grpcPort: options.grpcPort }, `${definition.name} started`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      app.get(ReadinessService).stopAccepting();
      await definition.beforeStop?.(app);
      // Stop taking HTTP requests before anything they need (gRPC clients, the database) closes;
      // in-flight requests finish, idle keep-alive sockets are dropped so close() can complete.
      const server = app.getHttpServer() as Server;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(resolve, 10_000).unref();
      });
      // Consumers next: their in-flight handlers finish and commit before the database closes.
      await infra.bus.stop();
      await app.close();
      await infra.pubsub.close();
      await infra.kv.close();
      await infra.broker.close();
      await stopStatistics?.();
      await infra.dataSource.destroy();
      infra.logger.info(`${definition.name} stopped`);
    })());

  return { name: definition.name, httpPort, grpcPort: options.grpcPort, app, infra, stop };
}

export interface StartOptions extends RunOptions, Pick<InfrastructureOptions, 'broker' | 'pubsub' | 'kv' | 'logger' | 'relay'> {}

/** Builds the service's infrastructure from its config and runs it: what main.ts and embedded mode call. */
export async function startService(definition: ServiceDefinition, config: PlatformEnv, options: StartOptions): Promise<RunningService> {
  const infra = await createInfrastructure({
    service: definition.name,
    config,
    database: definition.database,
    broker: options.broker,
    pubsub: options.pubsub,
    kv: options.kv,
    logger: options.logger,
    relay: options.relay,
  });
  try {
    return await runService(definition, infra, options);
  } catch (error) {
    await infra.dataSource.destroy().catch(() => undefined);
    // Adapters handed in are shared with the other services of this process (embedded mode): a
    // failed start closes only what it opened, so the caller can try again.
    if (!options.broker) await infra.broker.close().catch(() => undefined);
    if (!options.pubsub) await infra.pubsub.close().catch(() => undefined);
    if (!options.kv) await infra.kv.close().catch(() => undefined);
    throw error;
  }
}
