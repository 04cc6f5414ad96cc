import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiProduces, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthenticatedApi } from '../http/authenticated-api.decorator';
import { ServiceClients } from '../clients/service-clients';
import { ErrorResponse } from '../http/error.response';
import { toImportJobResponse } from './directory.mapper';
import { ExportKindParam, ImportJobParam, ImportJobResponse, StartImportRequest } from './dto/import.dto';

/** Bulk CSV import (validated in full, then applied in batches) and export. */
@AuthenticatedApi('directory', { notFound: false })
@Controller('api/v1/directory')
export class ImportsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  /** Starts a job; poll GET /imports/{id} for its progress and row errors. */
  @Post('imports')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: ImportJobResponse })
  @ApiResponse({ status: 409, type: ErrorResponse, description: 'an import of this corp is already running' })
  async start(@Body() body: StartImportRequest): Promise<ImportJobResponse> {
    const request = { kind: body.kind, mode: body.mode ?? 'all_or_nothing', csv: body.csv };
    return toImportJobResponse((await this.clients.directory.call('StartImport', (d, md) => d.startImport(request, md))).job);
  }

  @Get('imports/:id')
  @ApiOkResponse({ type: ImportJobResponse })
  @ApiResponse({ status: 404, type: ErrorResponse })
  async get(@Param() { id }: ImportJobParam): Promise<ImportJobResponse> {
    return toImportJobResponse((await this.clients.directory.call('GetImportJob', (d, md) => d.getImportJob({ id }, md))).job);
  }

  @Get('exports/:kind')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The CSV, in the format the import reads', schema: { type: 'string' } })
  async export(@Param() { kind }: ExportKindParam, @Res({ passthrough: true }) res: Response): Promise<string> {
    const { csv } = await this.clients.directory.call('ExportDirectory', (d, md) => d.exportDirectory({ kind }, md));
    // Set only on success: a static @Header also labelled a refusal's JSON envelope `text/csv`.
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${kind}.csv"`);
    return csv;
  }
}
