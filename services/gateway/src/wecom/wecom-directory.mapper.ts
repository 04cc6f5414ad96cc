import { directoryV1 } from '@atrium/contracts';
import { DomainError } from '@atrium/platform';
import { WecomDepartmentCreate, WecomDepartmentUpdate } from './dto/wecom-department.dto';
import { WecomExtAttr, WecomUserCreate, WecomUserUpdate } from './dto/wecom-user.dto';
import { ERRCODE, WecomError } from './wecom-error';

/** The directory's messages in WeCom's shapes and field names (developer.work.weixin.qq.com, 通讯录管理). */

export const ROOT_DEPARTMENT_ID = 1;

export interface WecomDepartment {
  id: number;
  name: string;
  name_en: string;
  department_leader: string[];
  parentid: number;
  order: number;
}

export function toWecomDepartment(d: directoryV1.Department | undefined): WecomDepartment {
  if (!d) throw new DomainError('INTERNAL', 'the directory answered without a department');
  return { id: d.id, name: d.name, name_en: d.nameEn, department_leader: d.leaders, parentid: d.parentId, order: d.order };
}

export function toCreateDepartment(body: WecomDepartmentCreate): directoryV1.CreateDepartmentRequest {
  return {
    id: body.id ?? 0,
    parentId: body.parentid,
    name: body.name,
    nameEn: body.name_en ?? '',
    order: body.order,
    leaders: body.department_leader ?? [],
  };
}

export function toUpdateDepartment(body: WecomDepartmentUpdate): directoryV1.UpdateDepartmentRequest {
  return {
    id: body.id,
    name: body.name,
    nameEn: body.name_en,
    parentId: body.parentid,
    order: body.order,
    leaders: body.department_leader && { values: body.department_leader },
  };
}

// WeCom: 1 active, 2 disabled, 4 not activated, 5 left the corp. Atrium has no "not activated".
const WECOM_STATUS: Record<directoryV1.MemberStatus, number> = {
  [directoryV1.MemberStatus.MEMBER_STATUS_UNSPECIFIED]: 1,
  [directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE]: 1,
  [directoryV1.MemberStatus.MEMBER_STATUS_DISABLED]: 2,
  [directoryV1.MemberStatus.MEMBER_STATUS_OFFBOARDED]: 5,
  [directoryV1.MemberStatus.UNRECOGNIZED]: 1,
};

type WecomAttr = { type: 0; name: string; text: { value: string } } | { type: 1; name: string; web: { url: string; title: string } };

export interface WecomUser {
  userid: string;
  name: string;
  department: number[];
  order: number[];
  position: string;
  mobile: string;
  gender: string;
  email: string;
  is_leader_in_dept: number[];
  direct_leader: string[];
  avatar: string;
  thumb_avatar: string;
  telephone: string;
  alias: string;
  address: string;
  main_department: number;
  extattr: { attrs: WecomAttr[] };
  status: number;
}

export function toWecomUser(m: directoryV1.Member | undefined): WecomUser {
  if (!m) throw new DomainError('INTERNAL', 'the directory answered without a member');
  return {
    userid: m.userid.toLowerCase(),
    name: m.name,
    department: m.departments.map((d) => d.departmentId),
    order: m.departments.map((d) => d.order),
    position: m.position,
    mobile: m.mobile,
    gender: String(m.gender),
    email: m.email,
    is_leader_in_dept: m.departments.map((d) => (d.isLeader ? 1 : 0)),
    direct_leader: m.directLeaders,
    avatar: m.avatar,
    thumb_avatar: m.avatar,
    telephone: m.telephone,
    alias: m.alias,
    address: m.address,
    main_department: m.mainDepartment,
    extattr: {
      attrs: m.extattrs.map((a): WecomAttr =>
        a.type === 'url'
          ? { type: 1, name: a.name, web: { url: a.value, title: a.title || a.name } }
          : { type: 0, name: a.name, text: { value: a.value } },
      ),
    },
    status: WECOM_STATUS[m.status] ?? 1,
  };
}

export function toWecomSimpleUser(m: directoryV1.Member): { userid: string; name: string; department: number[] } {
  return { userid: m.userid.toLowerCase(), name: m.name, department: m.departments.map((d) => d.departmentId) };
}

/**
 * extattr.attrs as the directory's values. As in WeCom, an attribute the corp has not defined is
 * ignored (扩展属性 must be added in the admin console first), not refused; the directory checks
 * the rest (type, http(s) URL, length). An empty text or url clears the attribute.
 */
