import { directoryV1 } from '@atrium/contracts';
import { ExtAttrInput } from '../attributes/member-attribute';
import { Corp, Member, MemberDepartment, MemberStatus } from './member';
import { MemberInput, MemberPatch } from './members.service';

const STATUS: Record<MemberStatus, directoryV1.MemberStatus> = {
  active: directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE,
  disabled: directoryV1.MemberStatus.MEMBER_STATUS_DISABLED,
  offboarded: directoryV1.MemberStatus.MEMBER_STATUS_OFFBOARDED,
};

export function toMemberMessage(m: Member): directoryV1.Member {
  return {
    corpId: m.corpId,
    userid: m.userid,
    name: m.name,
    status: STATUS[m.status],
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
    extattrs: m.extattrs,
    departments: m.departments.map((d) => ({ departmentId: d.departmentId, isLeader: d.isLeader, order: d.order })),
    mainDepartment: m.mainDepartment,
    directLeaders: m.directLeaders,
  };
}

export function toCorpMessage(corp: Corp): directoryV1.Corp {
  return { id: corp.id, code: corp.code, name: corp.name };
}

const toExtAttrs = (list: directoryV1.ExtAttr[]): ExtAttrInput[] =>
  list.map((a) => ({ name: a.name, type: a.type, value: a.value, title: a.title }));
const toDepartments = (list: directoryV1.MemberDepartment[]): MemberDepartment[] =>
  list.map((d) => ({ departmentId: d.departmentId, isLeader: d.isLeader, order: Number(d.order) }));

export function fromMemberInput(input: directoryV1.MemberInput): MemberInput {
  return {
    userid: input.userid,
    name: input.name,
    alias: input.alias,
    nameEn: input.nameEn,
    position: input.position,
    mobile: input.mobile,
    email: input.email,
    telephone: input.telephone,
    gender: input.gender,
    avatar: input.avatar,
    employeeNo: input.employeeNo,
    address: input.address,
    extattrs: toExtAttrs(input.extattrs),
    departments: toDepartments(input.departments),
    mainDepartment: input.mainDepartment,
    directLeaders: input.directLeaders,
    password: input.password || undefined,
    enabled: input.enabled,
  };
}

export function fromMemberPatch(patch: directoryV1.MemberPatch): MemberPatch {
  return {
    name: patch.name,
    alias: patch.alias,
    nameEn: patch.nameEn,
    position: patch.position,
    mobile: patch.mobile,
    email: patch.email,
    telephone: patch.telephone,
    gender: patch.gender,
    avatar: patch.avatar,
    employeeNo: patch.employeeNo,
    address: patch.address,
    extattrs: patch.extattrs ? toExtAttrs(patch.extattrs.values) : undefined,
    departments: patch.departments ? toDepartments(patch.departments.values) : undefined,
    mainDepartment: patch.mainDepartment,
    directLeaders: patch.directLeaders?.values,
    password: patch.password,
    enabled: patch.enabled,
  };
}
