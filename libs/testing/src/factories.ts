/** Factories of contract messages for tests of any service. */
import { directoryV1 } from '@atrium/contracts';

/** A MemberInput with every field at its empty value; tests spread what they need over it. */
export const EMPTY_MEMBER: directoryV1.MemberInput = {
  userid: '',
  name: '',
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
  password: '',
};

export function memberInput(
  userid: string,
  departmentIds: number[],
  extra: Partial<directoryV1.MemberInput> = {},
): directoryV1.MemberInput {
  return {
    ...EMPTY_MEMBER,
    userid,
    name: userid,
    email: `${userid}@example.com`,
    departments: departmentIds.map((departmentId) => ({ departmentId, isLeader: false, order: 0 })),
    ...extra,
  };
}
