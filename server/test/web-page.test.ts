// The verifier page in a real browser: Debian's chromium (/usr/bin/chromium, installed by .ci/run,
// never downloaded) driven by playwright-core, against an in-process server, in a desktop
// (1280x800) and a phone (390x844) viewport. The QR link of an issued licence shows 有效, after a
// revocation 已吊销; a PDF sealed by the server shows every seal card valid; a tampered copy shows
// the invalid verdict with the reason; a non-PDF a clear message; the language switch. Each state
// is screenshotted (server/test/.screenshots/, not committed), checked by axe-core inside the page
// (no serious or critical violation) and must leave no console error.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCodes } from '@govtrust/core/errors';
import { hasTool } from '../../packages/core/test/helpers/tools.js';
import { startTestServer, type TestServer } from './helpers.js';
import { issueTestLicence, revokeTestLicence, type TestLicence } from './licence-helpers.js';
import { makeSealedSample, tamper, type SealedSample } from './verifier-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
// hasTool fails the run under GOVTRUST_REQUIRE_TOOLS=1 when chromium is missing (CI installs it).
const haveChromium = hasTool('chromium') && existsSync(CHROMIUM);
const SHOTS = resolve(import.meta.dirname, '.screenshots');
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

const viewports = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 800 } } },
  {
    name: 'phone',
    options: {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 3,
      isMobile: true,
      hasTouch: true,
    },
  },
] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** Runs axe-core in the page (evaluated over the DevTools protocol: the page's CSP stays on). */
async function axe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(`(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  })()`);
}

async function expectAccessible(page: Page, state: string): Promise<void> {
  const serious = (await axe(page)).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(serious, `${state}: ${JSON.stringify(serious)}`).toEqual([]);
}

