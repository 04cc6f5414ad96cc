import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppLogger, DomainError, LOGGER, PUBSUB, PubSub, toDomainError, UNAVAILABLE_RETRY_AFTER_SECONDS } from '@atrium/platform';
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
 * misses a pong. A reconnecting client catches up with POST /api/v1/sync.
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
    const http = this.adapterHost.httpAdapter.getHttpServer() as Server;
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (url.pathname !== '/ws') return socket.destroy();
      const token = BearerAuthenticator.fromHeader(req.headers.authorization) ?? url.searchParams.get('access_token') ?? undefined;
      this.authenticator.authenticate(token).then(
        (claims) => this.server.handleUpgrade(req, socket, head, (ws) => void this.onConnection(ws, claims)),
        (error: unknown) => {
          const reason = error instanceof DomainError ? error.message : 'authentication failed';
          socket.end(
            `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ code: 'UNAUTHENTICATED', message: reason })}`,
          );
        },
      );
    });
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
    try {
      const { message, created } = await this.sends.send(claims, {
        conversationId,
        clientMsgId,
        type: msgType,
        contentJson: JSON.stringify(content),
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
