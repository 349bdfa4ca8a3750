/*
 * test_support.c - provider_support: token-request building and client authentication, the
 * token-response parser (JSON, form fallback, expiry forms, extras), error classification
 * (statuses, RFC 6749 codes, transport failures, malformed bodies), scope helpers, and the example
 * plugin end to end.
 */
#include "cu.h"
#include "fake_host.h"

#include "provider_support.h"

#include "common/crypto.h"
#include "common/json_util.h"

#include <stdlib.h>
#include <string.h>

static ps_provider_t *prov;

static int setup(void)
{
    fh_reset();
    prov = ps_provider_new(fh_host(), "t", "Test", "a b", OP_CAP_REFRESH | OP_CAP_PKCE);
    if (prov == NULL)
        return -1;
    return ps_provider_set_endpoints(prov, "https://idp.test/authorize", "https://idp.test/token",
                                     "https://idp.test/revoke");
}

static int teardown(void)
{
    ps_provider_free(prov);
    fh_reset();
    return 0;
}

/* Parses body with the test provider; returns the status. */
static int parse(int status, const char *ctype, const char *body, op_token_set_t *ts, op_error_t *err)
{
    return fh_parse(&prov->op, status, ctype, body, ts, err);
}

static void expect_error(int status, const char *body, int cls, const char *code)
{
    op_token_set_t ts;
    op_error_t err;
    CU_ASSERT_EQUAL(parse(status, "application/json", body, &ts, &err), OP_ERR);
    CU_ASSERT_EQUAL(err.error_class, cls);
    CU_ASSERT_STRING_EQUAL(err.code, code);
    CU_ASSERT_EQUAL(err.http_status, status);
    CU_ASSERT_PTR_NULL(ts.access_token);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

/* ---- requests ---- */

static void test_basic_auth_form_encodes(void)
{
    fh_reset();
    char *h = ps_basic_auth("my id", "s3cr+t/=:é", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_EQUAL(strncmp(h, "Basic ", 6), 0);
    size_t n = 0;
    uint8_t *plain = cm_b64_decode(h + 6, strlen(h + 6), &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    CU_ASSERT_STRING_EQUAL((char *)plain, "my%20id:s3cr%2Bt%2F%3D%3A%C3%A9");
    free(plain);
    cm_secure_free(h, 0);

    h = ps_basic_auth("Iv1.abc", "se:cret", 0); /* RFC 7617, no form encoding */
    plain = cm_b64_decode(h + 6, strlen(h + 6), &n);
    CU_ASSERT_STRING_EQUAL((char *)plain, "Iv1.abc:se:cret");
    free(plain);
    cm_secure_free(h, 0);
    CU_ASSERT_PTR_NULL(ps_basic_auth("id", NULL, 1));
}

static void exchange(const op_client_t *c, const char *verifier, fh_token_result_t *res)
{
    CU_ASSERT_EQUAL(prov->op.exchange_code(prov, c, "the-code", verifier, fh_token_cb, res), OP_AGAIN);
}

static void test_token_request_basic(void)
{
    fh_reset();
    op_client_t c = {sizeof(c), "cid", "csecret", "https://broker.test/cb", NULL};
    fh_token_result_t res = {0};
    exchange(&c, "verifier-0123456789012345678901234567890123456789", &res);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_STRING_EQUAL(r->method, "POST");
    CU_ASSERT_STRING_EQUAL(r->url, "https://idp.test/token");
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Content-Type"), "application/x-www-form-urlencoded");
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Accept"), "application/json");
    char *expect = ps_basic_auth("cid", "csecret", 1);
    CU_ASSERT_STRING_EQUAL(fh_header(r, "Authorization"), expect);
    cm_secure_free(expect, 0);
    char *v;
    CU_ASSERT_STRING_EQUAL((v = fh_form(r, "grant_type")), "authorization_code");
    free(v);
    CU_ASSERT_STRING_EQUAL((v = fh_form(r, "code")), "the-code");
    free(v);
    CU_ASSERT_STRING_EQUAL((v = fh_form(r, "redirect_uri")), "https://broker.test/cb");
    free(v);
    CU_ASSERT_STRING_EQUAL((v = fh_form(r, "code_verifier")), "verifier-0123456789012345678901234567890123456789");
    free(v);
    CU_ASSERT_PTR_NULL(fh_form(r, "client_secret"));
    CU_ASSERT_PTR_NULL(fh_form(r, "client_id")); /* authenticated by the header */
    CU_ASSERT_EQUAL(fh_form_count(r), 4);
    CU_ASSERT_EQUAL(res.called, 0); /* never synchronous */
    fh_cancel_all();
    CU_ASSERT_EQUAL(res.called, 1);
    CU_ASSERT_EQUAL(res.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_STRING_EQUAL(res.err.code, "network");
}

static void test_token_request_post_and_public(void)
{
    fh_reset();
    op_client_t c = {sizeof(c), "cid", "c&secret=", "https://broker.test/cb", NULL};
    fh_token_result_t res = {0};
    char *v;
    prov->client_auth = PS_AUTH_POST;
    ps_params_add(&prov->token_extra, "audience", "api://x");
    exchange(&c, NULL, &res);
    const fh_request_t *r = fh_last_request();
    CU_ASSERT_PTR_NULL(fh_header(r, "Authorization"));
    CU_ASSERT_STRING_EQUAL((v = fh_form(r, "client_id")), "cid");
    free(v);
    CU_ASSERT_STRING_EQUAL((v = fh_form(r, "client_secret")), "c&secret=");
    free(v);
    CU_ASSERT_STRING_EQUAL((v = fh_form(r, "audience")), "api://x");
    free(v);
    CU_ASSERT_PTR_NULL(fh_form(r, "code_verifier"));
    /* a public client (no secret) sends its id only, whatever the style */
    op_client_t pub = {sizeof(pub), "pub", NULL, "https://broker.test/cb", NULL};
    prov->client_auth = PS_AUTH_BASIC;
    exchange(&pub, NULL, &res);
    r = fh_last_request();
    CU_ASSERT_PTR_NULL(fh_header(r, "Authorization"));
    CU_ASSERT_STRING_EQUAL((v = fh_form(r, "client_id")), "pub");
    free(v);
    CU_ASSERT_PTR_NULL(fh_form(r, "client_secret"));
    /* no PKCE capability: the verifier is not sent */
    prov->op.capabilities &= ~OP_CAP_PKCE;
    exchange(&c, "verifier-0123456789012345678901234567890123456789", &res);
    CU_ASSERT_PTR_NULL(fh_form(fh_last_request(), "code_verifier"));
    prov->op.capabilities |= OP_CAP_PKCE;
    ps_params_free(&prov->token_extra);
    fh_cancel_all();
    CU_ASSERT_EQUAL(res.called, 3);
}

static void test_invalid_arguments(void)
{
    fh_reset();
    op_client_t c = {sizeof(c), "cid", "s", "https://broker.test/cb", NULL};
    op_client_t noid = {sizeof(noid), NULL, "s", "https://broker.test/cb", NULL};
    fh_token_result_t res = {0};
    CU_ASSERT_EQUAL(prov->op.exchange_code(prov, &c, NULL, NULL, fh_token_cb, &res), OP_EINVAL);
    CU_ASSERT_EQUAL(prov->op.exchange_code(prov, &noid, "x", NULL, fh_token_cb, &res), OP_EINVAL);
    CU_ASSERT_EQUAL(prov->op.refresh(prov, &c, "", NULL, fh_token_cb, &res), OP_EINVAL);
    /* a host that cannot send: the error comes back, the callback never runs */
    fh_script_send_error(OP_ENOMEM);
    CU_ASSERT_EQUAL(prov->op.exchange_code(prov, &c, "x", NULL, fh_token_cb, &res), OP_ENOMEM);
    fh_flush();
    CU_ASSERT_EQUAL(res.called, 0);
    CU_ASSERT_EQUAL(fh_request_count(), 0);
}

static void test_authorize_url(void)
{
    fh_reset();
    op_client_t c = {sizeof(c), "cid", "s", "https://broker.test/cb?x=1", NULL};
    op_authorize_params_t ap = {sizeof(ap), "st ate", NULL, "chal", "nonce-1", "u@example.com"};
    char *url = NULL;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(prov->op.build_authorize_url(prov, &c, &ap, &url, &err), OP_OK);
    char *v;
    CU_ASSERT_STRING_EQUAL((v = fh_url_base(url)), "https://idp.test/authorize");
    free(v);
    CU_ASSERT_STRING_EQUAL((v = fh_query(url, "redirect_uri")), "https://broker.test/cb?x=1");
    free(v);
    CU_ASSERT_STRING_EQUAL((v = fh_query(url, "state")), "st ate");
    free(v);
    CU_ASSERT_STRING_EQUAL((v = fh_query(url, "scope")), "a b");
    free(v);
    CU_ASSERT_PTR_NULL(fh_query(url, "nonce")); /* not an OIDC provider */
    CU_ASSERT_STRING_EQUAL((v = fh_query(url, "login_hint")), "u@example.com");
    free(v);
    CU_ASSERT_EQUAL(fh_query_total(url), 8);
    fh_host()->mem_free(url);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
    ap.state = NULL;
    CU_ASSERT_EQUAL(prov->op.build_authorize_url(prov, &c, &ap, &url, &err), OP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.code, "missing_state");
    CU_ASSERT_PTR_NULL(url);
}

/* ---- parser ---- */

static void test_parse_json(void)
{
    fh_reset();
    op_token_set_t ts;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(parse(200, "application/json",
                                "{\"access_token\":\"at-1\",\"refresh_token\":\"rt-1\",\"expires_in\":3600,"
                                "\"token_type\":\"bearer\",\"scope\":\"a  b\",\"id_token\":\"x.y.z\","
                                "\"refresh_token_expires_in\":\"86400\",\"instance_url\":\"https://i.test\"}",
                                &ts, &err),
                          OP_OK);
    CU_ASSERT_STRING_EQUAL(ts.access_token, "at-1");
    CU_ASSERT_STRING_EQUAL(ts.refresh_token, "rt-1");
    CU_ASSERT_STRING_EQUAL(ts.token_type, "Bearer");
    CU_ASSERT_STRING_EQUAL(ts.scope, "a b");
    CU_ASSERT_STRING_EQUAL(ts.id_token, "x.y.z");
    CU_ASSERT_EQUAL(ts.expires_at, FH_NOW + 3600);
    CU_ASSERT_EQUAL(ts.refresh_expires_at, FH_NOW + 86400);
    CU_ASSERT_STRING_EQUAL(ts.extras_json, "{\"instance_url\":\"https://i.test\"}");
    fh_host()->token_set_clear(&ts);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static int64_t expiry_of(const char *body)
{
    op_token_set_t ts;
    op_error_t err;
    if (parse(200, "application/json", body, &ts, &err) != OP_OK)
        return -1;
    int64_t e = ts.expires_at;
    fh_host()->token_set_clear(&ts);
    return e;
}

static void test_parse_expiry_forms(void)
{
    fh_reset();
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":\"3600\"}"), FH_NOW + 3600);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":3599.0}"), FH_NOW + 3599);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":\"3599.0\"}"), FH_NOW + 3599);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\"}"), 0); /* no expiry: never expires */
    /* an expiry that was sent but is unusable: short-lived, never "forever" */
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":0}"), FH_NOW + PS_UNKNOWN_EXPIRES_IN);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":-5}"), FH_NOW + PS_UNKNOWN_EXPIRES_IN);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":\"soon\"}"), FH_NOW + PS_UNKNOWN_EXPIRES_IN);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":true}"), FH_NOW + PS_UNKNOWN_EXPIRES_IN);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":99999999999999}"),
                    FH_NOW + PS_UNKNOWN_EXPIRES_IN);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":null}"), 0);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_at\":1700003600}"), 1700003600);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_at\":\"1700003600000\"}"), 1700003600);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":60,\"expires_at\":1700003600}"), FH_NOW + 60);
    /* an absolute expiry that is already past or unreadable is unusable too: short-lived, not expired, not forever */
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_at\":300}"), FH_NOW + PS_UNKNOWN_EXPIRES_IN);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_at\":1699999999}"), FH_NOW + PS_UNKNOWN_EXPIRES_IN);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_at\":\"tomorrow\"}"), FH_NOW + PS_UNKNOWN_EXPIRES_IN);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_at\":null}"), 0);
    prov->default_expires_in = 7200; /* a provider that documents a lifetime but does not send it */
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\"}"), FH_NOW + 7200);
    CU_ASSERT_EQUAL(expiry_of("{\"access_token\":\"a\",\"expires_in\":60}"), FH_NOW + 60);
    prov->default_expires_in = 0;
    op_token_set_t ts;
    op_error_t err;
    CU_ASSERT_EQUAL(parse(200, NULL, "{\"access_token\":\"a\",\"refresh_expires_in\":100}", &ts, &err), OP_OK);
    CU_ASSERT_EQUAL(ts.refresh_expires_at, FH_NOW + 100);
    CU_ASSERT_PTR_NULL(ts.refresh_token);
    CU_ASSERT_PTR_NULL(ts.scope);
    CU_ASSERT_PTR_NULL(ts.extras_json);
    fh_host()->token_set_clear(&ts);
}

