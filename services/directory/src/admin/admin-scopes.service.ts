import { Inject, Injectable } from '@nestjs/common';
import { AdminScopeChanged } from '@atrium/contracts';
import {
  CallerIdentity,
  DomainError,
  EVENT_BUS,
  EventBus,
  NotFoundError,
  TRANSACTIONS,
  TransactionRunner,
  Tx,
  ValidationError,
} from '@atrium/platform';
import { Department } from '../departments/department';
import { DepartmentsRepository } from '../departments/departments.repository';
import { MembersRepository } from '../members/members.repository';
import { AdminScope, DIRECTORY_SYNC_ROLE, Permission, PERMISSIONS } from './admin-scope';
import { AdminScopesRepository } from './admin-scopes.repository';

@Injectable()
export class AdminScopesService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly scopes: AdminScopesRepository,
    private readonly departments: DepartmentsRepository,
    private readonly members: MembersRepository,
  ) {}

  /**
   * Throws FORBIDDEN, naming the first department outside the caller's power. A super admin and
   * the directory-sync secret may do anything; a sub-admin only inside their subtrees and only
   * with the permission granted.
   */
  async assertAllowed(tx: Tx, caller: CallerIdentity, permission: Permission, departments: Department[]): Promise<void> {
    const denied = await this.firstDenied(tx, caller.corpId, caller, permission, departments);
    if (denied === undefined) return;
    if (denied === null)
      throw new DomainError('FORBIDDEN', `you are not an administrator with the ${permission} permission`, { permission });
    throw new DomainError('FORBIDDEN', `department "${denied.name}" (${denied.id}) is outside your administrative scope`, {
      departmentId: denied.id,
      permission,
    });
  }

  /** undefined: allowed; null: no admin power at all; a department: the first one out of scope. */
  async firstDenied(
    tx: Tx,
    corpId: string,
    who: CallerIdentity,
    permission: Permission,
    departments: Department[],
  ): Promise<Department | null | undefined> {
    if (who.roles.includes(DIRECTORY_SYNC_ROLE)) return undefined;
    const scope = await this.scopes.find(tx, corpId, who.userId);
    if (!scope) return null;
    if (scope.role === 'super_admin') return undefined;
    // "view" is implied by every write permission.
    if (!scope.permissions.includes(permission) && !(permission === 'view' && scope.permissions.length > 0)) return null;
    return departments.find((d) => !d.path.some((id) => scope.departmentIds.includes(id))) ?? undefined;
  }

  /**
   * Which of these departments the caller may not act on, asking one question
   * per denied subtree rather than per department: deepest first, the departments before the
   * first denied one are allowed, and a denied department's ancestors are denied too (their paths
   * are prefixes of its path).
   */
  async deniedAmong(tx: Tx, caller: CallerIdentity, permission: Permission, departments: Department[]): Promise<Set<Department>> {
    const denied = new Set<Department>();
    let rest = [...departments].sort((a, b) => b.path.length - a.path.length);
    while (rest.length > 0) {
      const found = await this.firstDenied(tx, caller.corpId, caller, permission, rest);
      if (found === undefined) break;
      if (found === null) return new Set(departments);
      denied.add(found);
      rest = rest.slice(rest.indexOf(found) + 1).filter((d) => {
        const ancestor = d.path.length <= found.path.length && d.path.every((id, i) => found.path[i] === id);
        if (ancestor) denied.add(d);
        return !ancestor;
      });
    }
    return denied;
  }

  async assertSuperAdmin(tx: Tx, caller: CallerIdentity): Promise<void> {
    if (caller.roles.includes(DIRECTORY_SYNC_ROLE)) return;
    const scope = await this.scopes.find(tx, caller.corpId, caller.userId);
    if (scope?.role !== 'super_admin') throw new DomainError('FORBIDDEN', 'only a super admin may do this');
  }

  async check(
    caller: CallerIdentity,
    userid: string,
    departmentIds: number[],
    permission: string,
  ): Promise<{ allowed: boolean; deniedDepartmentId: number }> {
    if (!(PERMISSIONS as readonly string[]).includes(permission))
      throw new ValidationError(`permission must be one of ${PERMISSIONS.join(', ')}`, { field: 'permission' });
    const tx = this.transactions.manager;
    const departments = await this.departments.findMany(tx, caller.corpId, departmentIds);
    const missing = departmentIds.find((id) => !departments.some((d) => d.id === id));
    if (missing !== undefined) throw new NotFoundError('department', { departmentId: missing });
    const who = userid ? { corpId: caller.corpId, userId: userid.toLowerCase(), roles: [] } : caller;
    const denied = await this.firstDenied(tx, caller.corpId, who, permission as Permission, departments);
    return { allowed: denied === undefined, deniedDepartmentId: denied ? denied.id : 0 };
  }

  async setScope(caller: CallerIdentity, scope: AdminScope): Promise<AdminScope> {
    if (!['super_admin', 'sub_admin'].includes(scope.role))
      throw new ValidationError('role must be super_admin or sub_admin', { field: 'role' });
    const unknown = scope.permissions.find((p) => !(PERMISSIONS as readonly string[]).includes(p));
    if (unknown) throw new ValidationError(`unknown permission "${unknown}"; expected ${PERMISSIONS.join(', ')}`, { field: 'permissions' });
    if (scope.role === 'sub_admin' && scope.departmentIds.length === 0) {
      throw new ValidationError('a sub-admin needs at least one department', { field: 'department_ids' });
    }
    const normalised: AdminScope = {
      userid: scope.userid.toLowerCase(),
      role: scope.role,
      departmentIds: scope.role === 'super_admin' ? [] : [...new Set(scope.departmentIds)],
      permissions: scope.role === 'super_admin' ? [] : [...new Set(scope.permissions)],
    };
    return this.transactions.run(async (tx) => {
      await this.assertSuperAdmin(tx, caller);
      if (!(await this.members.find(tx, caller.corpId, normalised.userid)))
        throw new NotFoundError('member', { userid: normalised.userid });
      const departments = await this.departments.findMany(tx, caller.corpId, normalised.departmentIds);
      const missing = normalised.departmentIds.find((id) => !departments.some((d) => d.id === id));
      if (missing !== undefined) throw new NotFoundError('department', { departmentId: missing });
      await this.scopes.upsert(tx, caller.corpId, normalised);
      await this.bus.publish(tx, AdminScopeChanged, caller.corpId, {
        corpId: caller.corpId,
        actor: caller.userId,
        userid: normalised.userid,
        scope: { role: normalised.role, departmentIds: normalised.departmentIds, permissions: normalised.permissions },
      });
      return normalised;
    });
  }

  async removeScope(caller: CallerIdentity, userid: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.assertSuperAdmin(tx, caller);
      const existing = await this.scopes.find(tx, caller.corpId, userid.toLowerCase());
      if (!existing) throw new NotFoundError('admin scope', { userid });
      if (existing.role === 'super_admin' && (await this.scopes.countSuperAdmins(tx, caller.corpId)) <= 1) {
        throw new DomainError('PRECONDITION_FAILED', 'a corp keeps at least one super admin');
      }
      await this.scopes.remove(tx, caller.corpId, existing.userid);
      await this.bus.publish(tx, AdminScopeChanged, caller.corpId, {
        corpId: caller.corpId,
        actor: caller.userId,
        userid: existing.userid,
        scope: null,
      });
    });
  }

  list(caller: CallerIdentity): Promise<AdminScope[]> {
    return this.scopes.list(this.transactions.manager, caller.corpId);
  }
}
