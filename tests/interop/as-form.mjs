// as-form.mjs - the broker's consent form answered at HTTP level (no browser): for the refusal cases of
// tests/integration/mcp_authorization.sh, which need many codes quickly and forms posted the way a browser would not.
// GET the authorization URL (no redirect followed); on a consent page, POST its form (every hidden input, the
// access key, action=allow|deny) with the page's cookie and Origin = the broker's origin, like a browser.
//
// Usage: node as-form.mjs <authorization url> <allow|deny> [access key] [--no-cookie] [--origin <origin>]
// Prints one JSON line: {authorize: {status, location, csp, cookie, form_fields}, consent: {status, location},
//   redirect: {code, state, iss, error, error_description} | null, page: <error page text, trimmed> | null}
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a === '--no-cookie'));
const originAt = args.indexOf('--origin');
const origin = originAt >= 0 ? args[originAt + 1] : null;
const [url, action, key] = args.filter((a, i) => !a.startsWith('--') && (originAt < 0 || i !== originAt + 1));
const out = { authorize: null, consent: null, redirect: null, page: null };

const redirectOf = (loc) => {
  if (!loc) return null;
  const q = new URL(loc).searchParams;
  return { to: loc.split('?')[0], code: q.get('code'), state: q.get('state'), iss: q.get('iss'), error: q.get('error'),
    error_description: q.get('error_description') };
};
const attr = (tag, name) => (tag.match(new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i')) ?? tag.match(new RegExp(`\\s${name}\\s*=\\s*'([^']*)'`, 'i')) ?? [])[1];
const unescape = (s) => (s ?? '').replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)))
  .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const text = (html) => html.replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 600);

try {
  const r1 = await fetch(url, { redirect: 'manual' });
  const html = await r1.text();
  const setCookie = r1.headers.getSetCookie?.() ?? [];
  out.authorize = { status: r1.status, location: r1.headers.get('location'), csp: r1.headers.get('content-security-policy'),
    cookie: setCookie.map((c) => c.replace(/=[^;]*/, '=<value>')), form_fields: [] };
  if (r1.status >= 300 && r1.status < 400) {
    out.redirect = redirectOf(r1.headers.get('location'));
  } else {
    const form = html.match(/<form[^>]*>[\s\S]*?<\/form>/i)?.[0];
    const buttons = form ? [...form.matchAll(/<button[^>]*>/gi)].map((m) => m[0]) : [];
    if (!form || !buttons.some((b) => attr(b, 'name') === 'action')) {
      out.page = text(html);
    } else {
      const body = new URLSearchParams();
      for (const m of form.matchAll(/<input[^>]*>/gi)) {
        const name = attr(m[0], 'name');
        if (!name) continue;
        out.authorize.form_fields.push(name);
        if (name === 'access_key') { if (key) body.set(name, key); continue; }
        if ((attr(m[0], 'type') ?? 'text').toLowerCase() === 'hidden') body.set(name, unescape(attr(m[0], 'value')));
      }
      body.set('action', action);
      const target = new URL(unescape(attr(form.match(/<form[^>]*>/i)[0], 'action')) ?? url, url);
      const headers = { 'content-type': 'application/x-www-form-urlencoded', origin: origin ?? new URL(url).origin };
      if (!flags.has('--no-cookie') && setCookie.length) headers.cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
      const r2 = await fetch(target, { method: 'POST', body, headers, redirect: 'manual' });
      const html2 = await r2.text();
      out.consent = { status: r2.status, location: r2.headers.get('location') };
      if (r2.status >= 300 && r2.status < 400) out.redirect = redirectOf(r2.headers.get('location'));
      else out.page = text(html2);
    }
  }
} catch (e) {
  out.error = String(e?.message ?? e);
}
console.log(JSON.stringify(out));
