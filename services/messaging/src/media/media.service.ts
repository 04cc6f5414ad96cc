import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { MediaUploaded } from '@atrium/contracts';
import { CallerIdentity, EVENT_BUS, EventBus, NotFoundError, TRANSACTIONS, TransactionRunner, Tx, ValidationError } from '@atrium/platform';
import { CorpPoliciesService } from '../policies/corp-policies.service';
import { Media, MEDIA_TYPES, MediaReference, MediaType } from './media';
import { assertUploadAllowed } from './media-limits';
import { MediaRepository } from './media.repository';

export interface RegisterMediaInput {
  type: string;
  contentType: string;
  size: number;
  sha256: string;
  name: string;
  storageKey: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const CONTENT_TYPE = /^[A-Za-z0-9][\w.+-]*\/[A-Za-z0-9][\w.+-]*$/;
const MEDIA_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Control characters and path separators: a name is shown and offered as a download name, never a path.
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /[\u0000-\u001f\u007f/\\]/;

/** The media fields of each message type and the media type each must name (file messages: any). */
const MEDIA_FIELDS: Partial<Record<string, { field: string; type: MediaType | 'any' }[]>> = {
  image: [{ field: 'mediaId', type: 'image' }],
  voice: [{ field: 'mediaId', type: 'voice' }],
  video: [
    { field: 'mediaId', type: 'video' },
    { field: 'thumbMediaId', type: 'image' },
  ],
  file: [{ field: 'mediaId', type: 'any' }],
};

const noSuchMedia = (field: string, mediaId: string) =>
  new ValidationError(`content.${field}: no such media (upload it first)`, { field: `content.${field}`, mediaId });

/**
 * The registry of uploaded media. The gateway streams the bytes into the blob store and registers
 * them here; who may read them follows the messages that name them, so access needs no ACL of its
 * own and disappears with a recall or when a member leaves.
 */
@Injectable()
export class MediaService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly policies: CorpPoliciesService,
    private readonly media: MediaRepository,
  ) {}

  async register(caller: CallerIdentity, input: RegisterMediaInput): Promise<Media> {
    if (!(MEDIA_TYPES as readonly string[]).includes(input.type))
      throw new ValidationError(`type must be one of ${MEDIA_TYPES.join(', ')}`, { field: 'type' });
    const type = input.type as MediaType;
    if (!Number.isSafeInteger(input.size) || input.size < 1)
      throw new ValidationError('the media is empty', { field: 'media', reason: 'EMPTY' });
    if (!SHA256.test(input.sha256)) throw new ValidationError('sha256 must be 64 lower-case hex digits', { field: 'sha256' });
    if (input.contentType.length > 128 || !CONTENT_TYPE.test(input.contentType))
      throw new ValidationError('content_type must be a MIME type', { field: 'content_type' });
    if ([...input.name].length > 255 || UNSAFE_NAME.test(input.name))
      throw new ValidationError('name must be at most 255 characters, without control characters or slashes', { field: 'name' });
    // The gateway writes under the caller's corp; a key elsewhere is never registered for it.
    if (!input.storageKey.startsWith(`media/${caller.corpId}/`))
      throw new ValidationError("storage_key is outside the caller's corp", { field: 'storage_key' });
    const media: Media = {
      corpId: caller.corpId,
      mediaId: randomBytes(24).toString('base64url'),
      type,
      contentType: input.contentType.toLowerCase(),
      size: input.size,
      sha256: input.sha256,
      name: input.name,
      uploadedBy: caller.userId.toLowerCase(),
      storageKey: input.storageKey,
      createdAt: new Date(),
    };
    await this.transactions.run(async (tx) => {
      assertUploadAllowed((await this.policies.get(caller.corpId, tx)).mediaLimits, media);
      await this.media.insert(tx, media);
      await this.bus.publish(tx, MediaUploaded, caller.corpId, {
        corpId: caller.corpId,
        mediaId: media.mediaId,
        type: media.type,
        contentType: media.contentType,
        size: media.size,
        sha256: media.sha256,
        name: media.name,
        actor: media.uploadedBy,
        storageKey: media.storageKey,
        uploadedAt: media.createdAt.toISOString(),
      });
    });
    this.bus.relay.nudge();
    return media;
  }

  /** The media, when the caller may read it; otherwise NOT_FOUND, as if it did not exist. */
  async authorizeRead(caller: CallerIdentity, mediaId: string): Promise<Media> {
    const notFound = new NotFoundError('media', { mediaId });
    if (!MEDIA_ID.test(mediaId)) throw notFound;
    const tx = this.transactions.manager;
    const [media] = await this.media.findMany(tx, caller.corpId, [mediaId]);
    if (!media || !(await this.readable(tx, media, caller.userId.toLowerCase()))) throw notFound;
    return media;
  }

  /**
   * Inside a send, before the message row is written: every media id the content names must be
   * media of the right type that the sender may read (no sharing what one cannot see), and the
   * message becomes a reference that lets the conversation's members read it. Returns the content
   * fields the registry decides (a file's size).
   */
  async attach(
    tx: Tx,
    corpId: string,
    sender: string,
    message: { conversationId: string; seq: number; type: string; content: Record<string, unknown> },
  ): Promise<Record<string, unknown>> {
    const fields = (MEDIA_FIELDS[message.type] ?? []).filter((f) => typeof message.content[f.field] === 'string');
    if (fields.length === 0) return {};
    const ids = fields.map((f) => message.content[f.field] as string);
    const found = new Map((await this.media.findMany(tx, corpId, ids)).map((m) => [m.mediaId, m]));
    const references: MediaReference[] = [];
    for (const [i, { field, type }] of fields.entries()) {
      const media = found.get(ids[i]);
      if (!media || !(await this.readable(tx, media, sender))) throw noSuchMedia(field, ids[i]);
      if (type !== 'any' && media.type !== type)
        throw new ValidationError(`content.${field}: media ${media.mediaId} is a ${media.type}, not a ${type}`, {
          field: `content.${field}`,
          mediaId: media.mediaId,
        });
      references.push({ mediaId: media.mediaId, conversationId: message.conversationId, seq: message.seq });
    }
    await this.media.addReferences(tx, corpId, references);
    if (message.type !== 'file') return {};
    const file = found.get(ids[0])!;
    return { size: file.size, name: typeof message.content.name === 'string' ? message.content.name : file.name };
  }

  private async readable(tx: Tx, media: Media, reader: string): Promise<boolean> {
    return media.uploadedBy === reader || this.media.referencedForMember(tx, media.corpId, media.mediaId, reader);
  }
}
