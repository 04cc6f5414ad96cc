import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { directoryV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toImportJobMessage } from './import.mapper';
import { DirectoryExportService } from './directory-export.service';
import { ImportJobsService } from './import-jobs.service';

const SERVICE = directoryV1.DIRECTORY_SERVICE_NAME;

@Controller()
export class ImportGrpcController {
  constructor(
    private readonly imports: ImportJobsService,
    private readonly exports: DirectoryExportService,
  ) {}

  @GrpcMethod(SERVICE, 'StartImport')
  async startImport(r: directoryV1.StartImportRequest): Promise<directoryV1.StartImportResponse> {
    return { job: toImportJobMessage(await this.imports.startImport(currentCaller(), { kind: r.kind, mode: r.mode, csv: r.csv })) };
  }

  @GrpcMethod(SERVICE, 'GetImportJob')
  async getImportJob(r: directoryV1.GetImportJobRequest): Promise<directoryV1.GetImportJobResponse> {
    return { job: toImportJobMessage(await this.imports.getJob(currentCaller(), r.id)) };
  }

  @GrpcMethod(SERVICE, 'ExportDirectory')
  async exportDirectory(r: directoryV1.ExportDirectoryRequest): Promise<directoryV1.ExportDirectoryResponse> {
    return { csv: await this.exports.exportDirectory(currentCaller(), r.kind) };
  }
}
