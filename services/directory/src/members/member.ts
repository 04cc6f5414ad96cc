export type MemberStatus = 'active' | 'disabled' | 'offboarded';

export interface ExtAttr {
  name: string;
  type: 'text' | 'url';
  value: string;
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
