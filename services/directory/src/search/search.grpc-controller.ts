import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toMemberMessage } from '../members/member.mapper';
import { MemberSearchService } from './member-search.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class SearchGrpcController {
  constructor(private readonly search: MemberSearchService) {}

  @GrpcMethod(SERVICE, 'SearchMembers')
  async searchMembers(r: directoryV1.SearchMembersRequest): Promise<directoryV1.SearchMembersResponse> {
    const hits = await this.search.search(currentCaller(), r.query, r.limit);
    return { hits: hits.map((h) => ({ member: toMemberMessage(h.member), match: h.match, field: h.field })) };
  }
}
