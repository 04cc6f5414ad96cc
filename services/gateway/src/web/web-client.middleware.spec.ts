import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Application } from 'express';
import request from 'supertest';
import { webClient, WEB_CONTENT_SECURITY_POLICY } from './web-client.middleware';

/** The web client's files as the gateway mounts them: before the API routes, which must keep their answers. */
describe('the web client served by the gateway', () => {
  let root: string;
  let app: Application;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'atrium-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(
      join(root, 'index.html'),
      '<!doctype html><div id="root"></div><script type="module" src="/assets/index-Ab12Cd.js"></script>',
    );
    writeFileSync(join(root, 'assets', 'index-Ab12Cd.js'), 'console.log(1)');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = express();
    app.use(webClient(root)!);
    // Stand-ins for the routes Nest registers after the middleware.
    app.all(/^\/(api|cgi-bin|docs|healthz|readyz|metrics)(\/.*)?$/, (req, res) =>
      res.status(404).json({ code: 'NOT_FOUND', path: req.path }),
    );
    app.use((req, res) => res.status(404).json({ code: 'NOT_FOUND' }));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('answers / and any deep link with index.html, revalidated, under a strict policy', async () => {
    for (const path of ['/', '/chat/42', '/admin/org?tab=members']) {
      const res = await request(app).get(path);
      expect([path, res.status, res.type]).toEqual([path, 200, 'text/html']);
      expect(res.text).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(WEB_CONTENT_SECURITY_POLICY);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(WEB_CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(WEB_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('lets browsers keep hashed assets for a year, and revalidates the other files', async () => {
    const asset = await request(app).get('/assets/index-Ab12Cd.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['x-frame-options']).toBe('DENY');
    const icon = await request(app).get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('never answers a missing file, an API path or a non-GET with the page', async () => {
    for (const path of [
      '/assets/gone-Zz99.js',
      '/robots.txt',
      '/api/v1/nope',
      '/api',
      '/cgi-bin/gettoken',
      '/docs',
      '/healthz',
      '/metrics',
    ]) {
      const res = await request(app).get(path);
      expect([path, res.status, res.type]).toEqual([path, 404, 'application/json']);
    }
    const post = await request(app).post('/chat/42');
    expect([post.status, post.type]).toEqual([404, 'application/json']);
  });

  it('serves nothing when the build is absent, so the gateway answers as before', () => {
    expect(webClient(join(root, 'no-build-here'))).toBeUndefined();
  });
});
