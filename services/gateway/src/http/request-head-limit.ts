import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { ERRCODE } from '../wecom/wecom-error';

/**
 * The request line and headers together. Node's default (16 KB) answered a long query string with
 * a bare 431 before any route saw it; up to this size the routes answer in their own shape (REST:
 * 400 VALIDATION_FAILED from the DTO; /cgi-bin: an errcode). It bounds what one connection may
 * make the server buffer before a request exists.
 */
export const MAX_REQUEST_HEAD_BYTES = 256 * 1024;

/** How long a refused request may go on arriving after its answer. */
const DRAIN_MS = 10_000;

interface ClientError extends Error {
  code?: string;
}

function statusOf(error: ClientError): { status: number; reason: string; message: string } {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      message: `the request line and headers exceed ${MAX_REQUEST_HEAD_BYTES / 1024} KB`,
    };
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, reason: 'Request Timeout', message: 'the request took too long to arrive' };
  return { status: 400, reason: 'Bad Request', message: 'the request is not well-formed HTTP' };
}

/**
 * Raises the request head limit and answers a request Node refuses before routing (a head over
 * the limit, malformed HTTP) with a JSON body instead of Node's empty one. The path is unknown
 * then, so the body carries both error shapes: the REST envelope's `code`/`message` and WeCom's
 * `errcode`/`errmsg`.
 */
export function limitRequestHead(server: Server): void {
  // Read by Node for each new connection, so setting it before listen() is enough.
  (server as Server & { maxHeaderSize: number }).maxHeaderSize = MAX_REQUEST_HEAD_BYTES;
  const answered = new WeakSet<Socket>();
  server.on('clientError', (error: ClientError, socket: Socket) => {
    // The rest of a refused request still arrives (and fails to parse again): closing the socket on
    // it would reset the connection before the client read the answer. It drains instead, bounded.
    if (answered.has(socket)) return;
    // As Node's own handler: answer unless a response on this (kept-alive) socket is under way.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    socket.setTimeout(DRAIN_MS, () => socket.destroy());
    const { status, reason, message } = statusOf(error);
    const body = JSON.stringify({ code: 'VALIDATION_FAILED', message, errcode: ERRCODE.INVALID_PARAMETER, errmsg: message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
