import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import type { Response } from 'express';
import { ServiceClients } from '../clients/service-clients';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { toArchiveFilter, toExportResponse } from './compliance.mapper';
import { CreateExportRequest, ExportListResponse, TraceExportRequest, TraceExportResponse } from './dto/compliance.dto';

const CONTENT_TYPES = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

/**
 * Exports of a search result. The file streams as the archive renders it, chunk by chunk; its
 * first line is the visible watermark and every row carries the export's trace token.
 */
@AuthenticatedApi('compliance', { forbidden: 'FORBIDDEN: not a compliance officer of the corp', notFound: false })
@Controller('api/v1/compliance/exports')
export class ComplianceExportsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  /** Creates the export (recorded and archived) and answers with the file; `X-Atrium-Export-Id` names it. */
  @Post()
  @HttpCode(200)
  @ApiProduces(CONTENT_TYPES.jsonl, CONTENT_TYPES.csv)
  @ApiOkResponse({ description: 'The JSONL or CSV file (attachment)', schema: { type: 'string' } })
  async create(@Body() body: CreateExportRequest, @Res() res: Response): Promise<void> {
    const request = { filter: toArchiveFilter(body), format: body.format, maxRecords: body.maxRecords ?? 0 };
    const created = await this.clients.audit.call('CreateArchiveExport', (a, md) => a.createArchiveExport(request, md));
    const exportId = created.export!.id;
    const read = (chunkToken: string) =>
      this.clients.audit.call('ReadArchiveExport', (a, md) => a.readArchiveExport({ exportId, chunkToken }, md));
    // The first chunk before any header: a failure still answers with the error envelope.
    let chunk = await read('');
    res.status(200);
    res.setHeader('Content-Type', CONTENT_TYPES[body.format]);
    res.setHeader('Content-Disposition', `attachment; filename="atrium-export-${exportId}.${body.format}"`);
    res.setHeader('X-Atrium-Export-Id', exportId);
    res.write(chunk.data);
    try {
      while (chunk.nextChunkToken) {
        chunk = await read(chunk.nextChunkToken);
        if (!res.write(chunk.data)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } catch (error) {
      // Headers are gone: a cut connection is the only honest signal of a truncated file.
      res.destroy(error instanceof Error ? error : undefined);
    }
  }

  @Get()
  @ApiOkResponse({ type: ExportListResponse })
  async list(): Promise<ExportListResponse> {
    const { exports } = await this.clients.audit.call('ListArchiveExports', (a, md) => a.listArchiveExports({}, md));
    return { exports: exports.map(toExportResponse) };
  }

  /** Which export a leaked line came from (its invisible token), or a row's mark with its seq. */
  @Post('trace')
  @HttpCode(200)
  @ApiOkResponse({ type: TraceExportResponse })
  async trace(@Body() body: TraceExportRequest): Promise<TraceExportResponse> {
    const request = { text: body.text ?? '', mark: body.mark ?? '', seq: body.seq ?? 0 };
    const traced = await this.clients.audit.call('TraceArchiveExport', (a, md) => a.traceArchiveExport(request, md));
    return { export: traced.export ? toExportResponse(traced.export) : null, matchedBy: traced.matchedBy };
  }
}
