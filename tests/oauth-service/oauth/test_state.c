/*
 * test_state.c - the sealed OAuth state (round trip, tampering, expiry, keys), the return URL
 * allow-list and the HTML pages (escaping, CSP nonce, popup origins).
 */
#include "cu.h"

#include "oauth/pages.h"
#include "oauth/return_url.h"
#include "oauth/state.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#define K1 "0101010101010101010101010101010101010101010101010101010101010101"
#define K2 "0202020202020202020202020202020202020202020202020202020202020202"
#define ID1 "6f1c2f8e-3a8b-4c1e-9d2a-1b2c3d4e5f60"

static ob_keyring_t *ring(const char *text)
{
    ob_keyring_t *kr = NULL;
    char err[128];
    CU_ASSERT(ob_keyring_parse(text, strlen(text), &kr, err, sizeof(err)) == CM_OK);
    return kr;
}

static void test_round_trip(void)
{
    ob_keyring_t *kr = ring("k1 " K1);
    ob_state_t st, back;
    CU_ASSERT_EQUAL_FATAL(ob_state_init(&st, ID1, "google", 1, 1000, 600), CM_OK);
    CU_ASSERT_EQUAL(strlen(st.verifier), 64);
    CU_ASSERT(strlen(st.nonce) >= 32);
    st.popup = 1;
    snprintf(st.return_url, sizeof(st.return_url), "https://app.example/done?x=1");
    char *text = ob_state_seal(kr, &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(text));
    CU_ASSERT_PTR_NULL(strstr(text, st.verifier));
    CU_ASSERT_EQUAL_FATAL(ob_state_open(kr, text, 1001, &back), CM_OK);
    CU_ASSERT_STRING_EQUAL(back.instance_id, ID1);
    CU_ASSERT_STRING_EQUAL(back.provider, "google");
    CU_ASSERT_STRING_EQUAL(back.verifier, st.verifier);
    CU_ASSERT_STRING_EQUAL(back.nonce, st.nonce);
    CU_ASSERT_STRING_EQUAL(back.return_url, "https://app.example/done?x=1");
    CU_ASSERT_EQUAL(back.popup, 1);
    CU_ASSERT_EQUAL(back.nonce_not_sent, 0);
    CU_ASSERT_EQUAL(back.expires_at, 1600);
    /* whether the nonce went out travels too (the callback requires it in an ID token only then) */
    st.nonce_not_sent = 1;
    char *text2 = ob_state_seal(kr, &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text2);
    CU_ASSERT_EQUAL_FATAL(ob_state_open(kr, text2, 1001, &back), CM_OK);
    CU_ASSERT_EQUAL(back.nonce_not_sent, 1);
    CU_ASSERT_EQUAL(back.popup, 1);
    free(text2);
    /* two states for one instance differ (fresh nonce and verifier) */
    ob_state_t st2;
    ob_state_init(&st2, ID1, "google", 0, 1000, 600);
    CU_ASSERT(strcmp(st.nonce, st2.nonce) != 0);
    CU_ASSERT_STRING_EQUAL(st2.verifier, "");
    free(text);
    ob_keyring_free(kr);
}

static void test_tamper_and_expiry(void)
{
    ob_keyring_t *kr = ring("k1 " K1), *other = ring("k1 " K2), *rotated = ring("k1 " K1 "\nk2 " K2);
    ob_state_t st, back;
    ob_state_init(&st, ID1, "google", 1, 1000, 600);
    char *text = ob_state_seal(kr, &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* expired: authentic, filled, but CM_ETIMEDOUT */
    CU_ASSERT_EQUAL(ob_state_open(kr, text, 1600, &back), CM_ETIMEDOUT);
    CU_ASSERT_STRING_EQUAL(back.instance_id, ID1);
    /* every single changed character fails */
    size_t n = strlen(text);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char saved = text[i];
        text[i] = saved == 'A' ? 'B' : 'A';
        if (ob_state_open(kr, text, 1001, &back) == CM_EINVAL && back.instance_id[0] == '\0')
            failures++;
        text[i] = saved;
    }
    CU_ASSERT_EQUAL(failures, (int)n);
    /* another key with the same id, truncation, junk */
    CU_ASSERT_EQUAL(ob_state_open(other, text, 1001, &back), CM_EINVAL);
    text[n - 3] = '\0';
    CU_ASSERT_EQUAL(ob_state_open(kr, text, 1001, &back), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_state_open(kr, "", 1001, &back), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_state_open(kr, "not base64 !", 1001, &back), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_state_open(kr, NULL, 1001, &back), CM_EINVAL);
    char *huge = calloc(1, OB_STATE_MAX_LEN + 2);
    memset(huge, 'A', OB_STATE_MAX_LEN + 1);
    CU_ASSERT_EQUAL(ob_state_open(kr, huge, 1001, &back), CM_EINVAL);
    free(huge);
    free(text);
    /* a state sealed before a key rotation still opens after it (the ring keeps the old key) */
    text = ob_state_seal(kr, &st);
    CU_ASSERT_EQUAL(ob_state_open(rotated, text, 1001, &back), CM_OK);
    free(text);
    /* a state is not a credential: the credentials sub-key cannot have sealed it */
    ob_keyring_free(kr);
    ob_keyring_free(other);
    ob_keyring_free(rotated);
}

