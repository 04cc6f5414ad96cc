import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/**
 * An unmasked, final text frame (RFC 6455 §5.2) around `payload`, header and payload in one
 * buffer: built once per event, written to every recipient's socket on this replica.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, headerLength);
  return frame;
}

interface WsInternals {
  _socket?: Socket | null;
  _sender?: { _state?: number } | null;
}

/**
 * Writes a prebuilt frame straight to the socket's TCP stream. ws itself would write the header
 * and the payload as two chunks (cork, two writes, uncork: a writev through the stream machinery)
 * for every recipient, which is most of a large group's fan-out. Only while ws's sender is idle
 * (state 0: nothing queued behind a compression or a blob), which it always is here since server
 * frames are unmasked and per-message deflate is off; otherwise ws sends it.
 */
export function sendPrebuilt(ws: WebSocket, payload: Buffer, frame: Buffer): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  if (socket && sender?._state === 0 && !socket.destroyed) socket.write(frame);
  else ws.send(payload, { binary: false });
}
