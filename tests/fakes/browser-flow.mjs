// browser-flow.mjs - drives one consent round trip in a real headless Chromium (Debian's /usr/bin/chromium,
// never a downloaded browser) through playwright-core:
//   broker /oauth/authorize -> provider consent page -> approve (or deny) -> the broker's result page.
//
// Usage: node browser-flow.mjs <authorize_url> <google-approve|google-deny|oidc-approve> [popup]
// Prints one JSON line: {result: "success"|"error"|null, code, status, url, title, opener_messages}
// ("popup": the flow runs in a window opened by an opener page, whose received postMessages are reported).
// With BROWSER_FLOW_SHOTS=<path prefix> (not in popup mode) it also keeps screenshots <prefix>-consent.png (the
// provider's page) and <prefix>-result.png (the broker's page) and reports, for each of the two pages, its text, its
// <html lang> and its title (consent_page, result_page: {text, lang, title}), and every origin the browser requested (origins).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [startUrl, mode = 'google-approve', popup] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'ob-chromium-'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// A launch on a loaded 2-core machine can miss its timeout; one more attempt tells a slow start from a broken
// browser (which fails both).
const launch = () => chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});
const ctx = await launch().catch((e) => {
  process.stderr.write(`browser-flow: chromium launch failed once (${e.name}), retrying\n`);
  return launch();
});
const out = { result: null, code: null, status: null, url: null, title: null, opener_messages: [] };
const shots = process.env.BROWSER_FLOW_SHOTS;
const origins = new Set();
ctx.on('request', (r) => origins.add(new URL(r.url()).origin));
// describe(page, name, key): the screenshot <shots>-<name>.png, and what a reader of the page sees in out[key]
const describe = async (p, name, key) => {
  if (!shots) return;
  await p.screenshot({ path: `${shots}-${name}.png`, fullPage: true });
  out[key] = await p.evaluate(() => ({ text: document.body.innerText, lang: document.documentElement.lang,
    title: document.title }));
};
try {
  let page = ctx.pages()[0] ?? (await ctx.newPage());
  let opener = null;
  let lastStatus = null;
  const track = (p) => p.on('response', (r) => { if (r.request().isNavigationRequest()) lastStatus = r.status(); });
  if (popup) {
    // An opener page on the broker's own origin that opens the flow in a popup and records the messages.
    opener = page;
    const origin = new URL(startUrl).origin;
    await opener.goto(`${origin}/health`);
    await opener.evaluate(() => { window.__msgs = []; window.addEventListener('message', (e) => window.__msgs.push(e.data)); });
    const [p] = await Promise.all([ctx.waitForEvent('page'), opener.evaluate((u) => { window.open(u, 'oauth'); }, startUrl)]);
    page = p;
  } else {
    await page.goto(startUrl);
  }
  track(page);
  if (mode.startsWith('google')) {
    await page.waitForSelector(mode === 'google-deny' ? '#deny' : '#approve', { timeout: 15_000 });
    await describe(page, 'consent', 'consent_page');
    await page.click(mode === 'google-deny' ? '#deny' : '#approve');
  } else {
    await page.waitForSelector('input[name=login]', { timeout: 15_000 });
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'secret');
    await page.click('button[type=submit]');
    await page.waitForSelector('button.login-submit, #ob-result', { timeout: 15_000 });
    if (await page.$('button.login-submit')) await page.click('button.login-submit');
  }
  if (popup) {
    const closed = page.waitForEvent('close', { timeout: 10_000 }).catch(() => null);
    await page.waitForSelector('#ob-result', { timeout: 15_000, state: 'attached' }).catch(() => null);
    if (!page.isClosed()) {
      out.result = await page.getAttribute('#ob-result', 'data-result').catch(() => null);
      out.url = page.url();
    }
    await closed;
    out.status = lastStatus;
    out.opener_messages = await opener.evaluate(() => window.__msgs);
  } else {
    await page.waitForSelector('#ob-result', { timeout: 15_000 });
    out.result = await page.getAttribute('#ob-result', 'data-result');
    out.code = await page.$('#ob-code').then((e) => (e ? e.textContent() : null));
    out.title = await page.title();
    out.url = page.url();
    out.status = lastStatus;
    await describe(page, 'result', 'result_page');
  }
} catch (e) {
  out.error = String(e && e.message ? e.message.split('\n')[0] : e);
} finally {
  await ctx.close();
  if (shots) out.origins = [...origins];
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
