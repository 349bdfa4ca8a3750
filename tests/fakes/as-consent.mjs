// as-consent.mjs - a person at the broker's MCP authorization consent page, in a real headless Chromium (Debian's
// /usr/bin/chromium through playwright-core, launched as browser-flow.mjs does): opens an authorization URL, answers
// the pages it meets until the browser is sent to the client's redirect URI, and reports what it saw.
//   - the broker's consent page (docs/mcp-authorization.md: a form with input name="access_key" for an instance URL
//     and buttons name="action" value="allow" / "deny"): types the access key when asked, clicks Allow or Deny;
//   - the fake provider's consent page (tests/fakes/fake-google.mjs: #approve / #deny) of a service URL sign-in or
//     an ownership proof by sign-in: approves.
// The redirect to the client is either served by the client's own loopback listener (the SDK drivers), or, with
// intercept, answered here without reaching the network (the URL is reported).
//
// Module: consent(url, {action: 'allow'|'deny', accessKey?, redirectPrefix, intercept?, timeoutMs?})
//   -> {redirect: url string | null, consent: {text, csp, status} | null, pages: [...urls], error?}
// CLI: node as-consent.mjs <authorization url> <allow|deny> <redirect prefix> [access key] [--follow]   (one JSON line;
//      the redirect is intercepted, or with --follow delivered to the client's own listener)
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const launch = (profile) => chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});

export async function consent(url, { action = 'allow', accessKey, redirectPrefix, intercept = false, timeoutMs = 30_000 }) {
  const profile = mkdtempSync(join(tmpdir(), 'ob-chromium-'));
  // a launch on a loaded 2-core machine can miss its timeout once; a broken browser fails both attempts
  const ctx = await launch(profile).catch((e) => {
    process.stderr.write(`as-consent: chromium launch failed once (${e.name}), retrying\n`);
    return launch(profile);
  });
  const out = { redirect: null, consent: null, pages: [] };
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    let redirected;
    const done = new Promise((resolve) => { redirected = resolve; });
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.url().startsWith(redirectPrefix)) redirected(r.url());
    });
    if (intercept) {
      await page.route((u) => u.href.startsWith(redirectPrefix), (route) =>
        route.fulfill({ status: 200, contentType: 'text/plain', body: 'redirect received' }));
    }
    const responses = new Map();
    page.on('response', (r) => { if (r.request().isNavigationRequest()) responses.set(r.url(), r); });
    const deadline = Date.now() + timeoutMs;
    let stuckAt = null, stuckSince = 0;
    await page.goto(url).catch(() => null);
    // bounded: each pass answers one page or waits for the next navigation
    while (Date.now() < deadline) {
      const got = await Promise.race([done, new Promise((r) => setTimeout(() => r(null), 200))]);
      if (got) { out.redirect = got; break; }
      const here = page.url();
      if (!out.pages.includes(here)) out.pages.push(here);
      const allow = await page.$('button[name=action][value=allow]').catch(() => null);
      if (allow && !out.consent) {
        const resp = responses.get(here);
        out.consent = { text: (await page.innerText('body').catch(() => '')).slice(0, 2000),
          csp: resp ? (await resp.allHeaders())['content-security-policy'] ?? null : null, status: resp ? resp.status() : null };
        const key = await page.$('input[name=access_key]');
        if (key && accessKey) await key.fill(accessKey);
        out.consent.asked_key = Boolean(key);
        const button = await page.$(`button[name=action][value=${action}]`);
        if (!button) { out.error = `no ${action} button on the consent page`; break; }
        await Promise.all([page.waitForNavigation({ timeout: 15_000 }).catch(() => null), button.click()]);
        continue;
      }
      const approve = await page.$('#approve').catch(() => null);
      if (approve) {
        await Promise.all([page.waitForNavigation({ timeout: 15_000 }).catch(() => null), approve.click()]);
        continue;
      }
      if (here !== stuckAt) { stuckAt = here; stuckSince = Date.now(); }
      if (Date.now() - stuckSince > 2000 && here !== 'about:blank') {
        // a page with nothing to answer for 2 s: an error page (the flow ends there)
        const resp = responses.get(here);
        out.error_page = { url: here, status: resp ? resp.status() : null,
          text: (await page.innerText('body').catch(() => '')).slice(0, 500) };
        const again = await Promise.race([done, new Promise((r) => setTimeout(() => r(null), 1000))]);
        if (again) out.redirect = again;
        break;
      }
    }
    if (!out.redirect && !out.error_page && !out.error) {
      const resp = responses.get(page.url());
      out.error = `no redirect to ${redirectPrefix} within ${timeoutMs} ms (at ${page.url()}, status ${resp ? resp.status() : '?'})`;
      out.error_text = (await page.innerText('body').catch(() => '')).slice(0, 500);
    }
  } catch (e) {
    out.error = String(e && e.message ? e.message.split('\n')[0] : e);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const [url, action, redirectPrefix, accessKey] = args.filter((a) => a !== '--follow');
  const out = await consent(url, { action, accessKey, redirectPrefix, intercept: !args.includes('--follow') });
  console.log(JSON.stringify(out));
}
