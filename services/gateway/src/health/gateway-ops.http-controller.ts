import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { INFRA, Infrastructure, ReadinessService } from '@atrium/platform';
import type { Response } from 'express';
import { ServiceClients } from '../clients/service-clients';

type ServiceState = 'up' | 'down';

/**
 * The gateway's /healthz reports every service (each answers the gRPC health protocol) but stays
 * 200: liveness must not restart the gateway because another service is down.
 */
@ApiExcludeController()
@Controller()
export class GatewayOpsHttpController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly readiness: ReadinessService,
    @Inject(INFRA) private readonly infra: Infrastructure,
  ) {}

  @Get('healthz')
  async healthz(): Promise<{ status: 'ok' | 'degraded'; services: Record<string, ServiceState> }> {
    const entries = await Promise.all(
      Object.entries(this.clients.all()).map(async ([name, client]) => [name, (await client.isServing()) ? 'up' : 'down'] as const),
    );
    const services: Record<string, ServiceState> = { gateway: 'up', ...Object.fromEntries(entries) };
    return { status: Object.values(services).every((s) => s === 'up') ? 'ok' : 'degraded', services };
  }

  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    const report = await this.readiness.check();
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.infra.metrics.metrics();
  }
}
