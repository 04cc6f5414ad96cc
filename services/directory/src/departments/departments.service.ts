import { Inject, Injectable } from '@nestjs/common';
import { DepartmentCreated, DepartmentDeleted, DepartmentMoved, DepartmentUpdated } from '@atrium/contracts';
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
import { AdminScopesService } from '../admin/admin-scopes.service';
import { MembersRepository } from '../members/members.repository';
import { Department, departmentSnapshot, MAX_DEPARTMENTS_PER_CORP, MAX_DEPTH, ROOT_DEPARTMENT_ID } from './department';
import { validateDepartmentId, validateDepartmentName, validateDepartmentNameEn, validateOrder } from './department-rules';
import { DepartmentsRepository } from './departments.repository';

export interface CreateDepartmentInput {
  id?: number;
  parentId: number;
  name: string;
  nameEn?: string;
  order?: number;
  leaders?: string[];
}

export interface UpdateDepartmentInput {
  name?: string;
  nameEn?: string;
  parentId?: number;
  order?: number;
  leaders?: string[];
}

// Gap left between sibling orders when a move renumbers them, so most later moves touch one row.
const ORDER_STEP = 1_000;

@Injectable()
export class DepartmentsService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly departments: DepartmentsRepository,
    private readonly members: MembersRepository,
    private readonly scopes: AdminScopesService,
  ) {}

  async create(caller: CallerIdentity, input: CreateDepartmentInput): Promise<Department> {
    const name = validateDepartmentName(input.name);
    const nameEn = validateDepartmentNameEn(input.nameEn ?? '');
    if (input.id !== undefined && input.id !== 0 && validateDepartmentId(input.id) === ROOT_DEPARTMENT_ID) {
      throw new ValidationError('id must be greater than 1 (1 is the root)', { field: 'id' });
    }
    const order = input.order === undefined ? undefined : validateOrder(input.order);
    return this.transactions.run(async (tx) => {
      await this.departments.lockTree(tx, caller.corpId);
      const parent = await this.requireDepartment(tx, caller.corpId, input.parentId, 'parent_id');
      await this.scopes.assertAllowed(tx, caller, 'manage_departments', [parent]);
      if (parent.path.length + 1 > MAX_DEPTH) {
        throw new DomainError('DEPARTMENT_TOO_DEEP', `departments nest at most ${MAX_DEPTH} levels deep`, { parentId: parent.id });
      }
      if ((await this.departments.count(tx, caller.corpId)) >= MAX_DEPARTMENTS_PER_CORP) {
        throw new DomainError('LIMIT_EXCEEDED', `a corp has at most ${MAX_DEPARTMENTS_PER_CORP} departments`);
      }
      const leaders = await this.validLeaders(tx, caller.corpId, input.leaders ?? []);
      const id = input.id || (await this.departments.nextId(tx, caller.corpId));
      const department: Department = {
        corpId: caller.corpId,
        id,
        parentId: parent.id,
        name,
        nameEn,
        order: order ?? (await this.orderAfterLast(tx, caller.corpId, parent.id)),
        path: [...parent.path, id],
        leaders,
      };
      await this.departments.insert(tx, department);
      await this.departments.setLeaders(tx, caller.corpId, id, leaders);
      await this.bus.publish(tx, DepartmentCreated, caller.corpId, {
        corpId: caller.corpId,
        actor: caller.userId,
        department: departmentSnapshot(department),
      });
      return department;
    });
  }

  async update(caller: CallerIdentity, id: number, input: UpdateDepartmentInput): Promise<Department> {
    return this.transactions.run(async (tx) => {
      await this.departments.lockTree(tx, caller.corpId);
      let department = await this.requireDepartment(tx, caller.corpId, id, 'id');
      await this.scopes.assertAllowed(tx, caller, 'manage_departments', [department]);
      if (input.parentId !== undefined && input.parentId !== department.parentId) {
        department = await this.moveWithin(tx, caller, department, input.parentId, undefined);
      }
      const updated: Department = {
        ...department,
        name: input.name === undefined ? department.name : validateDepartmentName(input.name),
        nameEn: input.nameEn === undefined ? department.nameEn : validateDepartmentNameEn(input.nameEn),
        order: input.order === undefined ? department.order : validateOrder(input.order),
        leaders: input.leaders === undefined ? department.leaders : await this.validLeaders(tx, caller.corpId, input.leaders),
      };
      if (updated.id === ROOT_DEPARTMENT_ID && updated.order !== department.order) {
        throw new ValidationError('the root department has no siblings to be ordered among', { field: 'order' });
      }
      await this.departments.updateAttributes(tx, updated);
      if (input.leaders !== undefined) await this.departments.setLeaders(tx, caller.corpId, id, updated.leaders);
      await this.bus.publish(tx, DepartmentUpdated, caller.corpId, {
        corpId: caller.corpId,
        actor: caller.userId,
        department: departmentSnapshot(updated),
      });
      return updated;
    });
  }

  /** Re-parents and places the department right after a sibling, atomically. */
  async move(caller: CallerIdentity, id: number, parentId: number, afterId: number): Promise<Department> {
    return this.transactions.run(async (tx) => {
      await this.departments.lockTree(tx, caller.corpId);
      const department = await this.requireDepartment(tx, caller.corpId, id, 'id');
      await this.scopes.assertAllowed(tx, caller, 'manage_departments', [department]);
      return this.moveWithin(tx, caller, department, parentId, afterId);
    });
  }

  private async moveWithin(
    tx: Tx,
    caller: CallerIdentity,
    department: Department,
    parentId: number,
    afterId: number | undefined,
  ): Promise<Department> {
    if (department.id === ROOT_DEPARTMENT_ID) throw new ValidationError('the root department cannot be moved', { field: 'id' });
    const newParent = await this.requireDepartment(tx, caller.corpId, parentId, 'parent_id');
    if (newParent.path.includes(department.id)) {
      throw new DomainError('DEPARTMENT_CYCLE', `department ${department.id} cannot move into its own subtree (under ${newParent.id})`, {
        departmentId: department.id,
        parentId: newParent.id,
      });
    }
    await this.scopes.assertAllowed(tx, caller, 'manage_departments', [newParent]);
    const fromParentId = department.parentId;
    let moved = department;
    if (newParent.id !== department.parentId) {
      const height = await this.departments.subtreeHeight(tx, caller.corpId, department);
      if (newParent.path.length + height > MAX_DEPTH) {
        throw new DomainError('DEPARTMENT_TOO_DEEP', `the move would nest departments deeper than ${MAX_DEPTH} levels`, {
          departmentId: department.id,
        });
      }
      await this.departments.reparent(tx, caller.corpId, department, newParent);
      moved = { ...department, parentId: newParent.id, path: [...newParent.path, department.id] };
    }
    if (afterId !== undefined) moved = { ...moved, order: await this.placeAfter(tx, caller.corpId, moved, afterId) };
    await this.bus.publish(tx, DepartmentMoved, caller.corpId, {
      corpId: caller.corpId,
      actor: caller.userId,
      department: departmentSnapshot(moved),
      fromParentId,
    });
    return moved;
  }

  /**
   * Siblings are shown by descending order (WeCom's convention). Renumbers the siblings so the
   * department sits right after `afterId` (first when 0) and returns its new order.
   */
  private async placeAfter(tx: Tx, corpId: string, department: Department, afterId: number): Promise<number> {
    const siblings = (await this.departments.children(tx, corpId, department.parentId)).filter((d) => d.id !== department.id);
    let index = 0;
    if (afterId !== 0) {
      index = siblings.findIndex((d) => d.id === afterId) + 1;
      if (index === 0) throw new NotFoundError('sibling department', { afterId });
    }
    const ordered = [...siblings.slice(0, index), department, ...siblings.slice(index)];
    const orders = ordered.map((d, i) => ({ id: d.id, order: (ordered.length - i) * ORDER_STEP, previous: d.order }));
    await this.departments.setOrders(
      tx,
      corpId,
      orders.filter((o) => o.order !== o.previous || o.id === department.id),
    );
    return orders[index].order;
  }

  private async orderAfterLast(tx: Tx, corpId: string, parentId: number): Promise<number> {
    const siblings = await this.departments.children(tx, corpId, parentId);
    const lowest = siblings.length ? Math.min(...siblings.map((s) => s.order)) : ORDER_STEP * 100_000;
    return Math.max(0, lowest - ORDER_STEP);
  }

  async delete(caller: CallerIdentity, id: number): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.departments.lockTree(tx, caller.corpId);
      const department = await this.requireDepartment(tx, caller.corpId, id, 'id');
      await this.scopes.assertAllowed(tx, caller, 'manage_departments', [department]);
      if (department.id === ROOT_DEPARTMENT_ID)
        throw new DomainError('PRECONDITION_FAILED', 'the root department cannot be deleted', { departmentId: id });
      if ((await this.departments.children(tx, caller.corpId, id)).length > 0) {
        throw new DomainError('DEPARTMENT_NOT_EMPTY', `department ${id} still has sub-departments`, {
          departmentId: id,
          reason: 'CHILDREN',
        });
      }
      if (await this.departments.hasMembers(tx, caller.corpId, id)) {
        throw new DomainError('DEPARTMENT_NOT_EMPTY', `department ${id} still has members`, { departmentId: id, reason: 'MEMBERS' });
      }
      await this.departments.delete(tx, caller.corpId, id);
      await this.bus.publish(tx, DepartmentDeleted, caller.corpId, { corpId: caller.corpId, actor: caller.userId, departmentId: id });
    });
  }

  async get(caller: CallerIdentity, id: number): Promise<Department> {
    return this.requireDepartment(this.transactions.manager, caller.corpId, id, 'id');
  }

  async list(caller: CallerIdentity, id: number, directOnly: boolean): Promise<Department[]> {
    const tx = this.transactions.manager;
    const root = await this.requireDepartment(tx, caller.corpId, id || ROOT_DEPARTMENT_ID, 'id');
    return directOnly
      ? [root, ...(await this.departments.children(tx, caller.corpId, root.id))]
      : this.departments.subtree(tx, caller.corpId, root.id);
  }

  private async requireDepartment(tx: Tx, corpId: string, id: number, field: string): Promise<Department> {
    validateDepartmentId(id, field);
    const department = await this.departments.find(tx, corpId, id);
    if (!department) throw new NotFoundError(`department ${id}`, { field, departmentId: id });
    return department;
  }

  private async validLeaders(tx: Tx, corpId: string, leaders: string[]): Promise<string[]> {
    const wanted = [...new Set(leaders.map((l) => l.toLowerCase()))];
    const existing = await this.members.existing(tx, corpId, wanted);
    const missing = wanted.find((l) => !existing.has(l));
    if (missing) throw new NotFoundError(`member ${missing}`, { field: 'leaders', userid: missing });
    return wanted.sort();
  }
}
