import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppLogger, DomainError, LOGGER, PUBSUB, PubSub } from '@atrium/platform';
import { WebSocket, WebSocketServer } from 'ws';
import { AccessTokenClaims } from '../auth/access-tokens';
import { BearerAuthenticator } from '../auth/bearer-authenticator';
import { ServiceClients } from '../clients/service-clients';
import { SocketHub } from './socket-hub';

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
    ws.on('message', (data: Buffer) => this.onClientFrame(ws, data.toString('utf8')));
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

  private onClientFrame(ws: WebSocket, raw: string): void {
    let frame: { type?: unknown };
    try {
      frame = JSON.parse(raw) as { type?: unknown };
    } catch {
      ws.send(JSON.stringify({ type: 'error', code: 'VALIDATION_FAILED', message: 'frames are JSON objects' }));
      return;
    }
    if (frame.type === 'ping') ws.send(JSON.stringify({ type: 'pong', at: new Date().toISOString() }));
    else
      ws.send(JSON.stringify({ type: 'error', code: 'VALIDATION_FAILED', message: 'unknown frame type; actions go through the REST API' }));
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
