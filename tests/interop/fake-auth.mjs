// fake-auth.mjs - the bearer check the fake provider APIs share. A request is authorized by the one access token
// the fake was started with (a /_token hook may replace it), or, with FAKE_TOKENINFO_URL set (e.g.
// tests/fakes/fake-google.mjs's /tokeninfo), by any token that endpoint knows as live, as Google's APIs check.
export function bearerAuth(initial) {
  let token = initial;
  const tokeninfoUrl = process.env.FAKE_TOKENINFO_URL;
  return {
    setToken: (t) => { token = t; },
    authorized: async (header) => {
      if (!tokeninfoUrl) return header === `Bearer ${token}`;
      const m = /^Bearer (\S+)$/.exec(header ?? '');
      if (!m) return false;
      const r = await fetch(`${tokeninfoUrl}?access_token=${encodeURIComponent(m[1])}`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
      return r?.status === 200;
    },
  };
}
