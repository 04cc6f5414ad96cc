import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { uniqueSuffix } from '@atrium/testing';
import { createCorp } from '../src/corp-admin';
import { startTestPlatform, TestPlatform } from './test-platform';

const root = join(__dirname, '..', '..', '..');
const webRoot = join(root, 'dist', 'apps', 'web');
// Screenshots of each screen, to look at after a run (dist/ is not committed).
const SHOTS = process.env.ATRIUM_SCREENSHOTS_DIR ?? join(root, 'dist', 'screenshots');
const PASSWORD = 'correct-horse-battery';

/**
 * The web client in a real Chromium, served by the gateway of the whole platform (in this process,
 * against the real servers): sign-in refusals read in the user's language, the signed-in shell, the
 * language switch, and no Content-Security-Policy violation on the way.
 */
describe('the web client in Chromium', () => {
  const corp = `web-${uniqueSuffix()}`;
  let platform: TestPlatform;
  let url: string;
  let browser: Browser;
  let page: Page;
  const policyViolations: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`${webRoot} is missing: run 'npm run build:web' (npm test does)`);
    const executablePath = execFileSync(join(root, 'scripts', 'tools', 'ensure-chromium'), { encoding: 'utf8' }).trim();
    mkdirSync(SHOTS, { recursive: true });
    platform = await startTestPlatform({ gatewayOverrides: { ATRIUM_WEB_ROOT: webRoot } });
    await createCorp(platform.grpcUrls.directory, platform.identityKey, {
      code: corp,
      name: 'Web',
      adminUserid: 'admin',
      adminName: 'Administrator',
      adminPassword: PASSWORD,
    });
    url = platform.gatewayUrl;
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) policyViolations.push(message.text());
    });
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.teardown();
  }, 180_000);

  const signIn = async (password: string) => {
    await page.getByLabel(/企业|Corp/).fill(corp);
    await page.getByLabel(/账号|Account/).fill('admin');
    await page.getByLabel(/密码|Password/).fill(password);
    await page.getByRole('button', { name: /登 ?录|Sign in/ }).click();
  };

  it('opens on the sign-in screen in Chinese, under the strict policy', async () => {
    const response = await page.goto(url);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(response?.headers()['x-frame-options']).toBe('DENY');
    await page.waitForURL(`${url}/sign-in`);
    await page.getByRole('heading', { name: '登录 Atrium' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  }, 60_000);

  it('shows a wrong password as a readable refusal, in Chinese', async () => {
    await signIn('not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('企业、账号或密码不正确');
    await page.screenshot({ path: join(SHOTS, 'web-sign-in-refused-zh.png') });
  }, 60_000);

  it('switches the whole screen to English, the refusal included', async () => {
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in to Atrium' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('The corp, account or password is incorrect');
    expect(await page.getByRole('button', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.screenshot({ path: join(SHOTS, 'web-sign-in-en.png') });
  }, 60_000);

  it('signs in to the shell with the name in the top bar, and signs out', async () => {
    await signIn(PASSWORD);
    await page.waitForURL(`${url}/`);
    await page.getByTestId('user-name').getByText('Administrator').waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    // The token is held in memory only: nothing of the session reaches cookies or local storage.
    const stored = JSON.stringify(await page.context().storageState());
    expect(stored).toContain('atrium.locale');
    expect(stored).not.toMatch(/eyJ|token/i);
    await page.screenshot({ path: join(SHOTS, 'web-shell-en.png') });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${url}/sign-in`);
    expect(policyViolations).toEqual([]);
  }, 60_000);

  it('answers a deep link with the client, which sends a stranger to sign in', async () => {
    await page.goto(`${url}/chat/some/where`);
    await page.waitForURL(`${url}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in to Atrium' }).waitFor();
  }, 60_000);
});
