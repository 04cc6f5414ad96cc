import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServiceClients } from '../clients/service-clients';

type ServiceState = 'up' | 'down';

/**
 * The gateway's /healthz reports every service (each answers the gRPC health protocol) but stays
 * 200: liveness must not restart the gateway because another service is down. /readyz and
 * /metrics are the platform's.
 */
@ApiExcludeController()
@Controller()
export class GatewayOpsHttpController {
  constructor(private readonly clients: ServiceClients) {}

  @Get('healthz')
  async healthz(): Promise<{ status: 'ok' | 'degraded'; services: Record<string, ServiceState> }> {
    const entries = await Promise.all(
      Object.entries(this.clients.all()).map(async ([name, client]) => [name, (await client.isServing()) ? 'up' : 'down'] as const),
    );
    const services: Record<string, ServiceState> = { gateway: 'up', ...Object.fromEntries(entries) };
    return { status: Object.values(services).every((s) => s === 'up') ? 'ok' : 'degraded', services };
  }
}
