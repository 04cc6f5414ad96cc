import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { toArchivedMessageResponse, toArchiveFilter, toCheckpointResponse, toVerifyResponse } from './compliance.mapper';
import {
  ArchivePolicyDto,
  ContextQuery,
  CreateCheckpointResponse,
  RecordContextResponse,
  RecordIdParam,
  SearchArchiveQuery,
  SearchArchiveResponse,
  VerifyResponse,
} from './dto/compliance.dto';

/**
 * The archive for compliance officers: search (each one archived), the context of a hit, and the
 * integrity and policy endpoints. Officers see only their corp, and a department-scoped officer
 * only conversations with a participant in their departments.
 */
@AuthenticatedApi('compliance', {
  forbidden: 'FORBIDDEN: not a compliance officer of the corp (policy changes: super admin)',
  notFound: 'NOT_FOUND: no such message in your scope',
})
@Controller('api/v1/compliance')
export class ComplianceArchiveHttpController {
  constructor(private readonly clients: ServiceClients) {}

  /** Newest first; `cursor` continues where the previous page stopped. */
  @Get('search')
  @ApiOkResponse({ type: SearchArchiveResponse })
  async search(@Query() q: SearchArchiveQuery): Promise<SearchArchiveResponse> {
    const request = {
      conversationId: '',
      participant: '',
      fromTime: '',
      toTime: '',
      messageType: '',
      keyword: '',
      pageSize: q.pageSize ?? 20,
      pageToken: q.cursor ?? '',
      filter: toArchiveFilter(q),
    };
    const page = await this.clients.audit.call('SearchArchive', (a, md) => a.searchArchive(request, md));
    return { messages: page.messages.map(toArchivedMessageResponse), nextCursor: page.nextPageToken };
  }

  @Get('records/:id/context')
  @ApiOkResponse({ type: RecordContextResponse })
  async context(@Param() { id }: RecordIdParam, @Query() q: ContextQuery): Promise<RecordContextResponse> {
    const context = await this.clients.audit.call('GetRecordContext', (a, md) =>
      a.getRecordContext({ eventId: id, before: q.before ?? 10, after: q.after ?? 10 }, md),
    );
    return {
      before: context.before.map(toArchivedMessageResponse),
      record: toArchivedMessageResponse(context.record),
      after: context.after.map(toArchivedMessageResponse),
    };
  }

  /** Recomputes the hash chain and checks the signed checkpoints. */
  @Get('verify')
  @ApiOkResponse({ type: VerifyResponse })
  async verify(): Promise<VerifyResponse> {
    return toVerifyResponse(await this.clients.audit.call('VerifyArchive', (a, md) => a.verifyArchive({}, md)));
  }

  /** The signed checkpoints with the public key that checks them, to keep outside Atrium. */
  @Get('checkpoints')
  @ApiOkResponse({ schema: { type: 'object', description: 'format atrium-audit-checkpoints/v1' } })
  async checkpoints(): Promise<Record<string, unknown>> {
    const { json } = await this.clients.audit.call('ExportCheckpoints', (a, md) => a.exportCheckpoints({}, md));
    return JSON.parse(json) as Record<string, unknown>;
  }

  @Post('checkpoints')
  @HttpCode(200)
  @ApiOkResponse({ type: CreateCheckpointResponse })
  async checkpoint(): Promise<CreateCheckpointResponse> {
    const { checkpoint } = await this.clients.audit.call('CreateCheckpoint', (a, md) => a.createCheckpoint({}, md));
    return { checkpoint: checkpoint ? toCheckpointResponse(checkpoint) : null };
  }

  @Get('policy')
  @ApiOkResponse({ type: ArchivePolicyDto })
  async policy(): Promise<ArchivePolicyDto> {
    const { policy } = await this.clients.audit.call('GetArchivePolicy', (a, md) => a.getArchivePolicy({}, md));
    return { archivingEnabled: policy?.archivingEnabled ?? true, retentionDays: policy?.retentionDays ?? 0 };
  }

  /** Super admin: archiving on/off and retention (crypto-shredding of what is older, legal holds aside). */
  @Put('policy')
  @ApiOkResponse({ type: ArchivePolicyDto })
  async setPolicy(@Body() body: ArchivePolicyDto): Promise<ArchivePolicyDto> {
    const { policy } = await this.clients.audit.call('SetArchivePolicy', (a, md) => a.setArchivePolicy({ policy: body }, md));
    return {
      archivingEnabled: policy?.archivingEnabled ?? body.archivingEnabled,
      retentionDays: policy?.retentionDays ?? body.retentionDays,
    };
  }
}