static void test_parse_types_scopes_extras(void)
{
    fh_reset();
    op_token_set_t ts;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(parse(200, "application/json",
                                "{\"access_token\":\"a\",\"token_type\":\"DPoP\",\"scope\":[\"x\",\"y z\"],"
                                "\"team\":{\"id\":\"T1\",\"bot_token\":\"xoxb\",\"owner\":{\"api_key\":\"k\",\"n\":1}},"
                                "\"webhook\":{\"url\":\"https://hooks\"},\"signing_secret\":\"s\",\"user_code\":\"c\","
                                "\"list\":[{\"password\":\"p\",\"ok\":true}]}",
                                &ts, &err),
                          OP_OK);
    CU_ASSERT_STRING_EQUAL(ts.token_type, "DPoP");
    CU_ASSERT_STRING_EQUAL(ts.scope, "x y z");
    json_t *ex = cm_json_loadb(ts.extras_json, strlen(ts.extras_json), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(ex, "team"), "id")), "T1");
    CU_ASSERT_PTR_NULL(json_object_get(json_object_get(ex, "team"), "bot_token"));
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(json_object_get(ex, "team"), "owner"), "n")), 1);
    CU_ASSERT_PTR_NULL(json_object_get(json_object_get(json_object_get(ex, "team"), "owner"), "api_key"));
    CU_ASSERT_PTR_NULL(json_object_get(ex, "webhook"));
    CU_ASSERT_PTR_NULL(json_object_get(ex, "signing_secret"));
    CU_ASSERT_PTR_NULL(json_object_get(ex, "user_code"));
    CU_ASSERT_PTR_NULL(json_object_get(ex, "access_token"));
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(json_object_get(ex, "list"), 0), "password"));
    json_decref(ex);
    fh_host()->token_set_clear(&ts);
}

