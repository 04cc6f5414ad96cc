import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { messagingV1 } from '@atrium/contracts';
import {
  AppLogger,
  BlobObject,
  BlobStore,
  BlobTooLargeError,
  CallerIdentity,
  DomainError,
  LOGGER,
  NotFoundError,
  StoredBlob,
  ValidationError,
} from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';
import { BLOB_STORE } from './blob-store.factory';
import { cleanName, contentTypeFor, isUploadType, maxBytesFor, refuseBlockedExtension, UPLOAD_TYPES, UploadType } from './media-rules';
import { peek, sniff } from './media-sniff';

export const MEDIA_FIELD = 'media';

interface Received {
  stored: StoredBlob;
  name: string;
  contentType: string;
}

const missingMedia = () =>
  new ValidationError(`expected a multipart/form-data body with the file in the field "${MEDIA_FIELD}"`, {
    field: MEDIA_FIELD,
    reason: 'MISSING',
  });

/**
 * Uploads stream from the request through a content check and the corp's size limit straight into
 * the blob store (never whole in memory), then messaging registers them; downloads stream back out
 * once messaging says the caller may read them.
 */
@Injectable()
export class MediaService implements OnModuleDestroy {
  constructor(
    private readonly clients: ServiceClients,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async upload(caller: CallerIdentity, type: unknown, request: IncomingMessage): Promise<messagingV1.Media> {
    if (!isUploadType(type)) throw new ValidationError(`type must be one of ${UPLOAD_TYPES.join(', ')}`, { field: 'type' });
    const { policy } = await this.clients.messaging.call('GetCorpPolicy', (m, md) => m.getCorpPolicy({}, md), caller);
    const limits = policy?.mediaLimits;
    if (!limits) throw new Error('messaging answered a policy without media limits');
    const now = new Date();
    const key = `media/${caller.corpId}/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${randomUUID()}`;
    try {
      const received = await this.receive(request, key, type, maxBytesFor(limits, type), limits.blockedExtensions);
      const registered = await this.clients.messaging.call(
        'RegisterMedia',
        (m, md) =>
          m.registerMedia(
            {
              type,
              contentType: received.contentType,
              size: received.stored.size,
              sha256: received.stored.sha256,
              name: received.name,
              storageKey: key,
            },
            md,
          ),
        caller,
      );
      if (!registered.media) throw new Error('messaging registered media without answering it');
      return registered.media;
    } catch (error) {
      // Bytes that were not registered are unreachable: take them back out (a no-op when none were kept).
      await this.store.delete(key).catch((err: unknown) => this.logger.warn({ err, key }, 'could not delete unregistered media'));
      throw error;
    }
  }

  async open(caller: CallerIdentity, mediaId: string): Promise<{ media: messagingV1.Media; object: BlobObject }> {
    const { media, storageKey } = await this.clients.messaging.call(
      'AuthorizeMediaRead',
      (m, md) => m.authorizeMediaRead({ mediaId }, md),
      caller,
    );
    const object = media && (await this.store.get(storageKey));
    if (!media || !object) {
      if (media) this.logger.error({ mediaId, storageKey }, 'registered media is missing from the blob store');
      throw new NotFoundError('media', { mediaId });
    }
    return { media, object };
  }

  onModuleDestroy(): Promise<void> {
    return this.store.close();
  }

  /**
   * Parses the multipart body as it arrives. The `media` part goes through the content check and
   * the size limit into the store; every other part is read and dropped. Settles only once the
   * whole request was read, so the answer (413, say) reaches a client that is still sending.
   */
  private receive(request: IncomingMessage, key: string, type: UploadType, maxBytes: number, blocked: string[]): Promise<Received> {
    return new Promise<Received>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: request.headers,
          defParamCharset: 'utf8',
          limits: { files: 1, fields: 20, parts: 40, fieldSize: 4096 },
        });
      } catch {
        reject(missingMedia());
        return;
      }
      let upload: Promise<Received> | undefined;
      let failure: Error | undefined;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        if (!upload) return reject(failure ?? missingMedia());
        // Never before the upload settled: a put still running would land after the caller
        // deleted its key, and leave bytes nobody registered.
        upload.then(
          (received) => (failure ? reject(failure) : resolve(received)),
          (error: Error) => reject(failure ?? error),
        );
      };
      // The parser keeps going after a malformed part header and reports every one of them, so
      // the listener stays for the parser's whole life: a second report without one stops the process.
      const fail = (error: Error, reason: Error) => {
        if (failure) return;
        failure = reason;
        request.unpipe(parser);
        request.resume();
        // Ends the part being stored too, so an upload in flight fails and keeps nothing.
        parser.destroy();
        this.logger.debug({ err: error }, 'unreadable multipart upload');
        settle();
      };
      parser.on('file', (field: string, file: Readable, info: busboy.FileInfo) => {
        // A part cut short is reported by the parser as well; this keeps the part's own report from going unheard.
        file.on('error', () => undefined);
        if (field !== MEDIA_FIELD || upload || failure) {
          file.resume();
          return;
        }
        upload = this.storeMedia(file, key, type, maxBytes, blocked, info);
        // Whatever the store made of it, the parser must see the rest of the part to finish.
        upload.catch(() => file.resume());
      });
      parser.on('error', (error: Error) =>
        fail(error, new ValidationError(`unreadable multipart body: ${error.message}`, { field: MEDIA_FIELD, reason: 'MALFORMED' })),
      );
      parser.once('close', settle);
      request.on('error', (error: Error) => fail(error, error));
      request.pipe(parser);
    });
  }

  private async storeMedia(
    file: Readable,
    key: string,
    type: UploadType,
    maxBytes: number,
    blocked: string[],
    info: busboy.FileInfo,
  ): Promise<Received> {
    refuseBlockedExtension(cleanName(info.filename, type, info.mimeType), blocked);
    // Judged by its first bytes before any of it is stored.
    const { head, body } = await peek(file);
    if (head.length === 0) throw new ValidationError('the media is empty', { field: MEDIA_FIELD, reason: 'EMPTY' });
    const contentType = contentTypeFor(type, sniff(head), info.mimeType, blocked);
    const stored = await this.store.put(key, body, { contentType, maxBytes }).catch((error: unknown) => {
      throw error instanceof BlobTooLargeError
        ? new DomainError('PAYLOAD_TOO_LARGE', `a ${type} may be at most ${maxBytes} bytes`, { maxBytes, type })
        : error;
    });
    return { stored, name: cleanName(info.filename, type, contentType), contentType };
  }
}
