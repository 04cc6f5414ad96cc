import { MediaType } from '@atrium/contracts';

export { MEDIA_TYPES, type MediaType } from '@atrium/contracts';

export interface Media {
  corpId: string;
  mediaId: string;
  type: MediaType;
  contentType: string;
  size: number;
  sha256: string;
  name: string;
  /** A userid, or `app:<agentid>`. */
  uploadedBy: string;
  storageKey: string;
  createdAt: Date;
}

/** Where a message names media: the conversation and the message's seq. */
export interface MediaReference {
  mediaId: string;
  conversationId: string;
  seq: number;
}