/* Seals an arbitrary plaintext as a state blob (what only the key holder can do), to check the inner parser. */
static char *seal_raw(const ob_keyring_t *kr, const unsigned char *pt, size_t len)
{
    uint8_t *ct = NULL;
    size_t ctlen = 0;
    const char *kid = NULL;
    char aad[64];
    memcpy(aad, "ob-state-v1", 12);
    memcpy(aad + 12, "k1", 2);
    if (ob_keyring_seal(kr, OB_KEY_STATE, aad, 14, pt, len, &ct, &ctlen, &kid) != CM_OK)
        return NULL;
    uint8_t *blob = malloc(4 + ctlen);
    blob[0] = 1;
    blob[1] = 2;
    memcpy(blob + 2, "k1", 2);
    memcpy(blob + 4, ct, ctlen);
    char *out = cm_b64url_encode(blob, 4 + ctlen);
    free(blob);
    free(ct);
    return out;
}

static void test_inner_structure(void)
{
    ob_keyring_t *kr = ring("k1 " K1);
    ob_state_t back;
    unsigned char good[256], bad[256];
    size_t n = 0;
    good[n++] = 0;
    for (int i = 0; i < 8; i++)
        good[n++] = i == 7 ? 0x10 : 0; /* expires_at 16 */
    const char *parts[4] = {ID1, "google", "", "nonce-0123456789abcdef"};
    for (int i = 0; i < 4; i++) {
        good[n++] = (unsigned char)strlen(parts[i]);
        memcpy(good + n, parts[i], strlen(parts[i]));
        n += strlen(parts[i]);
    }
    good[n++] = 0;
    good[n++] = 0;
    char *t = seal_raw(kr, good, n);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1, &back), CM_OK);
    CU_ASSERT_STRING_EQUAL(back.provider, "google");
    free(t);
    memcpy(bad, good, n);
    bad[n] = 'x'; /* trailing byte */
    t = seal_raw(kr, bad, n + 1);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1, &back), CM_EINVAL);
    free(t);
    t = seal_raw(kr, good, n - 1); /* truncated */
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1, &back), CM_EINVAL);
    free(t);
    memcpy(bad, good, n);
    bad[0] = 0x80; /* unknown flag */
    t = seal_raw(kr, bad, n);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1, &back), CM_EINVAL);
    free(t);
    memcpy(bad, good, n);
    bad[9] = 200; /* instance id length beyond the end */
    t = seal_raw(kr, bad, n);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1, &back), CM_EINVAL);
    free(t);
    memcpy(bad, good, n);
    bad[10] = 'X'; /* not a UUID any more */
    t = seal_raw(kr, bad, n);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1, &back), CM_EINVAL);
    free(t);
    memcpy(bad, good, n);
    bad[12] = '\0'; /* a NUL inside a string */
    t = seal_raw(kr, bad, n);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1, &back), CM_EINVAL);
    CU_ASSERT_EQUAL(back.instance_id[0], '\0');
    free(t);
    ob_keyring_free(kr);
}

#define RH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A state of an MCP client's sign-in carries its kind and the request row's hash; a service URL sign-in has no
 * instance, a proof of ownership has one. */
static void test_as_kinds(void)
{
    ob_keyring_t *kr = ring("k1 " K1);
    ob_state_t st, back;
    CU_ASSERT_EQUAL_FATAL(ob_state_init(&st, NULL, "google", 1, 1000, 600), CM_OK);
    st.kind = OB_STATE_AS_LOGIN;
    snprintf(st.as_request, sizeof(st.as_request), RH);
    char *t = ob_state_seal(kr, &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL_FATAL(ob_state_open(kr, t, 1001, &back), CM_OK);
    CU_ASSERT_EQUAL(back.kind, OB_STATE_AS_LOGIN);
    CU_ASSERT_STRING_EQUAL(back.as_request, RH);
    CU_ASSERT_STRING_EQUAL(back.instance_id, "");
    CU_ASSERT_STRING_EQUAL(back.verifier, st.verifier);
    CU_ASSERT(strlen(t) < OB_STATE_MAX_LEN);
    free(t);
    /* a login state naming an instance, a proof state without one, a request hash that is not 64 characters */
    snprintf(st.instance_id, sizeof(st.instance_id), ID1);
    t = ob_state_seal(kr, &st);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1001, &back), CM_EINVAL);
    free(t);
    st.kind = OB_STATE_AS_PROOF;
    t = ob_state_seal(kr, &st);
    CU_ASSERT_EQUAL_FATAL(ob_state_open(kr, t, 1001, &back), CM_OK);
    CU_ASSERT_EQUAL(back.kind, OB_STATE_AS_PROOF);
    CU_ASSERT_STRING_EQUAL(back.instance_id, ID1);
    free(t);
    st.instance_id[0] = '\0';
    t = ob_state_seal(kr, &st);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1001, &back), CM_EINVAL);
    free(t);
    st.kind = OB_STATE_AS_LOGIN;
    st.as_request[10] = '\0';
    t = ob_state_seal(kr, &st);
    CU_ASSERT_EQUAL(ob_state_open(kr, t, 1001, &back), CM_EINVAL);
    free(t);
    /* an instance's own state has no kind of its own */
    CU_ASSERT_EQUAL_FATAL(ob_state_init(&st, ID1, "google", 0, 1000, 600), CM_OK);
    t = ob_state_seal(kr, &st);
    CU_ASSERT_EQUAL_FATAL(ob_state_open(kr, t, 1001, &back), CM_OK);
    CU_ASSERT_EQUAL(back.kind, OB_STATE_INSTANCE);
    CU_ASSERT_STRING_EQUAL(back.as_request, "");
    free(t);
    ob_keyring_free(kr);
}

