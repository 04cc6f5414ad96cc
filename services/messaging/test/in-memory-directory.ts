import { CallerIdentity } from '@atrium/platform';
import { DirectoryPort } from '../src/directory/directory.port';

interface Member {
  active: boolean;
  departments: number[];
}

interface Department {
  id: number;
  name: string;
  parentId: number;
}

/**
 * Messaging's directory port answered from memory: the people and departments a test declares,
 * per corp. It is our own port, so this is an implementation of it, not a stand-in for the
 * directory service; what the directory itself decides is tested in services/directory.
 */
export class InMemoryDirectory implements DirectoryPort {
  private readonly corps = new Map<string, { members: Map<string, Member>; departments: Map<number, Department> }>();

  /** Declares active members of a corp, in the root department unless told otherwise. */
  addMembers(corpId: string, userids: string[], departments: number[] = [1]): void {
    for (const userid of userids) this.corp(corpId).members.set(userid, { active: true, departments });
  }

  /** Declares a department under a parent (the root is 1 and always exists). */
  addDepartment(corpId: string, department: Department): void {
    this.corp(corpId).departments.set(department.id, department);
  }

  /** The member leaves: inactive from now on, as after offboarding or disabling in the directory. */
  deactivate(corpId: string, userid: string): void {
    const member = this.corp(corpId).members.get(userid);
    if (member) member.active = false;
  }

  activeMembers(caller: CallerIdentity, userids: string[]): Promise<{ active: string[]; invalid: string[] }> {
    const isActive = (u: string) => this.corp(caller.corpId).members.get(u)?.active === true;
    return Promise.resolve({ active: userids.filter(isActive), invalid: userids.filter((u) => !isActive(u)) });
  }

  department(caller: CallerIdentity, id: number): Promise<{ id: number; name: string; path: number[] } | undefined> {
    const department = this.corp(caller.corpId).departments.get(id);
    return Promise.resolve(department && { id, name: department.name, path: this.path(caller.corpId, id) });
  }

  departmentMembers(caller: CallerIdentity, departmentId: number, subtree: boolean): Promise<string[] | null> {
    const corp = this.corp(caller.corpId);
    if (!corp.departments.has(departmentId)) return Promise.resolve(null);
    const inScope = (d: number) => (subtree ? this.path(caller.corpId, d).includes(departmentId) : d === departmentId);
    const userids = [...corp.members].filter(([, m]) => m.active && m.departments.some(inScope)).map(([u]) => u);
    return Promise.resolve(userids);
  }

  memberDepartments(caller: CallerIdentity, userids: string[]): Promise<Map<string, { active: boolean; departments: number[] }>> {
    const members = this.corp(caller.corpId).members;
    const found = userids.filter((u) => members.has(u)).map((u) => [u, { ...members.get(u)! }] as const);
    return Promise.resolve(new Map(found));
  }

  /** Only super admins administer anything here; sub-admin scopes are the directory's own tests. */
  administers(): Promise<boolean> {
    return Promise.resolve(false);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private corp(corpId: string) {
    let corp = this.corps.get(corpId);
    if (!corp) {
      corp = { members: new Map(), departments: new Map([[1, { id: 1, name: 'root', parentId: 0 }]]) };
      this.corps.set(corpId, corp);
    }
    return corp;
  }

  /** From the root down to the department itself. */
  private path(corpId: string, id: number): number[] {
    const departments = this.corp(corpId).departments;
    const path: number[] = [];
    for (let d = departments.get(id); d; d = departments.get(d.parentId)) path.unshift(d.id);
    return path;
  }
}
