import { messagingV1 } from '@atrium/contracts';
import { Media } from './media';

export const toMediaMessage = (m: Media): messagingV1.Media => ({
  mediaId: m.mediaId,
  type: m.type,
  contentType: m.contentType,
  size: m.size,
  sha256: m.sha256,
  name: m.name,
  uploadedBy: m.uploadedBy,
  createdAt: m.createdAt.toISOString(),
});
