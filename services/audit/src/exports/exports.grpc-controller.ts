import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { auditV1 } from '@atrium/contracts';
import { currentCaller } from '@atrium/platform';
import { toArchiveExport, toFilterInput } from '../compliance/audit.mapper';
import { ExportsService } from './exports.service';

const SERVICE = auditV1.AUDIT_SERVICE_NAME;

/** Archive exports: creating, reading in chunks, listing, tracing a leaked copy. */
@Controller()
export class ExportsGrpcController {
  constructor(private readonly exports: ExportsService) {}

  @GrpcMethod(SERVICE, 'CreateArchiveExport')
  async createArchiveExport(r: auditV1.CreateArchiveExportRequest): Promise<auditV1.CreateArchiveExportResponse> {
    const created = await this.exports.create(currentCaller(), {
      filter: toFilterInput(r.filter),
      format: r.format,
      maxRecords: r.maxRecords,
    });
    return { export: toArchiveExport(created) };
  }

  @GrpcMethod(SERVICE, 'ReadArchiveExport')
  async readArchiveExport(r: auditV1.ReadArchiveExportRequest): Promise<auditV1.ReadArchiveExportResponse> {
    return this.exports.read(currentCaller(), r.exportId, r.chunkToken);
  }

  @GrpcMethod(SERVICE, 'ListArchiveExports')
  async listArchiveExports(): Promise<auditV1.ListArchiveExportsResponse> {
    return { exports: (await this.exports.list(currentCaller())).map(toArchiveExport) };
  }

  @GrpcMethod(SERVICE, 'TraceArchiveExport')
  async traceArchiveExport(r: auditV1.TraceArchiveExportRequest): Promise<auditV1.TraceArchiveExportResponse> {
    const traced = await this.exports.trace(currentCaller(), { text: r.text, mark: r.mark, seq: r.seq });
    return { export: traced.export && toArchiveExport(traced.export), matchedBy: traced.matchedBy };
  }
}
