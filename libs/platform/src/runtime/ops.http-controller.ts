import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Infrastructure } from './infrastructure';
import { ReadinessService } from './readiness.service';
import { INFRA } from './tokens';

/** Readiness and Prometheus metrics, the same for every service. */
@ApiExcludeController()
@Controller()
export class OpsHttpController {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(INFRA) private readonly infra: Infrastructure,
  ) {}

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

/** Liveness of an internal service; the gateway brings its own, which lists every service. */
@ApiExcludeController()
@Controller()
export class LivenessHttpController {
  constructor(@Inject(INFRA) private readonly infra: Infrastructure) {}

  @Get('healthz')
  healthz(): { status: 'ok'; service: string } {
    return { status: 'ok', service: this.infra.service };
  }
}
