import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { toHoldResponse } from './compliance.mapper';
import { CreateHoldRequest, HoldIdParam, HoldListResponse, HoldResponse, ListHoldsQuery } from './dto/compliance.dto';

/**
 * Legal holds: retention keeps what an active hold matches. Officers create holds; an officer or a
 * super admin releases them; both are archived as admin actions.
 */
@AuthenticatedApi('compliance', {
  forbidden: 'FORBIDDEN: creating needs a compliance officer; listing and releasing, an officer or a super admin',
  notFound: 'NOT_FOUND: no such hold',
})
@Controller('api/v1/compliance/holds')
export class ComplianceHoldsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Post()
  @ApiCreatedResponse({ type: HoldResponse })
  async create(@Body() body: CreateHoldRequest): Promise<HoldResponse> {
    const request = {
      name: body.name,
      reason: body.reason ?? '',
      participants: (body.participants ?? []).map((u) => u.toLowerCase()),
      conversationIds: body.conversationIds ?? [],
      fromTime: body.from ?? '',
      toTime: body.to ?? '',
    };
    const { hold } = await this.clients.audit.call('CreateLegalHold', (a, md) => a.createLegalHold(request, md));
    return toHoldResponse(hold);
  }

  @Get()
  @ApiOkResponse({ type: HoldListResponse })
  async list(@Query() q: ListHoldsQuery): Promise<HoldListResponse> {
    const { holds } = await this.clients.audit.call('ListLegalHolds', (a, md) =>
      a.listLegalHolds({ includeReleased: q.includeReleased ?? false }, md),
    );
    return { holds: holds.map(toHoldResponse) };
  }

  /** Idempotent: a released hold answers as it is. */
  @Post(':id/release')
  @HttpCode(200)
  @ApiOkResponse({ type: HoldResponse })
  async release(@Param() { id }: HoldIdParam): Promise<HoldResponse> {
    const { hold } = await this.clients.audit.call('ReleaseLegalHold', (a, md) => a.releaseLegalHold({ id }, md));
    return toHoldResponse(hold);
  }
}
