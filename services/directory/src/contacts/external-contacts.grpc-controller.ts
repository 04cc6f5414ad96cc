import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller, ValidationError } from '@atrium/platform';
import { ExternalContactsService } from './external-contacts.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class ExternalContactsGrpcController {
  constructor(private readonly contacts: ExternalContactsService) {}

  @GrpcMethod(SERVICE, 'CreateExternalContact')
  async createExternalContact(r: directoryV1.CreateExternalContactRequest): Promise<directoryV1.CreateExternalContactResponse> {
    if (!r.contact) throw new ValidationError('contact is required', { field: 'contact' });
    return { contact: await this.contacts.create(currentCaller(), r.contact) };
  }

  @GrpcMethod(SERVICE, 'ListExternalContacts')
  async listExternalContacts(r: directoryV1.ListExternalContactsRequest): Promise<directoryV1.ListExternalContactsResponse> {
    return { contacts: await this.contacts.list(currentCaller(), r.ownerUserid) };
  }
}
