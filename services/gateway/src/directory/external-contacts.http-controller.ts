import { Body, Controller, Get, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedGuard } from '../auth/authenticated.guard';
import { ServiceClients } from '../clients/service-clients';
import { ErrorResponse } from '../http/error.response';
import { toExternalContact, toExternalContactResponse } from './directory.mapper';
import {
  CreateExternalContactRequest,
  ExternalContactListResponse,
  ExternalContactResponse,
  ListExternalContactsQuery,
} from './dto/external-contact.dto';

/** Customers a member owns; a member manages their own, an admin those of members in scope. */
@ApiTags('directory')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: ErrorResponse })
@ApiResponse({ status: 401, type: ErrorResponse })
@ApiResponse({ status: 403, type: ErrorResponse })
@ApiResponse({ status: 404, type: ErrorResponse })
@UseGuards(AuthenticatedGuard)
@Controller('api/v1/directory/external-contacts')
export class ExternalContactsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Post()
  @ApiCreatedResponse({ type: ExternalContactResponse })
  async create(@Body() body: CreateExternalContactRequest): Promise<ExternalContactResponse> {
    const contact = toExternalContact(body);
    return toExternalContactResponse(
      (await this.clients.directory.call('CreateExternalContact', (d, md) => d.createExternalContact({ contact }, md))).contact,
    );
  }

  @Get()
  @ApiOkResponse({ type: ExternalContactListResponse })
  async list(@Query() query: ListExternalContactsQuery): Promise<ExternalContactListResponse> {
    const { contacts } = await this.clients.directory.call('ListExternalContacts', (d, md) =>
      d.listExternalContacts({ ownerUserid: query.owner ?? '' }, md),
    );
    return { contacts: contacts.map(toExternalContactResponse) };
  }
}
