/** A department as the directory's domain sees it. */
export interface Department {
  corpId: string;
  id: number;
  /** 0 for the root. */
  parentId: number;
  name: string;
  nameEn: string;
  order: number;
  /** Ids from the root down to this department, itself included. */
  path: number[];
  leaders: string[];
}

// WeCom's limits.
export const MAX_DEPTH = 15;
export const MAX_DEPARTMENTS_PER_CORP = 30_000;
export const ROOT_DEPARTMENT_ID = 1;
