import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toArchivedMessage, toSearchFilterInput } from './audit.mapper';
import { SearchService } from './search.service';

const SERVICE = auditV1.AUDIT_SERVICE_NAME;

/** Searching the archive and reading a record in its conversation. */
@Controller()
export class SearchGrpcController {
  constructor(private readonly search: SearchService) {}

  @GrpcMethod(SERVICE, 'SearchArchive')
  async searchArchive(r: auditV1.SearchArchiveRequest): Promise<auditV1.SearchArchiveResponse> {
    const page = await this.search.searchMessages(currentCaller(), {
      ...toSearchFilterInput(r),
      pageSize: r.pageSize,
      pageToken: r.pageToken,
    });
    return { messages: page.messages.map(toArchivedMessage), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(SERVICE, 'GetRecordContext')
  async getRecordContext(r: auditV1.GetRecordContextRequest): Promise<auditV1.GetRecordContextResponse> {
    const context = await this.search.context(currentCaller(), r.eventId, r.before ?? 10, r.after ?? 10);
    return {
      before: context.before.map(toArchivedMessage),
      record: toArchivedMessage(context.record),
      after: context.after.map(toArchivedMessage),
    };
  }
}
