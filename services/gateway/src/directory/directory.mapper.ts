import { directoryV1 } from '@atrium/contracts';
import { DomainError } from '@atrium/platform';
import { AdminScopeResponse } from './dto/admin-scope.dto';
import { CreateDepartmentRequest, DepartmentResponse, UpdateDepartmentRequest } from './dto/department.dto';
import { CreateExternalContactRequest, ExternalContactResponse } from './dto/external-contact.dto';
import { ImportJobResponse } from './dto/import.dto';
import { MemberAttributeResponse } from './dto/member-attribute.dto';
import {
  CreateMemberRequest,
  ExtAttrDto,
  ListMembersQuery,
  MemberDepartmentDto,
  MemberResponse,
  UpdateMemberRequest,
} from './dto/member.dto';
import { TagResponse } from './dto/tag.dto';

/** The directory's messages ↔ the public JSON of /api/v1/directory (camelCase, enums as words). */

const missing = (what: string) => new DomainError('INTERNAL', `the directory answered without a ${what}`);

const STATUS: Record<directoryV1.MemberStatus, string> = {
  [directoryV1.MemberStatus.MEMBER_STATUS_UNSPECIFIED]: 'unspecified',
  [directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE]: 'active',
  [directoryV1.MemberStatus.MEMBER_STATUS_DISABLED]: 'disabled',
  [directoryV1.MemberStatus.MEMBER_STATUS_OFFBOARDED]: 'offboarded',
  [directoryV1.MemberStatus.UNRECOGNIZED]: 'unspecified',
};

export function toDepartmentResponse(d: directoryV1.Department | undefined): DepartmentResponse {
  if (!d) throw missing('department');
  return { id: d.id, parentId: d.parentId, name: d.name, nameEn: d.nameEn, order: d.order, leaders: d.leaders, path: d.path };
}

export function toCreateDepartment(body: CreateDepartmentRequest): directoryV1.CreateDepartmentRequest {
  return {
    id: body.id ?? 0,
    parentId: body.parentId,
    name: body.name,
    nameEn: body.nameEn ?? '',
    order: body.order,
    leaders: body.leaders ?? [],
  };
}

export function toUpdateDepartment(id: number, body: UpdateDepartmentRequest): directoryV1.UpdateDepartmentRequest {
  return {
    id,
    name: body.name,
    nameEn: body.nameEn,
    parentId: body.parentId,
    order: body.order,
    leaders: body.leaders && { values: body.leaders },
  };
}

export function toMemberResponse(m: directoryV1.Member | undefined): MemberResponse {
  if (!m) throw missing('member');
  return {
    corpId: m.corpId,
    userid: m.userid,
    name: m.name,
    status: STATUS[m.status] ?? 'unspecified',
    roles: m.roles,
    alias: m.alias,
    nameEn: m.nameEn,
    position: m.position,
    mobile: m.mobile,
    email: m.email,
    telephone: m.telephone,
    gender: m.gender,
    avatar: m.avatar,
    employeeNo: m.employeeNo,
    address: m.address,
    extattrs: m.extattrs.map((a) => ({ name: a.name, type: a.type, value: a.value, title: a.title })),
    departments: m.departments.map((d) => ({ departmentId: d.departmentId, isLeader: d.isLeader, order: d.order })),
    mainDepartment: m.mainDepartment,
    directLeaders: m.directLeaders,
  };
}

const toExtAttrs = (list: ExtAttrDto[]): directoryV1.ExtAttr[] =>
  list.map((a) => ({ name: a.name, type: a.type ?? '', value: a.value, title: a.title ?? '' }));

const toMemberDepartments = (list: MemberDepartmentDto[]): directoryV1.MemberDepartment[] =>
  list.map((d) => ({ departmentId: d.departmentId, isLeader: d.isLeader ?? false, order: d.order ?? 0 }));

export function toMemberInput(body: CreateMemberRequest): directoryV1.MemberInput {
  return {
    userid: body.userid,
    name: body.name,
    alias: body.alias ?? '',
    nameEn: body.nameEn ?? '',
    position: body.position ?? '',
    mobile: body.mobile ?? '',
    email: body.email ?? '',
    telephone: body.telephone ?? '',
    gender: body.gender ?? 0,
    avatar: body.avatar ?? '',
    employeeNo: body.employeeNo ?? '',
    address: body.address ?? '',
    extattrs: toExtAttrs(body.extattrs ?? []),
    departments: toMemberDepartments(body.departments),
    mainDepartment: body.mainDepartment ?? 0,
    directLeaders: body.directLeaders ?? [],
    password: body.password ?? '',
    enabled: body.enabled,
  };
}

export function toMemberPatch(body: UpdateMemberRequest): directoryV1.MemberPatch {
  return {
    name: body.name,
    alias: body.alias,
    nameEn: body.nameEn,
    position: body.position,
    mobile: body.mobile,
    email: body.email,
    telephone: body.telephone,
    gender: body.gender,
    avatar: body.avatar,
    employeeNo: body.employeeNo,
    address: body.address,
    extattrs: body.extattrs && { values: toExtAttrs(body.extattrs) },
    departments: body.departments && { values: toMemberDepartments(body.departments) },
    mainDepartment: body.mainDepartment,
    directLeaders: body.directLeaders && { values: body.directLeaders },
    password: body.password,
  };
}

export function toListMembers(query: ListMembersQuery): directoryV1.ListMembersRequest {
  return {
    departmentId: query.departmentId,
    recursive: query.recursive ?? false,
    pageSize: query.pageSize ?? 100,
    pageToken: query.pageToken ?? '',
  };
}

export function toMemberAttributeResponse(a: directoryV1.MemberAttribute | undefined): MemberAttributeResponse {
  if (!a) throw missing('custom attribute');
  return { name: a.name, type: a.type, order: a.order };
}

export function toTagResponse(t: directoryV1.Tag | undefined): TagResponse {
  if (!t) throw missing('tag');
  return { id: t.id, name: t.name, userids: t.userids, departmentIds: t.departmentIds };
}

export function toAdminScopeResponse(s: directoryV1.AdminScope | undefined): AdminScopeResponse {
  if (!s) throw missing('scope');
  return { userid: s.userid, role: s.role, departmentIds: s.departmentIds, permissions: s.permissions };
}

export function toExternalContactResponse(c: directoryV1.ExternalContact | undefined): ExternalContactResponse {
  if (!c) throw missing('contact');
  return {
    id: c.id,
    ownerUserid: c.ownerUserid,
    name: c.name,
    company: c.company,
    mobile: c.mobile,
    email: c.email,
    notes: c.notes,
    tags: c.tags,
  };
}

export function toExternalContact(body: CreateExternalContactRequest): directoryV1.ExternalContact {
  return {
    id: '',
    ownerUserid: body.ownerUserid ?? '',
    name: body.name,
    company: body.company ?? '',
    mobile: body.mobile ?? '',
    email: body.email ?? '',
    notes: body.notes ?? '',
    tags: body.tags ?? [],
  };
}

export function toImportJobResponse(j: directoryV1.ImportJob | undefined): ImportJobResponse {
  if (!j) throw missing('job');
  return {
    id: j.id,
    kind: j.kind,
    status: j.status,
    mode: j.mode,
    totalRows: j.totalRows,
    processedRows: j.processedRows,
    errorCount: j.errorCount,
    errors: j.errors.map((e) => ({ line: e.line, field: e.field, reason: e.reason })),
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
    createdBy: j.createdBy,
  };
}
