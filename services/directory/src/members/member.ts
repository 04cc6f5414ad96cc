export type MemberStatus = 'active' | 'disabled' | 'offboarded';

/** A member's value of one of the corp's custom attributes (attributes/member-attribute.ts). */
export interface ExtAttr {
  name: string;
  type: 'text' | 'url';
  value: string;
  /** Url attributes: the link's display title; empty otherwise. */
  title: string;
}

export interface MemberDepartment {
  departmentId: number;
  isLeader: boolean;
  order: number;
}

/** The electronic badge. userid is stored lower-case. */
export interface Member {
  corpId: string;
  userid: string;
  name: string;
  status: MemberStatus;
  roles: string[];
  alias: string;
  nameEn: string;
  position: string;
  mobile: string;
  email: string;
  telephone: string;
  gender: number;
  avatar: string;
  employeeNo: string;
  address: string;
  extattrs: ExtAttr[];
  departments: MemberDepartment[];
  mainDepartment: number;
  directLeaders: string[];
  passwordHash: string | null;
}

export interface Corp {
  id: string;
  code: string;
  name: string;
}

/** A member with every optional field empty: the base that creation paths fill in. */
export function blankMember(corpId: string, userid: string): Member {
  return {
    corpId,
    userid,
    name: '',
    status: 'active',
    roles: [],
    alias: '',
    nameEn: '',
    position: '',
    mobile: '',
    email: '',
    telephone: '',
    gender: 0,
    avatar: '',
    employeeNo: '',
    address: '',
    extattrs: [],
    departments: [],
    mainDepartment: 0,
    directLeaders: [],
    passwordHash: null,
  };
}