function fromExtattr(extattr: WecomExtAttr, defined: directoryV1.MemberAttribute[]): directoryV1.ExtAttr[] {
  const names = new Set(defined.map((d) => d.name.toLowerCase()));
  return extattr.attrs
    .filter((a) => names.has(a.name.trim().toLowerCase()))
    .map((a) =>
      a.type === 1
        ? { name: a.name, type: 'url', value: a.web?.url ?? '', title: a.web?.title ?? '' }
        : { name: a.name, type: 'text', value: a.text?.value ?? '', title: '' },
    );
}

/** user/update changes only the attributes it names: the others keep their values. */
function mergeExtattrs(current: directoryV1.ExtAttr[], sent: directoryV1.ExtAttr[]): directoryV1.ExtAttr[] {
  const byName = new Map(sent.map((a) => [a.name.trim().toLowerCase(), a]));
  const kept = current.map((a) => byName.get(a.name.toLowerCase()) ?? a);
  const added = sent.filter((a) => !current.some((c) => c.name.toLowerCase() === a.name.trim().toLowerCase()));
  return [...kept, ...added];
}

/** department[], order[] and is_leader_in_dept[] are parallel arrays. */
function zipDepartments(
  departments: number[],
  order: number[] | undefined,
  leaderFlags: number[] | undefined,
  current: directoryV1.MemberDepartment[] = [],
): directoryV1.MemberDepartment[] {
  if (order && order.length !== departments.length) {
    throw new WecomError(ERRCODE.INVALID_PARAMETER, 'order must have one entry per department');
  }
  if (leaderFlags && leaderFlags.length !== departments.length) {
    throw new WecomError(ERRCODE.LEADER_FLAGS_MISMATCH, 'is_leader_in_dept must have one entry per department');
  }
  return departments.map((departmentId, i) => {
    const before = current.find((d) => d.departmentId === departmentId);
    return {
      departmentId,
      order: order?.[i] ?? before?.order ?? 0,
      isLeader: leaderFlags ? leaderFlags[i] === 1 : (before?.isLeader ?? false),
    };
  });
}

/** `defined`: the corp's custom attributes (needed only when the body has extattr). */
export function toMemberInput(body: WecomUserCreate, defined: directoryV1.MemberAttribute[] = []): directoryV1.MemberInput {
  if (!body.mobile && !body.email) throw new WecomError(ERRCODE.MISSING_MOBILE_AND_EMAIL, 'mobile and email are both empty');
  return {
    userid: body.userid,
    name: body.name,
    alias: body.alias ?? '',
    nameEn: '',
    position: body.position ?? '',
    mobile: body.mobile ?? '',
    email: body.email ?? '',
    telephone: body.telephone ?? '',
    gender: body.gender ?? 0,
    avatar: '',
    employeeNo: '',
    address: body.address ?? '',
    extattrs: body.extattr ? fromExtattr(body.extattr, defined) : [],
    departments: zipDepartments(body.department ?? [ROOT_DEPARTMENT_ID], body.order, body.is_leader_in_dept),
    mainDepartment: body.main_department ?? 0,
    directLeaders: body.direct_leader ?? [],
    password: '',
    enabled: body.enable === undefined ? undefined : body.enable === 1,
  };
}

/** Whether user/update changes the member's departments (then the current ones fill the gaps). */
export const touchesDepartments = (body: WecomUserUpdate) =>
  body.department !== undefined || body.order !== undefined || body.is_leader_in_dept !== undefined;

/** Whether user/update needs the member as it is: departments and attributes it leaves out stay. */
export const needsCurrentMember = (body: WecomUserUpdate) => touchesDepartments(body) || body.extattr !== undefined;

/**
 * `current`: the member as it is, when needsCurrentMember; `defined`: the corp's custom
 * attributes, when the body has extattr.
 */
export function toMemberPatch(
  body: WecomUserUpdate,
  current?: directoryV1.Member,
  defined: directoryV1.MemberAttribute[] = [],
): directoryV1.MemberPatch {
  const departments =
    current && touchesDepartments(body)
      ? zipDepartments(
          body.department ?? current.departments.map((d) => d.departmentId),
          body.order,
          body.is_leader_in_dept,
          current.departments,
        )
      : undefined;
  return {
    name: body.name,
    alias: body.alias,
    position: body.position,
    mobile: body.mobile,
    email: body.email,
    telephone: body.telephone,
    gender: body.gender,
    address: body.address,
    extattrs: body.extattr && { values: mergeExtattrs(current?.extattrs ?? [], fromExtattr(body.extattr, defined)) },
    departments: departments && { values: departments },
    mainDepartment: body.main_department,
    directLeaders: body.direct_leader && { values: body.direct_leader },
    enabled: body.enable === undefined ? undefined : body.enable === 1,
  };
}
