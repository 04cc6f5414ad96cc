import {
  DepartmentDeleted,
  DepartmentMoved,
  EventOf,
  MemberCreated,
  MemberDeleted,
  MemberDisabled,
  MemberEnabled,
  MemberOffboarded,
  MemberUpdated,
} from '@atrium/contracts';

/** The directory changes that may change who belongs in a department group. */
export const DEPARTMENT_GROUP_EVENTS = [
  MemberCreated,
  MemberUpdated,
  MemberDisabled,
  MemberEnabled,
  MemberDeleted,
  MemberOffboarded,
  DepartmentMoved,
  DepartmentDeleted,
] as const;

export type DepartmentGroupEvent = EventOf<(typeof DEPARTMENT_GROUP_EVENTS)[number]>;
