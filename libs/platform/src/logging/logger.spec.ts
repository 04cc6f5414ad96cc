import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Writable } from 'node:stream';
import pino from 'pino';
import { RequestContext } from '../context';
import { initTelemetry, inSpan } from '../telemetry';
import { createLogger } from './logger';

initTelemetry({ serviceName: 'logger-test', spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('JSON logs', () => {
  it('carry the trace id, corp id and user id of the current call', async () => {
    const { lines, stream } = capture();
    const logger = createLogger('directory', 'info', stream);
    let traceId = '';
    await RequestContext.run({ corpId: 'corp-1', userId: 'zhangsan', roles: [] }, () =>
      inSpan('directory', 'work', SpanKind.INTERNAL, async (span) => {
        traceId = span.spanContext().traceId;
        logger.info({ department: 7 }, 'moved a department');
      }),
    );
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'directory',
        msg: 'moved a department',
        department: 7,
        traceId,
        corpId: 'corp-1',
        userId: 'zhangsan',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
  });

  it('leave the fields out outside a call', () => {
    const { lines, stream } = capture();
    createLogger('gateway', 'info', stream).warn('boot');
    expect(lines[0]).toMatchObject({ level: 'warn', service: 'gateway', msg: 'boot' });
    expect(lines[0]).not.toHaveProperty('traceId');
    expect(lines[0]).not.toHaveProperty('corpId');
  });

  it('respect the level', () => {
    const { lines, stream } = capture();
    createLogger('gateway', 'warn', stream).info('quiet');
    expect(lines).toHaveLength(0);
    expect(pino.levels.values.warn).toBeGreaterThan(pino.levels.values.info);
  });
});
