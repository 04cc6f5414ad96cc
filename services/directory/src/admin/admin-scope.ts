export const PERMISSIONS = ['manage_members', 'manage_departments', 'view', 'manage_security'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface AdminScope {
  userid: string;
  role: 'super_admin' | 'sub_admin';
  /** Roots of the subtrees a sub-admin governs. */
  departmentIds: number[];
  permissions: Permission[];
}

/** The directory-sync secret of the WeCom API acts with this role: directory writes, corp-wide. */
export const DIRECTORY_SYNC_ROLE = 'directory_sync';
