import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { AdminScopesService } from '../admin/admin-scopes.service';
import { OrgQueriesService } from './org-queries.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class OrgQueriesGrpcController {
  constructor(
    private readonly queries: OrgQueriesService,
    private readonly scopes: AdminScopesService,
  ) {}

  @GrpcMethod(SERVICE, 'ResolveRecipients')
  async resolveRecipients(r: directoryV1.ResolveRecipientsRequest): Promise<directoryV1.ResolveRecipientsResponse> {
    const result = await this.queries.resolveRecipients(
      currentCaller(),
      { userids: r.userids, subtreeDepartmentIds: r.departmentIds, directDepartmentIds: r.directDepartmentIds, tagIds: r.tagIds },
      r.pageSize,
      r.pageToken,
    );
    return {
      userids: result.userids,
      nextPageToken: result.nextPageToken,
      total: result.total,
      invalidUserids: result.invalidUserids,
      invalidDepartmentIds: result.invalidDepartmentIds,
      invalidTagIds: result.invalidTagIds,
    };
  }

  @GrpcMethod(SERVICE, 'GetManagerChain')
  async getManagerChain(r: directoryV1.GetManagerChainRequest): Promise<directoryV1.GetManagerChainResponse> {
    return { levels: (await this.queries.managerChain(currentCaller(), r.userid, r.levels)).map((values) => ({ values })) };
  }

  @GrpcMethod(SERVICE, 'GetDepartmentHeads')
  async getDepartmentHeads(r: directoryV1.GetDepartmentHeadsRequest): Promise<directoryV1.GetDepartmentHeadsResponse> {
    return this.queries.departmentHeads(currentCaller(), r.userid, r.level);
  }

  @GrpcMethod(SERVICE, 'CheckAdminScope')
  async checkAdminScope(r: directoryV1.CheckAdminScopeRequest): Promise<directoryV1.CheckAdminScopeResponse> {
    return this.scopes.check(currentCaller(), r.userid, r.departmentIds, r.permission);
  }
}
