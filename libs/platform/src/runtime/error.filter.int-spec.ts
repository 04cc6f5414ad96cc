import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { freePort } from '@atrium/testing';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { createLogger } from '../logging';
import { PlatformErrorFilter } from './error.filter';

let closedPort: number;

@Controller()
class OutageController {
  /** A query against a PostgreSQL that is down: the driver's own connection error reaches the filter. */
  @Get('query')
  async query(): Promise<unknown> {
    const dataSource = new DataSource({ type: 'postgres', host: '127.0.0.1', port: closedPort, username: 'x', database: 'x' });
    return dataSource.initialize();
  }

  @Get('bug')
  bug(): never {
    throw new TypeError('a bug');
  }
}

@Module({ controllers: [OutageController] })
class OutageModule {}

/** A dependency that is down is a retryable 503, not a 500: clients and proxies retry instead of giving up. */
describe('platform error filter over HTTP', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    closedPort = await freePort();
    app = await NestFactory.create(OutageModule, { logger: false });
    app.useGlobalFilters(new PlatformErrorFilter(createLogger('error-filter-test', 'silent')));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });

  afterAll(() => app.close());

  it('answers an unreachable database as 503 UNAVAILABLE with Retry-After', async () => {
    const res = await fetch(`${base}/query`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('still answers a bug as 500 INTERNAL without its message', async () => {
    const res = await fetch(`${base}/bug`);
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
  });
});
