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

/** A department as its events carry it (without the corp, which the event names). */
export const departmentSnapshot = (d: Department) => ({
  id: d.id,
  parentId: d.parentId,
  name: d.name,
  nameEn: d.nameEn,
  order: d.order,
  path: d.path,
  leaders: d.leaders,
});

// WeCom's limits.
export const MAX_DEPTH = 15;
export const MAX_DEPARTMENTS_PER_CORP = 30_000;
export const ROOT_DEPARTMENT_ID = 1;
