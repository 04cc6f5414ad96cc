import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, DomainError, NotFoundError, TRANSACTIONS, TransactionRunner, Tx } from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { ExtAttr } from '../members/member';
import { ExtAttrInput, MemberAttribute } from './member-attribute';
import {
  MAX_ATTRIBUTES_PER_CORP,
  validateAttributeName,
  validateAttributeOrder,
  validateAttributeType,
  validateAttributeValues,
} from './member-attribute-rules';
import { MemberAttributesRepository } from './member-attributes.repository';

export interface AttributeInput {
  name: string;
  type: string;
  order?: number;
}

export interface AttributePatch {
  newName?: string;
  order?: number;
}

/**
 * 扩展属性: the custom fields a corp gives its members (a badge number, a homepage…). The corp's
 * schema, so only a super admin (or the directory-sync secret) defines it: a sub-admin's power
 * ends at their subtrees, and renaming or deleting an attribute changes members everywhere.
 * Sub-admins with manage_members set members' values, inside their scope, like any other field.
 */
@Injectable()
export class MemberAttributesService {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: TransactionRunner,
    private readonly attributes: MemberAttributesRepository,
    private readonly scopes: AdminScopesService,
  ) {}

  /** Every member of the corp may read the definitions (a profile page shows them). */
  list(caller: CallerIdentity): Promise<MemberAttribute[]> {
    if (!caller.corpId) throw new DomainError('FORBIDDEN', "listing attributes needs a corp member's identity");
    return this.attributes.list(this.transactions.manager, caller.corpId);
  }

  async create(caller: CallerIdentity, input: AttributeInput): Promise<MemberAttribute> {
    const name = validateAttributeName(input.name);
    const type = validateAttributeType(input.type);
    return this.transactions.run(async (tx) => {
      await this.scopes.assertSuperAdmin(tx, caller);
      const existing = await this.attributes.list(tx, caller.corpId);
      if (existing.length >= MAX_ATTRIBUTES_PER_CORP)
        throw new DomainError('LIMIT_EXCEEDED', `a corp defines at most ${MAX_ATTRIBUTES_PER_CORP} custom attributes`);
      // Appended after the others unless placed.
      const order = input.order === undefined ? Math.max(0, ...existing.map((a) => a.order + 1)) : validateAttributeOrder(input.order);
      const attribute: MemberAttribute = { name, type, order };
      await this.attributes.insert(tx, caller.corpId, attribute);
      return attribute;
    });
  }

  /** Renames (members' values follow in the same transaction) or re-orders; the type never changes. */
  async update(caller: CallerIdentity, name: string, patch: AttributePatch): Promise<MemberAttribute> {
    const newName = patch.newName === undefined ? undefined : validateAttributeName(patch.newName, 'new_name');
    const order = patch.order === undefined ? undefined : validateAttributeOrder(patch.order);
    return this.transactions.run(async (tx) => {
      await this.scopes.assertSuperAdmin(tx, caller);
      const current = await this.require(tx, caller.corpId, name);
      const updated: MemberAttribute = { ...current, name: newName ?? current.name, order: order ?? current.order };
      await this.attributes.update(tx, caller.corpId, current.name, updated);
      if (updated.name !== current.name) await this.attributes.renameValues(tx, caller.corpId, current.name, updated.name);
      return updated;
    });
  }

  /** Removes the definition and every member's value of it; answers how many members had one. */
  async delete(caller: CallerIdentity, name: string): Promise<number> {
    return this.transactions.run(async (tx) => {
      await this.scopes.assertSuperAdmin(tx, caller);
      const current = await this.require(tx, caller.corpId, name);
      await this.attributes.delete(tx, caller.corpId, current.name);
      return this.attributes.clearValues(tx, caller.corpId, current.name);
    });
  }

  /** A member's values checked against the corp's definitions, in the transaction that writes the member. */
  async checkValues(tx: Tx, corpId: string, values: ExtAttrInput[]): Promise<ExtAttr[]> {
    if (values.length === 0) return [];
    return validateAttributeValues(values, await this.attributes.list(tx, corpId));
  }

  private async require(tx: Tx, corpId: string, name: string): Promise<MemberAttribute> {
    const attribute = await this.attributes.find(tx, corpId, name);
    if (!attribute) throw new NotFoundError(`custom attribute "${name}"`, { attribute: name });
    return attribute;
  }
}