static void test_parse_form_fallback(void)
{
    fh_reset();
    static const char *types[] = {"application/x-www-form-urlencoded", "text/plain", "application/json", NULL};
    for (size_t i = 0; i < 4; i++) {
        op_token_set_t ts;
        op_error_t err;
        CU_ASSERT_EQUAL_FATAL(
            parse(200, types[i], "access_token=gho_16C7&scope=repo&token_type=bearer&expires_in=28800\n", &ts, &err),
            OP_OK);
        CU_ASSERT_STRING_EQUAL(ts.access_token, "gho_16C7");
        CU_ASSERT_STRING_EQUAL(ts.token_type, "Bearer");
        CU_ASSERT_EQUAL(ts.expires_at, FH_NOW + 28800);
        fh_host()->token_set_clear(&ts);
    }
    expect_error(200, "error=invalid_grant&error_description=expired+code", OP_ERRCLASS_PERMANENT, "invalid_grant");
}

static void test_parse_malformed(void)
{
    fh_reset();
    const char *bad[] = {"",
                         "   ",
                         "{\"access_token\":\"abc",
                         "<html><body>a=b</body></html>",
                         "null",
                         "[]",
                         "\"str\"",
                         "{\"token\":\"x\"}",
                         "{\"access_token\":42}",
                         "{\"access_token\":\"\"}",
                         "{\"access_token\":\"a b\"}",
                         "{\"access_token\":\"a\\nb\"}",
                         "{\"access_token\":\"a\",\"refresh_token\":\"r\\u0000x\"}",
                         "Internal Server Error",
                         "plain text = not a form",
                         "{\"access_token\":\"a\",\"access_token\":\"b\"}",
                         NULL};
    for (size_t i = 0; bad[i] != NULL; i++)
        expect_error(200, bad[i], OP_ERRCLASS_TRANSIENT, "bad_response");
    /* a body with a NUL inside (body_len counts past it) */
    op_http_response_t res = {sizeof(res),           200, 0, NULL, "application/x-www-form-urlencoded",
                              "access_token=a\0b=c", 18,  -1};
    op_token_set_t ts = {.struct_size = sizeof(ts)};
    op_error_t err;
    CU_ASSERT_EQUAL(prov->op.parse_token_response(prov, &res, FH_NOW, &ts, &err), OP_ERR);
    CU_ASSERT_STRING_EQUAL(err.code, "bad_response");
    /* above the size cap */
    size_t big = PS_MAX_RESPONSE + 10;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    memcpy(body, "{\"access_token\":\"a\"}", 20);
    body[big] = '\0';
    res.body = body;
    res.body_len = big;
    CU_ASSERT_EQUAL(prov->op.parse_token_response(prov, &res, FH_NOW, &ts, &err), OP_ERR);
    CU_ASSERT_STRING_EQUAL(err.code, "response_too_large");
    CU_ASSERT_EQUAL(err.error_class, OP_ERRCLASS_TRANSIENT);
    free(body);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

static void test_classification(void)
{
    fh_reset();
    expect_error(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Bad\\nRequest\\u0001\"}",
                 OP_ERRCLASS_PERMANENT, "invalid_grant");
    op_token_set_t ts;
    op_error_t err;
    parse(400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"Bad\\nRequest\"}", &ts, &err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.description, "Bad Request"));
    expect_error(401, "{\"error\":\"invalid_client\"}", OP_ERRCLASS_PERMANENT, "invalid_client");
    expect_error(400, "{\"error\":\"unauthorized_client\"}", OP_ERRCLASS_PERMANENT, "unauthorized_client");
    expect_error(400, "{\"error\":\"access_denied\"}", OP_ERRCLASS_PERMANENT, "access_denied");
    expect_error(400, "{\"error\":\"invalid_request\"}", OP_ERRCLASS_REQUEST, "invalid_request");
    expect_error(400, "{\"error\":\"unsupported_grant_type\"}", OP_ERRCLASS_REQUEST, "unsupported_grant_type");
    expect_error(400, "{\"error\":\"invalid_scope\"}", OP_ERRCLASS_REQUEST, "invalid_scope");
    expect_error(400, "{\"error\":\"something_new\"}", OP_ERRCLASS_REQUEST, "something_new");
    expect_error(403, "{\"error\":\"something_new\"}", OP_ERRCLASS_PERMANENT, "something_new");
    expect_error(200, "{\"error\":\"temporarily_unavailable\"}", OP_ERRCLASS_TRANSIENT, "temporarily_unavailable");
    expect_error(400, "{\"error\":{\"code\":\"invalid_grant\",\"message\":\"m\"}}", OP_ERRCLASS_PERMANENT,
                 "invalid_grant");
    expect_error(400, "{\"error\":\"in valid<script>\"}", OP_ERRCLASS_REQUEST, "invalidscript");
    /* 5xx and 429 are transient whatever the body says */
    expect_error(500, "{\"error\":\"invalid_grant\"}", OP_ERRCLASS_TRANSIENT, "invalid_grant");
    expect_error(502, "<html><h1>Bad Gateway</h1></html>", OP_ERRCLASS_TRANSIENT, "http_502");
    expect_error(503, "{\"access_tok", OP_ERRCLASS_TRANSIENT, "http_503");
    expect_error(504, "", OP_ERRCLASS_TRANSIENT, "http_504");
    expect_error(429, "slow down", OP_ERRCLASS_TRANSIENT, "http_429");
    /* other statuses without a parseable error */
    expect_error(401, "<html>Unauthorized</html>", OP_ERRCLASS_PERMANENT, "http_401");
    expect_error(404, "not found", OP_ERRCLASS_REQUEST, "http_404");
    expect_error(302, "", OP_ERRCLASS_REQUEST, "http_302");
    CU_ASSERT_EQUAL(ps_classify_code(NULL, "invalid_grant", 200), OP_ERRCLASS_PERMANENT);
    static const ps_errmap_t map[] = {{"invalid_grant", OP_ERRCLASS_REQUEST}, {NULL, 0}};
    CU_ASSERT_EQUAL(ps_classify_code(map, "invalid_grant", 400), OP_ERRCLASS_REQUEST);
}

