import { ClientDuplexStream, credentials, Metadata, ServiceError } from '@grpc/grpc-js';
import { ClientGrpc, ClientGrpcProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { SpanKind } from '@opentelemetry/api';
import { PROTO_ROOT } from '@atrium/contracts';
import { lastValueFrom, Observable, timeout } from 'rxjs';
import { CallerIdentity, RequestContext } from '../context';
import { DomainError, errorCodeForGrpcStatus, isErrorCode, isTransientFailure } from '../errors';
import { inSpan, injectTraceContext } from '../telemetry';
import { ERROR_CODE_HEADER, ERROR_DETAILS_HEADER, GRPC_MAX_MESSAGE_BYTES, HEALTH_PROTO } from './grpc-server';
import { Correlated, CorrelatedStream } from './correlated-stream';
import { decodeErrorDetails } from './error-details';
import { attachIdentity } from './signed-identity';

export interface GrpcClientOptions {
  /** The calling service, for span names. */
  caller: string;
  url: string;
  packageName: string;
  protoPath: string;
  identityKey: string;
  timeoutMs?: number;
}

/**
 * A typed client for one remote service. Every call carries the caller's identity (signed) and
 * the trace context, and comes back as a promise whose failures are DomainErrors with the
 * remote's stable code.
 */
export class GrpcServiceClient<T extends object> {
  private readonly client: ClientGrpc;
  private readonly service: T;
  private readonly health: { check(request: { service: string }, metadata?: Metadata): Observable<{ status: number }> };
  /** Closed with the client. */
  private readonly streams = new Set<{ close(): void }>();

  constructor(
    private readonly options: GrpcClientOptions,
    private readonly serviceName: string,
  ) {
    this.client = ClientProxyFactory.create({
      transport: Transport.GRPC,
      options: {
        url: options.url,
        package: [options.packageName, 'grpc.health.v1'],
        protoPath: [options.protoPath, HEALTH_PROTO],
        credentials: credentials.createInsecure(),
        maxReceiveMessageLength: GRPC_MAX_MESSAGE_BYTES,
        maxSendMessageLength: GRPC_MAX_MESSAGE_BYTES,
        loader: { includeDirs: [PROTO_ROOT], keepCase: false, longs: Number, defaults: true, oneofs: true },
      },
    });
    this.service = this.client.getService<T>(serviceName);
    this.health = this.client.getService('Health');
  }

  /** Calls as the current request's caller unless an identity is given (a service acting itself). */
  async call<R>(method: string, invoke: (service: T, metadata: Metadata) => Observable<R>, identity?: CallerIdentity): Promise<R> {
    const caller = identity ?? RequestContext.current();
    if (!caller) throw new DomainError('UNAUTHENTICATED', `no caller identity for ${method}`);
    return inSpan(this.options.caller, `grpc.client ${method}`, SpanKind.CLIENT, async () => {
      const metadata = attachIdentity(new Metadata(), caller, this.options.identityKey);
      for (const [name, value] of Object.entries(injectTraceContext())) metadata.set(name, value);
      try {
        return await lastValueFrom(invoke(this.service, metadata).pipe(timeout(this.options.timeoutMs ?? 10_000)));
      } catch (error) {
        throw toDomainError(error);
      }
    });
  }

  /**
   * Requests over a long-lived bidirectional stream of `method` (see CorrelatedStream), as
   * `identity`: the remote checks it when each stream opens, so requests that act for other
   * callers carry their own signed identities.
   */
  stream<Req extends Correlated, Res extends Correlated>(method: string, identity: CallerIdentity): CorrelatedStream<Req, Res> {
    const grpcClient = (this.client as ClientGrpcProxy).getClientByServiceName<
      Record<string, (metadata: Metadata) => ClientDuplexStream<Req, Res>>
    >(this.serviceName);
    const stream = new CorrelatedStream<Req, Res>(
      () => grpcClient[method](attachIdentity(new Metadata(), identity, this.options.identityKey)),
      {
        timeoutMs: this.options.timeoutMs ?? 10_000,
        toError: toDomainError,
      },
    );
    this.streams.add(stream);
    return stream;
  }

  /** The standard gRPC health check; true when the remote answers SERVING. */
  async isServing(timeoutMs = 1_000): Promise<boolean> {
    try {
      const response = await lastValueFrom(this.health.check({ service: '' }).pipe(timeout(timeoutMs)));
      return response.status === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.close();
    await (this.client as unknown as { close(): Promise<void> | void }).close();
  }
}

function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const serviceError = error as Partial<ServiceError>;
  if (typeof serviceError.code === 'number') {
    const code = serviceError.metadata?.get(ERROR_CODE_HEADER)[0];
    const details = serviceError.metadata?.get(ERROR_DETAILS_HEADER)[0];
    return new DomainError(
      isErrorCode(code) ? code : errorCodeForGrpcStatus(serviceError.code),
      serviceError.details ?? serviceError.message ?? 'remote call failed',
      decodeErrorDetails(details),
    );
  }
  if ((error as Error)?.name === 'TimeoutError') return new DomainError('UNAVAILABLE', 'remote call timed out');
  // A client closed during shutdown throws plain errors: the remote is unavailable, not broken.
  if (/channel has been shut down/i.test((error as Error)?.message ?? '') || isTransientFailure(error))
    return new DomainError('UNAVAILABLE', 'service unavailable');
  return new DomainError('INTERNAL', (error as Error)?.message ?? 'remote call failed');
}
