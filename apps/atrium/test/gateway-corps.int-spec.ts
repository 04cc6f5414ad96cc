import { createLogger, RunningService, startService } from '@atrium/platform';
import { GATEWAY_CONFIG, gatewayService, type GatewayConfig } from '@atrium/service-gateway';
import { eventually, uniqueSuffix } from '@atrium/testing';
import { randomBytes } from 'node:crypto';
import { createCorp } from '../src/corp-admin';
import { startTestPlatform, TestPlatform } from './support/test-platform';

/**
 * A gateway learns corps from `directory.corp.created`, which can arrive well after the corp
 * exists (a busy machine, a gateway replica starting with a consumer far behind). Until the
 * gateway knows every existing corp it must not be ready: a WeCom call in that window was refused
 * with 40013 unknown corpid. Here the gateway reads another topic prefix, so the event never comes:
 * only what it learns at start can make it know the corp.
 */
describe('gateway readiness and the corps that exist', () => {
  let platform: TestPlatform;
  let gateway: RunningService | undefined;
  const code = `corp-${uniqueSuffix()}`.toLowerCase().slice(0, 30);
  const syncSecret = randomBytes(16).toString('hex');

  beforeAll(async () => {
    platform = await startTestPlatform({
      gatewayOverrides: {
        KAFKA_TOPIC_PREFIX: `isolated-${uniqueSuffix()}.`,
        ATRIUM_SYNC_SECRET: syncSecret,
        ATRIUM_SYNC_SECRET_CORP: code,
      },
    });
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    await platform?.teardown();
  });

  it('is not ready until it knows every corp, and then accepts the corp as a WeCom corpid', async () => {
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code,
      name: 'Acme',
      adminUserid: 'admin',
      adminPassword: 'Passw0rd!Passw0rd',
    });
    // A gateway replica that starts after the corp exists.
    const config = platform.services.gateway.app.get<GatewayConfig>(GATEWAY_CONFIG);
    await platform.services.gateway.stop();
    gateway = await startService(gatewayService(config), config, {
      httpPort: 0,
      grpcPort: 0,
      host: '127.0.0.1',
      logger: createLogger('gateway', 'silent'),
    });
    const base = `http://127.0.0.1:${gateway.httpPort}`;
    const ready = await eventually(
      async () => {
        const res = await fetch(`${base}/readyz`);
        return { status: res.status, body: (await res.json()) as { checks: Record<string, boolean> } };
      },
      (r) => r.status === 200,
      60_000,
      'gateway ready',
    );
    expect(ready.body.checks.corps).toBe(true);
    const reply = await fetch(`${base}/cgi-bin/gettoken?${new URLSearchParams({ corpid: code, corpsecret: syncSecret }).toString()}`);
    expect(await reply.json()).toMatchObject({ errcode: 0 });
  });
});
