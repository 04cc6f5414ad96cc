import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  AppLogger,
  DomainError,
  findInputFault,
  LOGGER,
  PUBSUB,
  PubSub,
  toDomainError,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from '@atrium/platform';
import { WebSocket, WebSocketServer } from 'ws';
import { AccessTokenClaims } from '../auth/access-tokens';
import { BearerAuthenticator } from '../auth/bearer-authenticator';
import { ServiceClients } from '../clients/service-clients';
import { SocketHub } from './socket-hub';
import { SocketSends } from './socket-sends';

const HEARTBEAT_MS = 25_000;
const MAX_CLIENT_FRAME_BYTES = 16 * 1024;

/**
 * `/ws`: realtime delivery. The client authenticates with `Authorization: Bearer` or
 * `?access_token=`; the server sends `hello`, then every message, recall, receipt, card update and
 * membership change of the client's conversations; it pings every 25 s and drops a socket that
 * misses a pong. A reconnecting client catches up with POST /api/v1/sync, and so does a client
 * sent `{type:'resync'}`: pushes were lost while pub/sub was down (see SocketHub).
 */
@Injectable()
export class WsGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  private readonly hub: SocketHub;
  private heartbeat?: NodeJS.Timeout;
  private readonly alive = new WeakSet<WebSocket>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authenticator: BearerAuthenticator,
    private readonly clients: ServiceClients,
    private readonly sends: SocketSends,
    @Inject(PUBSUB) pubsub: PubSub,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.hub = new SocketHub(pubsub, (owner) => this.conversationIds(owner as AccessTokenClaims), logger);
  }

  onApplicationBootstrap(): void {
    // With noServer it emits none today; a listener keeps a future one from stopping the process.
    this.server.on('error', (error) => this.logger.warn({ err: error }, 'websocket server error'));
    const http = this.adapterHost.httpAdapter.getHttpServer() as Server;
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Node hands over an upgraded socket without its error listener, and ws adds its own only in
      // handleUpgrade: a client that resets the connection while its token is checked (or while
      // the 401 is written) would otherwise raise an unhandled 'error' and stop the process.
      socket.on('error', (error) => this.logger.debug({ err: error }, 'websocket upgrade socket error'));
      // The request target is the client's to choose: an absolute form such as `http://[/ws` is no URL.
      const url = URL.canParse(req.url ?? '/', 'http://gateway') ? new URL(req.url ?? '/', 'http://gateway') : undefined;
      if (url?.pathname !== '/ws') return socket.destroy();
      const token = BearerAuthenticator.fromHeader(req.headers.authorization) ?? url.searchParams.get('access_token') ?? undefined;
      this.authenticator
        .authenticate(token)
        .then(
          (claims) => this.server.handleUpgrade(req, socket, head, (ws) => void this.onConnection(ws, claims)),
          (error: unknown) => {
            const reason = error instanceof DomainError ? error.message : 'authentication failed';
            // Revocation state that cannot be read is an outage, not a bad token: the client retries.
            const unavailable = error instanceof DomainError && error.code === 'UNAVAILABLE';
            const [status, code] = unavailable ? ['503 Service Unavailable', 'UNAVAILABLE'] : ['401 Unauthorized', 'UNAUTHENTICATED'];
            socket.end(
              `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\n${unavailable ? 'Retry-After: 1\r\n' : ''}Connection: close\r\n\r\n${JSON.stringify({ code, message: reason })}`,
            );
          },
        )
        .catch((error: unknown) => {
          // An unhandled rejection stops the process as surely as an unhandled 'error'.
          this.logger.warn({ err: error }, 'websocket upgrade failed');
          socket.destroy();
        });
    });
    this.hub.listenForResync().catch((error: unknown) => this.logger.warn({ err: error }, 'could not listen for realtime resyncs'));
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** First step of a graceful stop: clients reconnect to another replica and sync from their cursors. */
  async closeAll(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.hub.closeAll(1001, 'server shutting down');
    this.server.close();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.closeAll();
  }

  private async onConnection(ws: WebSocket, claims: AccessTokenClaims): Promise<void> {
    this.alive.add(ws);
    // A malformed frame (too large, invalid UTF-8, unmasked, a bad opcode) makes ws close the
    // socket with the fitting code (1009, 1007, 1002) and then emit 'error': without a listener
    // that one client's frame would stop the whole process.
    ws.on('error', (error) => this.logger.debug({ err: error }, 'websocket client sent a malformed frame'));
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', (data: Buffer) => this.onClientFrame(ws, claims, data.toString('utf8')));
    ws.once('close', () => {
      this.hub.detach(claims, ws).catch((error: unknown) => this.logger.warn({ err: error }, 'socket detach failed'));
    });
    try {
      await this.hub.attach(claims, ws);
      ws.send(JSON.stringify({ type: 'hello', corpId: claims.corpId, userid: claims.userId, heartbeatSeconds: HEARTBEAT_MS / 1000 }));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not attach socket');
      ws.close(1011, 'could not load your conversations');
    }
  }

  private onClientFrame(ws: WebSocket, claims: AccessTokenClaims, raw: string): void {
    let frame: Record<string, unknown>;
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      frame = parsed as Record<string, unknown>;
    } catch {
      ws.send(JSON.stringify({ type: 'error', code: 'VALIDATION_FAILED', message: 'frames are JSON objects' }));
      return;
    }
    // The same text rules as the REST edge: the content goes on to messaging and PostgreSQL.
    const fault = findInputFault(frame);
    if (fault) {
      const clientMsgId = typeof frame.clientMsgId === 'string' ? frame.clientMsgId : undefined;
      ws.send(JSON.stringify({ type: 'error', clientMsgId, code: 'VALIDATION_FAILED', message: `${fault.field}: ${fault.reason}` }));
      return;
    }
    if (frame.type === 'ping') ws.send(JSON.stringify({ type: 'pong', at: new Date().toISOString() }));
    else if (frame.type === 'send') void this.send(ws, claims, frame);
    else
      ws.send(
        JSON.stringify({
          type: 'error',
          code: 'VALIDATION_FAILED',
          message: 'unknown frame type: ping and send; other actions use the REST API',
        }),
      );
  }

  /**
   * `{type:'send', conversationId, clientMsgId, msgType, content}` → `{type:'ack', clientMsgId,
   * conversationId, seq, messageId, created}` once the message is stored, or `{type:'error',
   * clientMsgId, code, message}`. The same call as POST /conversations/{id}/messages without an
   * HTTP request per message; a client resends an unacknowledged frame with the same clientMsgId.
   * `burnAfterReading: true` as on the REST call.
   */
  private async send(ws: WebSocket, claims: AccessTokenClaims, frame: Record<string, unknown>): Promise<void> {
    const { conversationId, clientMsgId, msgType, content } = frame;
    const reply = (body: Record<string, unknown>) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ clientMsgId, ...body }));
    };
    if (typeof conversationId !== 'string' || typeof clientMsgId !== 'string' || typeof msgType !== 'string') {
      reply({ type: 'error', code: 'VALIDATION_FAILED', message: 'send needs conversationId, clientMsgId and msgType strings' });
      return;
    }
    if (typeof content !== 'object' || content === null || Array.isArray(content)) {
      reply({ type: 'error', code: 'VALIDATION_FAILED', message: 'send needs a content object' });
      return;
    }
    let contentJson: string;
    try {
      contentJson = JSON.stringify(content);
    } catch {
      // JSON.stringify recurses: a 16 KiB frame can nest deeper than the stack allows.
      reply({ type: 'error', code: 'VALIDATION_FAILED', message: 'content is nested too deeply' });
      return;
    }
    try {
      const { message, created } = await this.sends.send(claims, {
        conversationId,
        clientMsgId,
        type: msgType,
        contentJson,
        burnAfterReading: frame.burnAfterReading === true,
      });
      reply({ type: 'ack', conversationId, seq: message?.seq ?? 0, messageId: message?.id ?? '', sentAt: message?.sentAt ?? '', created });
    } catch (error) {
      const domain = toDomainError(error, 'send failed');
      if (!(error instanceof DomainError)) this.logger.warn({ err: error }, 'send over the socket failed');
      // UNAVAILABLE: nothing was stored, the client resends the same clientMsgId after the pause.
      const retryAfter = domain.code === 'UNAVAILABLE' ? { retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS } : {};
      reply({ type: 'error', code: domain.code, message: domain.message, ...retryAfter });
    }
  }

  private beat(): void {
    for (const ws of this.server.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }

  private async conversationIds(claims: AccessTokenClaims): Promise<string[]> {
    const identity = { corpId: claims.corpId, userId: claims.userId, roles: claims.roles };
    const ids: string[] = [];
    let pageToken = '';
    do {
      const page = await this.clients.messaging.call(
        'ListConversations',
        (m, md) => m.listConversations({ pageSize: 200, pageToken }, md),
        identity,
      );
      ids.push(...page.conversations.map((c) => c.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return ids;
  }
}
