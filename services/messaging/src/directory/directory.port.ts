import { CallerIdentity } from '@atrium/platform';

/**
 * What messaging needs from the directory, as a port: the services depend on this, the gRPC
 * `DirectoryClient` implements it in every deployment, and a service-level test may answer it
 * from memory so that messaging's rules run without a directory service.
 */
export abstract class DirectoryPort {
  /** Splits userids into active members of the caller's corp and the rest. */
  abstract activeMembers(caller: CallerIdentity, userids: string[]): Promise<{ active: string[]; invalid: string[] }>;

  /** A department with its path from the root; undefined when it does not exist. */
  abstract department(caller: CallerIdentity, id: number): Promise<{ id: number; name: string; path: number[] } | undefined>;

  /** The active members of a department (and its subtree), every page; null when the department does not exist. */
  abstract departmentMembers(caller: CallerIdentity, departmentId: number, subtree: boolean): Promise<string[] | null>;

  /** Each found member's direct departments and whether they are active. */
  abstract memberDepartments(caller: CallerIdentity, userids: string[]): Promise<Map<string, { active: boolean; departments: number[] }>>;

  /** Whether the caller administers every one of these departments with the permission. */
  abstract administers(caller: CallerIdentity, departmentIds: number[], permission: string): Promise<boolean>;

  abstract close(): Promise<void>;
}
