import { directoryV1 } from '@atrium/contracts';
import { CorpEntity } from '../corps/corp.entity';
import { MemberEntity, MemberStatus } from './member.entity';

const STATUS: Record<MemberStatus, directoryV1.MemberStatus> = {
  active: directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE,
  disabled: directoryV1.MemberStatus.MEMBER_STATUS_DISABLED,
  offboarded: directoryV1.MemberStatus.MEMBER_STATUS_OFFBOARDED,
};

export function toMemberMessage(member: MemberEntity): directoryV1.Member {
  return { corpId: member.corpId, userid: member.userid, name: member.name, status: STATUS[member.status], roles: member.roles };
}

export function toCorpMessage(corp: CorpEntity): directoryV1.Corp {
  return { id: corp.id, code: corp.code, name: corp.name };
}
