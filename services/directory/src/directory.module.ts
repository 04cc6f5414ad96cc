import { Module } from '@nestjs/common';
import { AdminScopesGrpcController } from './admin/admin-scopes.grpc-controller';
import { AdminScopesRepository } from './admin/admin-scopes.repository';
import { AdminScopesService } from './admin/admin-scopes.service';
import { MemberAttributesGrpcController } from './attributes/member-attributes.grpc-controller';
import { MemberAttributesRepository } from './attributes/member-attributes.repository';
import { MemberAttributesService } from './attributes/member-attributes.service';
import { ExternalContactsGrpcController } from './contacts/external-contacts.grpc-controller';
import { ExternalContactsRepository } from './contacts/external-contacts.repository';
import { ExternalContactsService } from './contacts/external-contacts.service';
import { CorpsGrpcController } from './corps/corps.grpc-controller';
import { CorpsRepository } from './corps/corps.repository';
import { CorpsService } from './corps/corps.service';
import { DepartmentsGrpcController } from './departments/departments.grpc-controller';
import { DepartmentsRepository } from './departments/departments.repository';
import { DepartmentsService } from './departments/departments.service';
import { DirectoryBulkRepository } from './import/directory-bulk.repository';
import { ImportJobsRepository } from './import/import-jobs.repository';
import { ImportGrpcController } from './import/import.grpc-controller';
import { DepartmentsImportService } from './import/departments-import.service';
import { DirectoryExportService } from './import/directory-export.service';
import { ImportJobsService } from './import/import-jobs.service';
import { MembersImportService } from './import/members-import.service';
import { MembersGrpcController } from './members/members.grpc-controller';
import { MembersRepository } from './members/members.repository';
import { MembersService } from './members/members.service';
import { PasswordHasher } from './members/password-hasher';
import { OffboardingGrpcController } from './offboarding/offboarding.grpc-controller';
import { OffboardingService } from './offboarding/offboarding.service';
import { TransferRecordsRepository } from './offboarding/transfer-records.repository';
import { TransfersConsumer } from './offboarding/transfers.consumer';
import { OrgQueriesGrpcController } from './recipients/org-queries.grpc-controller';
import { OrgQueriesService } from './recipients/org-queries.service';
import { RecipientsRepository } from './recipients/recipients.repository';
import { MemberSearchRepository } from './search/member-search.repository';
import { MemberSearchService } from './search/member-search.service';
import { SearchGrpcController } from './search/search.grpc-controller';
import { TagsGrpcController } from './tags/tags.grpc-controller';
import { TagsRepository } from './tags/tags.repository';
import { TagsService } from './tags/tags.service';

@Module({
  controllers: [
    CorpsGrpcController,
    DepartmentsGrpcController,
    MembersGrpcController,
    OrgQueriesGrpcController,
    AdminScopesGrpcController,
    TagsGrpcController,
    ExternalContactsGrpcController,
    OffboardingGrpcController,
    SearchGrpcController,
    ImportGrpcController,
    MemberAttributesGrpcController,
  ],
  providers: [
    CorpsService,
    CorpsRepository,
    DepartmentsService,
    DepartmentsRepository,
    MembersService,
    MembersRepository,
    PasswordHasher,
    OrgQueriesService,
    RecipientsRepository,
    AdminScopesService,
    AdminScopesRepository,
    TagsService,
    TagsRepository,
    ExternalContactsService,
    ExternalContactsRepository,
    OffboardingService,
    TransferRecordsRepository,
    TransfersConsumer,
    MemberSearchService,
    MemberSearchRepository,
    ImportJobsService,
    MembersImportService,
    DepartmentsImportService,
    DirectoryExportService,
    ImportJobsRepository,
    DirectoryBulkRepository,
    MemberAttributesService,
    MemberAttributesRepository,
  ],
})
export class DirectoryModule {}
