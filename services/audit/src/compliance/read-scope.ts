import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '@atrium/platform';
import { DataSource } from 'typeorm';
import { PolicyRepository } from '../policy/policy.repository';
import { retentionCutoff } from '../retention/retention-cutoff';
import { OfficerGrant } from './officers.repository';

/** What one reader may see of a corp's archive. */
export interface ReadScope {
  corpId: string;
  /** The department subtrees a scoped officer is limited to; undefined: the whole corp. */
  departmentIds?: number[];
  /**
   * Records before this are past retention. Their day key may survive because a legal hold covers
   * another record of that day: such records stay readable only while a hold covers them too.
   */
  retainedFrom?: Date;
}

@Injectable()
export class ReadScopes {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly policies: PolicyRepository,
  ) {}

  /** An officer's scope (their departments), or the whole corp for a super admin or a pull token. */
  async scopeOf(corpId: string, grant?: OfficerGrant, now = new Date()): Promise<ReadScope> {
    const { retentionDays } = await this.policies.get(this.db, corpId);
    return {
      corpId,
      departmentIds: grant && grant.departmentIds.length > 0 ? grant.departmentIds : undefined,
      retainedFrom: retentionDays > 0 ? retentionCutoff(now, retentionDays) : undefined,
    };
  }
}