describe.skipIf(!haveChromium)('verifier page in chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let sample: SealedSample;
  let licence: TestLicence;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    [t, browser] = await Promise.all([
      startTestServer(),
      // playwright gives every launch a fresh temporary profile (user-data-dir).
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);
    sample = await makeSealedSample(t);
    licence = await issueTestLicence(t);
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await t.cleanup();
  });

  describe.each(viewports)('$name', (vp) => {
    let context: BrowserContext;
    let page: Page;
    let problems: string[];
    /** Console errors the browser itself writes for an HTTP error status the test asked for. */
    let expectedHttpErrors: number[];

    beforeEach(async () => {
      context = await browser.newContext({ ...vp.options, locale: 'zh-CN' });
      page = await context.newPage();
      problems = [];
      expectedHttpErrors = [];
      page.on('console', (m) => {
        if (m.type() !== 'error') return;
        const http = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(
          m.text(),
        );
        if (http !== null && expectedHttpErrors.includes(Number(http[1]))) return;
        problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    });

    afterEach(async () => {
      await context.close();
      expect(problems).toEqual([]);
    });

    const shot = (name: string): Promise<Buffer> =>
      page.screenshot({ path: resolve(SHOTS, `${vp.name}-${name}.png`), fullPage: true });

    async function open(path: string): Promise<void> {
      await page.goto(`${t.url}${path}`);
      await page.waitForSelector('body[data-ready="true"]');
    }

    async function upload(name: string, mimeType: string, bytes: Uint8Array): Promise<void> {
      await page.setInputFiles('#file', { name, mimeType, buffer: Buffer.from(bytes) });
      await page.waitForSelector('#document-verdict, #problem');
    }

    it('the QR link of an issued licence shows 有效 with its masked data; after a revocation and a reload 已吊销', async () => {
      await open(licence.faceUrlPath);
      expect(await page.isVisible('#licence')).toBe(true);
      await page.fill('#cause', '办理企业开户');
      await page.click('#cause-submit');
      const verdict = page.locator('#licence-verdict');
      await verdict.waitFor();
      expect(await verdict.locator('.verdict-word').textContent()).toBe('有效');
      expect(await verdict.getAttribute('class')).toContain('tone-ok');
      expect(await verdict.locator('svg.icon').count()).toBe(1);
      const text = (await page.locator('#licence-result').textContent()) ?? '';
      expect(text).toContain('张*明');
      expect(text).toContain('1101**********7016');
      expect(text).not.toContain('张小明');
      expect(text).toContain('建筑施工特种作业人员操作资格证书');
      expect(text).toContain('吉林省住房和城乡建设厅');
      expect(text).toContain(licence.identifier);
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
        'licence-verdict',
      );
      await shot('licence-valid');
      await expectAccessible(page, 'licence valid');

      await revokeTestLicence(t, licence.identifier);
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      // The use cause given in this tab is remembered: the reload asks again at once.
      await page.waitForFunction(
        `document.querySelector('#licence-verdict .verdict-word')?.textContent === '已吊销'`,
      );
      expect(await page.locator('#licence-verdict').getAttribute('class')).toContain('tone-bad');
      await shot('licence-revoked');
      await expectAccessible(page, 'licence revoked');
      // The revoked licence's data file dropped on the same page: authentic, but 已吊销 is the verdict.
      await upload('证照数据.json', 'application/json', licence.dataBytes);
      const doc = page.locator('#document-verdict');
      expect(await doc.locator('.verdict-word').textContent()).toBe('已吊销');
      expect(await doc.getAttribute('class')).toContain('tone-bad');
      await shot('licence-data-revoked');
      // Re-issue for the other viewport's run.
      licence = await issueTestLicence(t);
    });

    it('a use cause is asked for before the lookup; a wrong digest is a clear refusal', async () => {
      await open(licence.faceUrlPath);
      await page.click('#cause-submit');
      expect(await page.locator('#cause-error').textContent()).toContain('用证事由');
      expect(await page.locator('#cause').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#licence-verdict').count()).toBe(0);
      await shot('licence-cause-required');
      expectedHttpErrors = [403];
      await open(`/verify?id=${encodeURIComponent(licence.identifier)}&d=AAAAAAAAAAAAAAAAAAAAAA`);
      await page.fill('#cause', '核对证照真伪');
      await page.click('#cause-submit');
      await page.waitForSelector('#problem');
      expect(await page.locator('#problem').textContent()).toContain(
        errorCodes.ERR_LICENCE_DIGEST_MISMATCH.zh,
      );
      await shot('licence-digest-mismatch');
    });

    it('a PDF sealed by the server: 有效 first, then one valid card per seal with its picture', async () => {
      await open('/verify');
      await expectAccessible(page, 'empty page');
      await upload('审批表.pdf', 'application/pdf', sample.pdf);
      const verdict = page.locator('#document-verdict');
      expect(await verdict.locator('.verdict-word').textContent()).toBe('有效');
      expect(await verdict.getAttribute('class')).toContain('tone-ok');
      const cards = page.locator('.card');
      expect(await cards.count()).toBe(2);
      for (const [i, name] of sample.sealNames.entries()) {
        const card = cards.nth(i);
        expect(await card.locator('h3').textContent()).toBe(name);
        expect(await card.locator('.badge').textContent()).toBe('有效');
        const img = card.locator('img.seal-picture');
        expect(await img.getAttribute('alt')).toBe(`印章图片：${name}`);
        expect(await img.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
        // The data: URL decodes to an image (img-src data: is allowed by the CSP).
        expect(
          await page.evaluate(
            `document.querySelectorAll('.card img.seal-picture')[${i}].naturalWidth`,
          ),
        ).toBeGreaterThan(0);
        const text = (await card.textContent()) ?? '';
        expect(text).toContain('受信任');
        expect(text).toContain('未吊销（已核查）');
        expect(text).toContain('完好');
      }
      expect(await cards.nth(1).textContent()).toContain('覆盖整个文件');
      await shot('document-valid');
      await expectAccessible(page, 'document valid');
      // English: the same report, every label in English.
      await page.click('#lang');
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await verdict.locator('.verdict-word').textContent()).toBe('Valid');
      expect(await page.locator('h1').textContent()).toBe('Verify electronic seals and licences');
      expect(await cards.nth(0).textContent()).toContain('Trusted');
      await shot('document-valid-en');
      await expectAccessible(page, 'document valid (English)');
    });

    it('a tampered copy: 无效 with the reason in words and its code', async () => {
      await open('/verify');
      await upload('审批表-改.pdf', 'application/pdf', tamper(sample.pdf));
      const verdict = page.locator('#document-verdict');
      expect(await verdict.locator('.verdict-word').textContent()).toBe('无效');
      expect(await verdict.getAttribute('class')).toContain('tone-bad');
      const first = page.locator('.card').nth(0);
      expect(await first.locator('.badge').textContent()).toBe('无效');
      expect(await first.textContent()).toContain('已损坏');
      const reasons = first.locator('.reasons li');
      expect(await reasons.count()).toBeGreaterThan(0);
      const reason = (await reasons.first().textContent()) ?? '';
      const code = /ERR_[A-Z0-9_]+/.exec(reason)?.[0];
      expect(code).toBeDefined();
      // The meaning of the code in Chinese, then the code with the verifier's message.
      expect(reason).toContain(errorCodes[code as keyof typeof errorCodes].zh);
      await shot('document-tampered');
      await expectAccessible(page, 'document invalid');
      await page.click('#lang');
      expect(await verdict.locator('.verdict-word').textContent()).toBe('Not valid');
      expect(await reasons.first().textContent()).toContain(
        errorCodes[code as keyof typeof errorCodes].en,
      );
    });

    it('a file that is not a PDF, OFD or licence: a clear message', async () => {
      expectedHttpErrors = [415];
      await open('/verify');
      await upload('notes.txt', 'text/plain', new TextEncoder().encode('这不是签章文件'));
      const problem = page.locator('#problem');
      expect(await problem.textContent()).toContain('无法核验该文件');
      expect(await problem.textContent()).toContain(errorCodes.ERR_VERIFY_UNSUPPORTED_TYPE.zh);
      expect(await page.locator('#document-verdict').count()).toBe(0);
      await shot('document-unsupported');
      await expectAccessible(page, 'error');
    });

    it('a licence face PDF dropped on the page: the licence report with the issuer seal card', async () => {
      await open('/verify');
      await upload('证照.pdf', 'application/pdf', licence.faceBytes);
      expect(await page.locator('#document-verdict .verdict-word').textContent()).toBe('有效');
      const text = (await page.locator('#document-result').textContent()) ?? '';
      expect(text).toContain('电子证照照面（PDF）');
      expect(text).toContain(licence.identifier);
      expect(await page.locator('.card img.seal-picture').count()).toBeGreaterThanOrEqual(1);
      await shot('licence-face');
      await expectAccessible(page, 'licence face');
    });
  });
});
