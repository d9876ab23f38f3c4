import type { BrowserContext, Page } from 'playwright-core';
import { BOARD_SESSION_COOKIE, type CreatedToken } from '@relayboard/contracts';
import { api, inspectPage, launchBrowser, uniqueName } from './helpers';
import { testStack } from './stack-env';

/**
 * The board's sign-in in Debian's Chromium, through the real form: pages send a signed-out
 * person to it, a wrong token is refused with the api's words, a right one lands on the page
 * asked for with an httpOnly SameSite session cookie, "Sign out" ends the session, and a
 * token revoked meanwhile sends the person back to sign in.
 */
describe('the board: sign in with an api token', () => {
  const webUrl = () => testStack().webUrl!;
  const pageErrors: string[] = [];
  let context: BrowserContext;
  let page: Page;
  let closeBrowser: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const browser = await launchBrowser();
    context = browser.context;
    closeBrowser = browser.close;
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  });

  afterAll(async () => {
    await closeBrowser?.();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  const signIn = async (token: string) => {
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('sends a signed-out person to sign in, refuses a wrong token, and keeps a right one in an httpOnly cookie', async () => {
    await page.goto(`${webUrl()}/destinations`);
    await page.waitForURL(/\/sign-in\?next=%2Fdestinations$/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await inspectPage(page, 'sign-in');

    await signIn(`rb_${'x'.repeat(43)}`);
    await page.getByText('That token does not work: the api token is not one this api gave out').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await context.cookies()).toEqual([]);

    await signIn(testStack().adminToken);
    await page.waitForURL(`${webUrl()}/destinations`);
    await page.getByRole('heading', { name: 'Destinations', level: 1 }).waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: BOARD_SESSION_COOKIE,
      value: testStack().adminToken,
      httpOnly: true,
      sameSite: 'Lax',
      expires: -1,
    });
    // Page scripts never see it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('signs out, after which every page asks again', async () => {
    await page.goto(`${webUrl()}/datasets`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    expect(await context.cookies()).toEqual([]);
    for (const path of ['/', '/datasets', `/runs/${'0'.repeat(8)}-0000-4000-8000-000000000000`]) {
      await page.goto(`${webUrl()}${path}`);
      await page.waitForURL(/\/sign-in\?next=/);
    }
  });

  it('sends a person whose token was revoked back to sign in, saying why', async () => {
    const created = await api<CreatedToken>('POST', '/v1/tokens', { name: uniqueName('board_reader'), scope: 'read' });
    expect(created.status).toBe(201);
    await page.goto(`${webUrl()}/sign-in`);
    await signIn(created.body.token);
    await page.waitForURL(`${webUrl()}/`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    expect((await api('DELETE', `/v1/tokens/${created.body.id}`)).status).toBe(200);
    await page.goto(`${webUrl()}/datasets`);
    await page.waitForURL(/\/sign-in\?next=%2Fdatasets&reason=expired$/);
    await page.getByText('Your token no longer works').waitFor();
    expect(await context.cookies()).toEqual([]);
  });
});
