import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Metadata } from '@grpc/grpc-js';
import { GrpcOptions, Transport } from '@nestjs/microservices';
import { SpanKind } from '@opentelemetry/api';
import { PROTO_ROOT } from '@atrium/contracts';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { CallerIdentity, RequestContext } from '../context';
import { extractTraceContext, inSpan } from '../telemetry';
import { verifyIdentity } from './signed-identity';

export const ERROR_CODE_HEADER = 'x-atrium-error-code';
export const ERROR_DETAILS_HEADER = 'x-atrium-error-details';
const PUBLIC_RPC = 'atrium:public-rpc';

/** Marks a handler that needs no caller identity (the health protocol for probes). */
export const PublicRpc = () => SetMetadata(PUBLIC_RPC, true);

export const GRPC_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export const HEALTH_PROTO = join(PROTO_ROOT, 'grpc', 'health', 'v1', 'health.proto');

export function grpcServerOptions(packageName: string, protoPath: string, port: number, host = '0.0.0.0'): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url: `${host}:${port}`,
      gracefulShutdown: true,
      // Bulk directory imports and exports carry CSVs of 100,000 members (tens of MB).
      maxReceiveMessageLength: GRPC_MAX_MESSAGE_BYTES,
      maxSendMessageLength: GRPC_MAX_MESSAGE_BYTES,
      package: [packageName, 'grpc.health.v1'],
      protoPath: [protoPath, HEALTH_PROTO],
      loader: { includeDirs: [PROTO_ROOT], keepCase: false, longs: Number, defaults: true, oneofs: true },
    },
  };
}

/**
 * Verifies the signed caller identity, continues the caller's trace and runs the handler inside
 * both, so that every log line and every span of the call carries who and which trace.
 */
@Injectable()
export class GrpcIdentityInterceptor implements NestInterceptor {
  constructor(
    private readonly service: string,
    private readonly identityKey: string,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata = callMetadata(context);
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_RPC, [context.getHandler(), context.getClass()]);
    const identity: CallerIdentity | undefined = isPublic ? undefined : verifyIdentity(metadata, this.identityKey);
    const carrier: Record<string, string> = {};
    for (const [name, value] of Object.entries(metadata?.getMap() ?? {})) carrier[name] = String(value);
    const parent = extractTraceContext(carrier);
    const rpc = `${context.getClass().name}.${context.getHandler().name}`;
    return new Observable((subscriber) => {
      const run = () =>
        inSpan(
          this.service,
          `grpc ${rpc}`,
          SpanKind.SERVER,
          async () => {
            // Nest handlers here return promises or single-value observables; a stream handler
            // (GrpcStreamCall) returns a promise settled when its stream ends.
            const result = await new Promise<unknown>((resolve, reject) => {
              next.handle().subscribe({ next: resolve, error: reject });
            });
            return result;
          },
          parent,
        );
      (identity ? RequestContext.run(identity, run) : run()).then(
        (value) => {
          subscriber.next(value);
          subscriber.complete();
        },
        (error: unknown) => subscriber.error(error),
      );
    });
  }
}

/** A server call that streams (GrpcStreamCall): its handler gets the call itself, not request and metadata. */
export interface ServerStreamCall {
  metadata: Metadata;
  emit(event: 'error', error: unknown): boolean;
  write(message: unknown): boolean;
}

export function isServerStreamCall(value: unknown): value is ServerStreamCall {
  const call = value as Partial<ServerStreamCall> | undefined;
  return call?.metadata instanceof Metadata && typeof call.write === 'function' && typeof call.emit === 'function';
}

/** A unary handler gets (request, metadata, call); a stream handler gets (call). */
function callMetadata(context: ExecutionContext): Metadata | undefined {
  const rpc = context.switchToRpc();
  const metadata = rpc.getContext<unknown>();
  if (metadata instanceof Metadata) return metadata;
  const data = rpc.getData<unknown>();
  return isServerStreamCall(data) ? data.metadata : undefined;
}
