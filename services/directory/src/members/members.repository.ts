import { ConflictError, Tx } from '@atrium/platform';
import { QueryFailedError } from 'typeorm';
import { MemberEntity } from './member.entity';

const UNIQUE_VIOLATION = '23505';

/** Every query is scoped by corp: no method reads across tenants. */
export class MembersRepository {
  async insert(tx: Tx, member: MemberEntity): Promise<MemberEntity> {
    try {
      await tx.getRepository(MemberEntity).insert(member);
      return member;
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictError(`userid "${member.userid}" is taken`, { field: 'userid' });
      }
      throw error;
    }
  }

  findByUserid(tx: Tx, corpId: string, userid: string): Promise<MemberEntity | null> {
    return tx
      .getRepository(MemberEntity)
      .createQueryBuilder('m')
      .where('m.corp_id = :corpId AND lower(m.userid) = lower(:userid)', { corpId, userid })
      .getOne();
  }
}
