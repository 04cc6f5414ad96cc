import { Injectable } from '@nestjs/common';
import { auditV1, directoryV1 } from '@atrium/contracts';
import { CallerIdentity, DomainError, requireRole, SUPER_ADMIN_ROLE, ValidationError } from '@atrium/platform';
import { ServiceClients } from '../clients/service-clients';

/**
 * Granting compliance-officer rights: only to someone who is an active member of the corp now. A
 * grant to a userid nobody holds yet would pass to whoever is given that userid later.
 */
@Injectable()
export class ComplianceOfficersService {
  constructor(private readonly clients: ServiceClients) {}

  async grant(caller: CallerIdentity, userid: string, departmentIds: number[]): Promise<auditV1.ComplianceOfficer> {
    // The audit service checks this too; first here, so that nobody else learns who is a member.
    requireRole(caller, SUPER_ADMIN_ROLE);
    const { member } = await this.clients.directory.call('GetMember', (directory, md) => directory.getMember({ userid }, md));
    if (!member) throw new DomainError('NOT_FOUND', `member ${userid} not found`, { userid });
    if (member.status !== directoryV1.MemberStatus.MEMBER_STATUS_ACTIVE)
      throw new ValidationError(`${userid} is not an active member`, { field: 'userid', reason: 'MEMBER_NOT_ACTIVE' });
    const { officer } = await this.clients.audit.call('GrantComplianceOfficer', (audit, md) =>
      audit.grantComplianceOfficer({ userid, departmentIds }, md),
    );
    if (!officer) throw new DomainError('INTERNAL', 'audit answered without the grant');
    return officer;
  }
}