static void test_transport_and_retry_after(void)
{
    fh_reset();
    op_client_t c = {sizeof(c), "cid", "s", "https://broker.test/cb", NULL};
    fh_token_result_t r1 = {0}, r2 = {0}, r3 = {0};
    fh_script_retry(429, "application/json", "{\"error\":\"rate_limited\"}", 17);
    fh_script_transport(1, "Operation timed out");
    fh_script_transport(0, "Could not resolve host");
    exchange(&c, NULL, &r1);
    CU_ASSERT_EQUAL(prov->op.refresh(prov, &c, "rt", "a b", fh_token_cb, &r2), OP_AGAIN);
    exchange(&c, NULL, &r3);
    char *v = fh_form(fh_request(1), "scope");
    CU_ASSERT_STRING_EQUAL(v, "a b");
    free(v);
    CU_ASSERT_EQUAL(fh_flush(), 3);
    CU_ASSERT_EQUAL(r1.status, OP_ERR);
    CU_ASSERT_EQUAL(r1.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_EQUAL(r1.err.retry_after_s, 17);
    CU_ASSERT_EQUAL(r1.err.http_status, 429);
    CU_ASSERT_STRING_EQUAL(r2.err.code, "timeout");
    CU_ASSERT_EQUAL(r2.err.error_class, OP_ERRCLASS_TRANSIENT);
    CU_ASSERT_EQUAL(r2.err.http_status, 0);
    CU_ASSERT_STRING_EQUAL(r3.err.code, "network");
    CU_ASSERT_PTR_NOT_NULL(strstr(r3.err.description, "Could not resolve host"));
    CU_ASSERT_EQUAL(r1.called + r2.called + r3.called, 3);
}

static void test_decode_and_scopes(void)
{
    fh_reset();
    json_t *d = ps_decode_body("a=1&b=x%20y", 11);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "b")), "x y");
    json_decref(d);
    CU_ASSERT_PTR_NULL(ps_decode_body("<p>a=b</p>", 10));
    CU_ASSERT_PTR_NULL(ps_decode_body("{\"a\":1", 6));
    CU_ASSERT_PTR_NULL(ps_decode_body("a=%zz", 5));
    char *s = ps_scopes_join("  a   b c ", ',');
    CU_ASSERT_STRING_EQUAL(s, "a,b,c");
    free(s);
    s = ps_scopes_join(NULL, ' ');
    CU_ASSERT_STRING_EQUAL(s, "");
    free(s);
    json_t *v = json_string("repo,gist, user");
    s = ps_scopes_normalize(v, ',');
    CU_ASSERT_STRING_EQUAL(s, "repo gist user");
    free(s);
    json_decref(v);
    CU_ASSERT_TRUE(ps_scopes_has("offline_access User.Read", "User.Read"));
    CU_ASSERT_FALSE(ps_scopes_has("offline_access User.ReadWrite", "User.Read"));
    ps_params_t p = {0};
    ps_params_add(&p, "a", "1");
    ps_params_add(&p, "b", "2");
    ps_params_set(&p, "a", NULL);
    ps_params_set(&p, "b", "3 4");
    size_t len = 0;
    s = ps_params_form(&p, &len);
    CU_ASSERT_STRING_EQUAL(s, "b=3%204");
    CU_ASSERT_EQUAL(len, strlen(s));
    free(s);
    ps_params_free(&p);
}

