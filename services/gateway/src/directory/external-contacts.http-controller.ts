import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ServiceClients } from '../clients/service-clients';
import { toExternalContact, toExternalContactResponse } from './directory.mapper';
import {
  CreateExternalContactRequest,
  ExternalContactListResponse,
  ExternalContactResponse,
  ListExternalContactsQuery,
} from './dto/external-contact.dto';

/** Customers a member owns; a member manages their own, an admin those of members in scope. */
@AuthenticatedApi('directory')
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
