import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { RequestContext } from '../context';
import { currentTraceId } from '../telemetry';

export type AppLogger = Logger;

/**
 * JSON logs. Every line carries the trace id and the caller's corp and user when there is one,
 * so one grep by trace id follows a request across services.
 */
export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream): AppLogger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const caller = RequestContext.current();
        return {
          traceId: currentTraceId(),
          corpId: caller?.corpId,
          userId: caller?.userId,
        };
      },
    },
    destination ?? pino.destination(1),
  );
}

/** Adapts pino to Nest's logger interface so framework messages are JSON too. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: AppLogger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, stack: trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
