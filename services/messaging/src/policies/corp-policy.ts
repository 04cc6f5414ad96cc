import { MediaLimits } from '../media/media-limits';

export interface CorpPolicy {
  membersMayCreateGroups: boolean;
  recallWindowSeconds: number;
  maxGroupMembers: number;
  watermarkEnabled: boolean;
  watermarkTemplate: string;
  /** any | internal_only | same_department: where files, images and videos may be forwarded. */
  fileForwarding: string;
  /** 0: messages are kept forever. */
  messageRetentionDays: number;
  burnTtlSeconds: number;
  archiveNotice: string;
  mediaLimits: MediaLimits;
}
