export interface CorpPolicy {
  membersMayCreateGroups: boolean;
  recallWindowSeconds: number;
  maxGroupMembers: number;
  watermarkEnabled: boolean;
  watermarkTemplate: string;
}