/* ---- the example plugin, as a plugin author would test theirs ---- */

static void test_example_plugin(void)
{
    fh_plugin_t pl;
    fh_reset();
    CU_ASSERT_EQUAL_FATAL(fh_load(&pl, "example", "{\"token_endpoint\":\"http://127.0.0.1:9/token\"}"), OP_OK);
    const op_provider_t *p = fh_provider("example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p->token_endpoint, "http://127.0.0.1:9/token");
    op_client_t c = {sizeof(c), "cid", "sec", "https://broker.test/cb", NULL};
    op_authorize_params_t ap = {sizeof(ap), "st", NULL, "chal", NULL, NULL};
    char *url = NULL;
    op_error_t err;
    CU_ASSERT_EQUAL(p->build_authorize_url(p->data, &c, &ap, &url, &err), OP_OK);
    char *v = fh_query(url, "code_challenge_method");
    CU_ASSERT_STRING_EQUAL(v, "S256");
    free(v);
    fh_host()->mem_free(url);
    fh_done_result_t done = {0};
    fh_script(200, "application/json", "{}");
    CU_ASSERT_EQUAL(p->revoke(p->data, &c, "tok", "refresh_token", fh_done_cb, &done), OP_AGAIN);
    const fh_request_t *r = fh_last_request();
    v = fh_form(r, "token_type_hint");
    CU_ASSERT_STRING_EQUAL(v, "refresh_token");
    free(v);
    CU_ASSERT_PTR_NOT_NULL(fh_header(r, "Authorization"));
    fh_flush();
    CU_ASSERT_EQUAL(done.status, OP_OK);
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_load(&pl, "example", "{\"token_endpoint\":\"ftp://x\"}"), OP_EINVAL);
    CU_ASSERT_TRUE(fh_logged("token_endpoint"));
    fh_unload(&pl);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

void tests_register(void)
{
    CU_SUITE("provider_support", setup, teardown, {"basic auth form-encodes", test_basic_auth_form_encodes},
             {"token request basic", test_token_request_basic},
             {"token request post and public", test_token_request_post_and_public},
             {"invalid arguments", test_invalid_arguments}, {"authorize url", test_authorize_url},
             {"parse json", test_parse_json}, {"parse expiry forms", test_parse_expiry_forms},
             {"parse types scopes extras", test_parse_types_scopes_extras},
             {"parse form fallback", test_parse_form_fallback}, {"parse malformed", test_parse_malformed},
             {"classification", test_classification}, {"transport and retry-after", test_transport_and_retry_after},
             {"decode and scopes", test_decode_and_scopes}, {"example plugin", test_example_plugin});
}
