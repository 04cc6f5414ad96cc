import { ConfigError, PlatformEnv } from '../config';
import { createLogger } from '../logging';
import { initTelemetry } from '../telemetry';
import { ServiceDefinition, startService } from './service-runner';

/**
 * The body of every service's main.ts: validate the environment (a bad value stops the process
 * with a message naming it), telemetry first, then the service; SIGTERM drains and exits 0.
 */
export async function serviceMain<C extends PlatformEnv>(
  name: string,
  loadConfig: () => C,
  define: (config: C) => ServiceDefinition,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`atrium-${name}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  initTelemetry({ serviceName: `atrium-${name}`, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger(name, config.LOG_LEVEL);
  // Signals are handled from the start: a service answers /readyz before its consumers have
  // joined their groups, and a SIGTERM in that window must still drain rather than kill it.
  const starting = startService(define(config), config, { httpPort: config.HTTP_PORT, grpcPort: config.GRPC_PORT, logger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, 25_000);
    starting
      .then((running) => running.stop())
      .then(
        () => {
          clearTimeout(force);
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    await starting;
  } catch (error) {
    logger.fatal({ err: error }, `${name} failed to start`);
    process.exit(1);
  }
}
