/*
 * test_spec.c - the provider support library's declarative side: a plugin described by a static const
 * ps_spec_t (defaults, configuration members, fixed parameters, hooks, init and fini through
 * ps_plugin_init) and the token set's struct_size (ABI 1.2) as the generic parser honours it.
 */
#include "cu.h"

#include "fake_host.h"
#include "provider_support.h"

#include <stdlib.h>
#include <string.h>

/* ---- the token set's struct_size (ABI 1.2) ---- */

static void test_token_set_size(void)
{
    fh_reset();
    ps_provider_t *p = ps_provider_new(fh_host(), "t", "Test", "a", OP_CAP_REFRESH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL_FATAL(ps_provider_set_endpoints(p, "https://idp.test/a", "https://idp.test/token", NULL), OP_OK);
    op_http_response_t res = {sizeof(res), 200, 0, NULL, "application/json", "{\"access_token\":\"at\"}", 21, -1};
    op_error_t err;
    /* room for more than we know (a later host): we fill ours, say how much, and leave the rest alone */
    struct {
        op_token_set_t ts;
        unsigned char tail[16];
    } big;
    memset(&big, 0xAB, sizeof(big));
    big.ts.struct_size = sizeof(big);
    CU_ASSERT_EQUAL_FATAL(p->op.parse_token_response(p, &res, FH_NOW, &big.ts, &err), OP_OK);
    CU_ASSERT_EQUAL(big.ts.struct_size, sizeof(op_token_set_t));
    CU_ASSERT_STRING_EQUAL(big.ts.access_token, "at");
    CU_ASSERT_EQUAL(big.tail[0], 0xAB);
    CU_ASSERT_EQUAL(big.tail[15], 0xAB);
    fh_host()->token_set_clear(&big.ts);
    /* less room than the 1.2 set needs: refused, nothing written */
    op_token_set_t small;
    memset(&small, 0xCD, sizeof(small));
    small.struct_size = sizeof(small) - sizeof(char *);
    memset(&err, 0, sizeof(err));
    CU_ASSERT_EQUAL(p->op.parse_token_response(p, &res, FH_NOW, &small, &err), OP_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.code, "bad_request");
    CU_ASSERT_EQUAL(small.struct_size, sizeof(small) - sizeof(char *));
    CU_ASSERT_EQUAL(((unsigned char *)&small.access_token)[0], 0xCD);
    /* the tokens an exchange delivers carry their size */
    fh_token_result_t tr = {0};
    op_client_t c = {sizeof(c), "cid", "sec", "https://broker.test/cb", NULL};
    fh_script(200, "application/json", "{\"access_token\":\"at-2\"}");
    CU_ASSERT_EQUAL(p->op.exchange_code(p, &c, "code", NULL, fh_token_cb, &tr), OP_AGAIN);
    fh_flush();
    CU_ASSERT_EQUAL(tr.status, OP_OK);
    CU_ASSERT_EQUAL(tr.tokens.struct_size, sizeof(op_token_set_t));
    CU_ASSERT_STRING_EQUAL(tr.tokens.access_token, "at-2");
    fh_token_result_clear(&tr);
    ps_provider_free(p);
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

/* ---- a provider described as data ---- */

static int configure_calls;

/* Reads "tag" into p->ext; "fail" makes it fail after allocating (release must still free it). */
static int spec_configure(ps_provider_t *p, const json_t *cfg)
{
    const char *tag = NULL;
    configure_calls++;
    if (ps_config_str(p->host, "tspec", cfg, "tag", "none", &tag) != OP_OK)
        return OP_EINVAL;
    p->ext = strdup(tag);
    return p->ext == NULL ? OP_ENOMEM : strcmp(tag, "fail") == 0 ? OP_EINVAL : OP_OK;
}

static void spec_release(ps_provider_t *p)
{
    free(p->ext);
    p->ext = NULL;
}

static const op_kv_t spec_authorize_params[] = {{"prompt", "consent"}, {NULL, NULL}};
static const op_kv_t spec_token_params[] = {{"audience", "api"}, {NULL, NULL}};
static const char *const spec_keys[] = {"tag", NULL};
static const ps_hooks_t spec_hooks = {.config_keys = spec_keys, .configure = spec_configure, .release = spec_release};
static const ps_spec_t test_spec = {
    .name = "tspec",
    .capabilities = OP_CAP_REFRESH | OP_CAP_PKCE,
    .issuer = "https://idp.test",
    .endpoints = {"https://idp.test/authorize", "https://idp.test/token", NULL},
    .default_scopes = "a b",
    .scope_separator = ',',
    .client_auth = PS_AUTH_POST,
    .authorize_params = spec_authorize_params,
    .token_params = spec_token_params,
    .hooks = &spec_hooks,
};

static void test_spec_plugin(void)
{
    void *state = NULL;
    fh_reset();
    configure_calls = 0;
    CU_ASSERT_EQUAL_FATAL(ps_plugin_init(&test_spec, fh_host(), "{\"tag\":\"x\",\"default_scopes\":\"c d\"}", &state),
                          OP_OK);
    const op_provider_t *p = fh_provider("tspec");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p->display_name, "tspec"); /* defaults to the name */
    CU_ASSERT_STRING_EQUAL(p->issuer, "https://idp.test");
    CU_ASSERT_PTR_NULL(p->revoke); /* no revocation endpoint, no revoke hook */
    CU_ASSERT_PTR_NULL(p->revocation_endpoint);
    CU_ASSERT_STRING_EQUAL(((ps_provider_t *)p->data)->ext, "x");
    op_client_t c = {sizeof(c), "cid", "sec", "https://broker.test/cb", NULL};
    op_authorize_params_t ap = {sizeof(ap), "st", NULL, NULL, NULL, NULL};
    char *url = NULL;
    op_error_t err;
    CU_ASSERT_EQUAL_FATAL(p->build_authorize_url(p->data, &c, &ap, &url, &err), OP_OK);
    FH_ASSERT_QUERY(url, "scope", "c,d"); /* configured scopes, the spec's separator */
    FH_ASSERT_QUERY(url, "prompt", "consent");
    fh_host()->mem_free(url);
    fh_token_result_t tr = {0};
    fh_script(200, "application/json", "{\"access_token\":\"at\"}");
    CU_ASSERT_EQUAL(p->refresh(p->data, &c, "rt", NULL, fh_token_cb, &tr), OP_AGAIN);
    FH_ASSERT_FORM(fh_last_request(), "audience", "api");
    FH_ASSERT_FORM(fh_last_request(), "client_secret", "sec"); /* PS_AUTH_POST */
    fh_flush();
    fh_token_result_clear(&tr);
    ps_plugin_fini(state);
    /* a member the spec does not know, a bad endpoint, a failing configure: refused, nothing kept */
    CU_ASSERT_EQUAL(ps_plugin_init(&test_spec, fh_host(), "{\"revocation_endpoint\":\"https://x.test\"}", &state),
                    OP_EINVAL);
    CU_ASSERT_TRUE(fh_logged("unknown configuration member \"revocation_endpoint\""));
    CU_ASSERT_EQUAL(ps_plugin_init(&test_spec, fh_host(), "{\"token_endpoint\":\"ftp://x\"}", &state), OP_EINVAL);
    CU_ASSERT_EQUAL(configure_calls, 1);
    CU_ASSERT_EQUAL(ps_plugin_init(&test_spec, fh_host(), "{\"tag\":\"fail\"}", &state), OP_EINVAL);
    CU_ASSERT_EQUAL(configure_calls, 2);
    CU_ASSERT_EQUAL(fh_provider_count(), 1); /* only the first init registered */
    CU_ASSERT_EQUAL(fh_live_allocations(), 0);
}

void tests_register(void)
{
    CU_SUITE("provider_spec", NULL, NULL, {"token set size", test_token_set_size}, {"spec plugin", test_spec_plugin});
}