static void test_return_urls(void)
{
    json_t *allowed =
        json_pack("[s,s,s]", "https://app.example/oauth/done", "http://localhost:5173/", "https://Other.Example");
    CU_ASSERT_TRUE(ob_return_url_allowed(allowed, "https://app.example/oauth/done"));
    CU_ASSERT_TRUE(ob_return_url_allowed(allowed, "https://app.example/oauth/done?x=1"));
    CU_ASSERT_TRUE(ob_return_url_allowed(allowed, "https://app.example/oauth/done/more"));
    CU_ASSERT_TRUE(ob_return_url_allowed(allowed, "https://APP.example:443/oauth/done"));
    CU_ASSERT_TRUE(ob_return_url_allowed(allowed, "http://localhost:5173/anything"));
    CU_ASSERT_TRUE(ob_return_url_allowed(allowed, "https://other.example/x"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example/oauth/doneX"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example/oauth"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "http://app.example/oauth/done"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example:8443/oauth/done"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example.evil.com/oauth/done"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://evil.com/oauth/done"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example@evil.com/oauth/done"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://user:pw@app.example/oauth/done"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example/oauth/done#frag"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example/oauth/done/../../admin"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "//evil.com/"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "/relative"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "javascript:alert(1)"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example/oauth/done\\@evil.com"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, "https://app.example/oauth/done x"));
    CU_ASSERT_FALSE(ob_return_url_allowed(allowed, NULL));
    json_t *none = json_array();
    CU_ASSERT_FALSE(ob_return_url_allowed(none, "https://app.example/oauth/done"));
    json_decref(none);
    json_decref(allowed);
    char *o = ob_url_origin("https://app.example:8443/a/b?c#d");
    CU_ASSERT_STRING_EQUAL(o, "https://app.example:8443");
    free(o);
    o = ob_url_origin("http://127.0.0.1:3001");
    CU_ASSERT_STRING_EQUAL(o, "http://127.0.0.1:3001");
    free(o);
}

static void test_pages(void)
{
    char csp[512];
    json_t *origins = json_pack("[s]", "https://app.example");
    ob_page_t p = {.status = 400,
                   .success = 0,
                   .title = "Authorization failed",
                   .message = "<script>alert(1)</script>",
                   .code = "access_denied\"'&",
                   .instance_id = ID1,
                   .popup = 1};
    char *html = ob_page_render(&p, origins, csp, sizeof(csp));
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NULL(strstr(html, "<script>alert"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "access_denied&quot;&#39;&amp;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "\"https://app.example\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "oauth_error"));
    CU_ASSERT_PTR_NULL(strstr(html, "'*'"));
    /* the script and style carry the CSP's nonce */
    const char *n = strstr(csp, "'nonce-");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    char nonce[64];
    size_t len = strcspn(n + 7, "'");
    CU_ASSERT_FATAL(len > 16 && len < sizeof(nonce));
    memcpy(nonce, n + 7, len);
    nonce[len] = '\0';
    char attr[96];
    snprintf(attr, sizeof(attr), "<script nonce=\"%s\">", nonce);
    CU_ASSERT_PTR_NOT_NULL(strstr(html, attr));
    CU_ASSERT_PTR_NOT_NULL(strstr(csp, "default-src 'none'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(csp, "frame-ancestors 'none'"));
    free(html);
    /* a JSON value cannot break out of the data block */
    ob_page_t q = {.status = 200,
                   .success = 1,
                   .title = "ok",
                   .message = "m",
                   .service = "</script><b>",
                   .instance_id = ID1,
                   .popup = 0};
    char csp2[512];
    html = ob_page_render(&q, NULL, csp2, sizeof(csp2));
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NULL(strstr(html, "</script><b>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "\\u003c/script\\u003e"));
    CU_ASSERT(strcmp(csp, csp2) != 0); /* a fresh nonce per page */
    free(html);
    json_decref(origins);
}

void tests_register(void)
{
    CU_SUITE("state", NULL, NULL, {"round trip", test_round_trip}, {"tampering and expiry", test_tamper_and_expiry},
             {"inner structure", test_inner_structure}, {"return URL allow-list", test_return_urls},
             {"MCP client sign-in kinds", test_as_kinds}, {"pages", test_pages});
}
