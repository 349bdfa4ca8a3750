/*
 * test_abi_compat.c - provider ABI versioning through the real registry (dlopen): a plugin built against
 * the frozen ABI 1.1 header (no struct_size in op_token_set_t) loads, and every token set it produces -
 * parsed, delivered by a code exchange or a refresh - reaches the broker in the current layout; its own
 * token_set_clear works on its layout. A plugin built against the frozen ABI 1.2 header (op_provider_t without
 * identify) loads unwrapped and is never asked to identify: the host reads identify only when struct_size covers it.
 * A plugin claiming the next major is refused before init. A plugin built for this minor is registered as it is,
 * without a wrapper.
 */
#include "cu.h"

#include "providers/abi_compat.h"
#include "providers/host_api.h"
#include "providers/registry.h"

#include "common/log.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static op_host_api_t *host;
static ob_provider_registry_t *reg;

static int setup(void)
{
    cm_log_set_level(CM_LOG_INFO);
    host = ob_host_api_new(NULL);
    const char *dir = getenv("OB_ABI_PLUGIN_DIR");
    if (host == NULL || dir == NULL)
        return -1;
    reg = ob_registry_load(dir, host, NULL);
    return reg != NULL ? 0 : -1;
}

static int teardown(void)
{
    ob_registry_free(reg);
    ob_host_api_free(host);
    return 0;
}

/* ---- a received token set must be complete and in the current layout ---- */

static void expect_legacy_set(const op_token_set_t *ts, const char *access, int64_t now)
{
    CU_ASSERT_EQUAL(ts->struct_size, sizeof(op_token_set_t));
    CU_ASSERT_STRING_EQUAL(ts->access_token, access);
    CU_ASSERT_STRING_EQUAL(ts->refresh_token, "rt-legacy");
    CU_ASSERT_STRING_EQUAL(ts->token_type, "Bearer");
    CU_ASSERT_STRING_EQUAL(ts->scope, "a b");
    CU_ASSERT_STRING_EQUAL(ts->id_token, "h.p.s");
    CU_ASSERT_TRUE(ts->expires_at >= now + 3600 && ts->expires_at <= now + 3610);
    CU_ASSERT_EQUAL(ts->refresh_expires_at, ts->expires_at + 3600);
    CU_ASSERT_STRING_EQUAL(ts->extras_json, "{\"legacy\":true}");
}

typedef struct got {
    int called, status;
    op_token_set_t ts;
    int has_tokens;
    char code[64];
} got_t;

static void on_tokens(void *arg, int status, op_token_set_t *tokens, const op_error_t *err)
{
    got_t *g = arg;
    g->called++;
    g->status = status;
    g->has_tokens = tokens != NULL;
    if (tokens != NULL)
        g->ts = *tokens; /* the members become ours */
    if (err != NULL)
        memcpy(g->code, err->code, sizeof(g->code));
}

static void test_legacy_loads(void)
{
    CU_ASSERT_EQUAL(ob_registry_plugin_count(reg), 2); /* tlegacy, tlegacy12; tnext refused */
    CU_ASSERT_EQUAL_FATAL(ob_registry_count(reg), 2);
    CU_ASSERT_PTR_NULL(ob_registry_find(reg, "tnext"));
    const op_provider_t *p = ob_registry_find(reg, "tlegacy");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(ob_registry_abi_minor_of(reg, 0), 1);
    CU_ASSERT_STRING_EQUAL(p->display_name, "Legacy 1.1");
    CU_ASSERT_STRING_EQUAL(p->token_endpoint, "https://legacy.test/token");
    CU_ASSERT_TRUE(p->capabilities & OP_CAP_REFRESH);
    CU_ASSERT_PTR_NULL(p->revoke);
    CU_ASSERT_PTR_NOT_EQUAL(ob_abi_compat_original(p), p); /* the broker talks to the wrapper */
    int iss_param = 0;
    const char *iss = ob_provider_issuer(p, &iss_param);
    CU_ASSERT_PTR_NOT_NULL_FATAL(iss);
    CU_ASSERT_STRING_EQUAL(iss, "https://legacy.test");
    CU_ASSERT_EQUAL(iss_param, 1);
    op_client_t c = {sizeof(c), "cid", "sec", "https://broker.test/cb", NULL};
    op_authorize_params_t ap = {sizeof(ap), "s", NULL, NULL, NULL, NULL};
    char *url = NULL;
    op_error_t err;
    CU_ASSERT_EQUAL(p->build_authorize_url(p->data, &c, &ap, &url, &err), OP_OK);
    CU_ASSERT_STRING_EQUAL(url, "https://legacy.test/authorize?state=s");
    ob_host_mem_free(url);
}

static void test_legacy_parse(void)
{
    const op_provider_t *p = ob_registry_find(reg, "tlegacy");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    op_http_response_t res = {sizeof(res), 200, 0, NULL, "text/plain", "at-parsed", 9, -1};
    op_token_set_t ts = {.struct_size = sizeof(ts)};
    op_error_t err;
    memset(&err, 0, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(p->parse_token_response(p->data, &res, 1700000000, &ts, &err), OP_OK);
    expect_legacy_set(&ts, "at-parsed", 1700000000);
    ob_host_token_set_clear(&ts);
    CU_ASSERT_PTR_NULL(ts.access_token);
    CU_ASSERT_PTR_NULL(ts.extras_json);
    /* the plugin releases a set of its own layout through its view of the host */
    res.body = "clear";
    res.body_len = 5;
    CU_ASSERT_EQUAL(p->parse_token_response(p->data, &res, 1700000000, &ts, &err), OP_ERR);
    CU_ASSERT_STRING_EQUAL(err.code, "cleared");
    CU_ASSERT_PTR_NULL(ts.access_token);
}

/* The one answer of a delivered operation: tokens (taken, checked, released) or the error code. */
static void expect_delivered(const got_t *g, const char *access, const char *error_code, int64_t now)
{
    CU_ASSERT_EQUAL_FATAL(g->called, 1);
    CU_ASSERT_EQUAL(g->status, access != NULL ? OP_OK : OP_ERR);
    CU_ASSERT_EQUAL_FATAL(g->has_tokens, access != NULL);
    if (access != NULL) {
        expect_legacy_set(&g->ts, access, now);
        op_token_set_t ts = g->ts;
        ob_host_token_set_clear(&ts);
    } else {
        CU_ASSERT_STRING_EQUAL(g->code, error_code);
    }
}

static void test_legacy_callbacks(void)
{
    const op_provider_t *p = ob_registry_find(reg, "tlegacy");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    op_client_t c = {sizeof(c), "cid", "sec", "https://broker.test/cb", NULL};
    int64_t now = (int64_t)time(NULL);
    got_t exchanged = {0}, refreshed = {0}, failed = {0};
    CU_ASSERT_EQUAL(p->exchange_code(p->data, &c, "code-1", NULL, on_tokens, &exchanged), OP_AGAIN);
    expect_delivered(&exchanged, "code-1", NULL, now);
    CU_ASSERT_EQUAL(p->refresh(p->data, &c, "rt-2", NULL, on_tokens, &refreshed), OP_AGAIN);
    expect_delivered(&refreshed, "rt-2", NULL, now);
    CU_ASSERT_EQUAL(p->refresh(p->data, &c, "fail", NULL, on_tokens, &failed), OP_AGAIN);
    expect_delivered(&failed, NULL, "invalid_grant", now);
}

static int identify_calls;

static int count_identify(void *data, const op_client_t *client, const op_token_set_t *tokens, const char *nonce,
                          op_identity_done_fn done, void *arg)
{
    identify_calls++;
    return OP_AGAIN;
}

static void no_identity(void *arg, int status, const op_identity_t *id, const op_error_t *err)
{
    CU_FAIL("an identify that was not started answered");
}

/* The 1.2 plugin: registered unwrapped, its members read, identify never (the word after its struct is a trap that
 * counts calls); the 1.1 plugin's wrapper cannot identify either. */
static void test_legacy12(void)
{
    const op_provider_t *p = ob_registry_find(reg, "tlegacy12");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(ob_registry_abi_minor_of(reg, 1), 2);
    CU_ASSERT_PTR_EQUAL(ob_abi_compat_original(p), p);
    CU_ASSERT(p->struct_size < sizeof(op_provider_t));
    int iss_param = 1;
    CU_ASSERT_STRING_EQUAL(ob_provider_issuer(p, &iss_param), "https://legacy12.test");
    CU_ASSERT_EQUAL(iss_param, 0);
    op_token_set_t ts = {.struct_size = sizeof(ts), .access_token = "at"};
    op_client_t c = {sizeof(c), "cid", "sec", "https://broker.test/cb", NULL};
    CU_ASSERT_EQUAL(ob_provider_identify(p, &c, &ts, NULL, no_identity, NULL), OP_EUNSUPPORTED);
    /* the registry maps a private copy of the file (a memfd): find the loaded object by one of its functions */
    Dl_info info;
    CU_ASSERT_FATAL(dladdr((void *)(uintptr_t)p->build_authorize_url, &info) != 0 && info.dli_fname != NULL);
    void *dl = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dl);
    int (*trap_calls)(void) = (int (*)(void))dlsym(dl, "legacy12_trap_calls");
    CU_ASSERT_PTR_NOT_NULL_FATAL(trap_calls);
    CU_ASSERT_EQUAL(trap_calls(), 0);
    dlclose(dl);
    const op_provider_t *p11 = ob_registry_find(reg, "tlegacy");
    CU_ASSERT_EQUAL(ob_provider_identify(p11, &c, &ts, NULL, no_identity, NULL), OP_EUNSUPPORTED);
}

/* A provider whose struct_size covers identify is asked; the same struct claiming the 1.2 size is not. */
static void test_identify_by_size(void)
{
    op_provider_t p = {.struct_size = sizeof(op_provider_t), .name = "t", .identify = count_identify};
    op_token_set_t ts = {.struct_size = sizeof(ts), .access_token = "at"};
    op_client_t c = {sizeof(c), "cid", "sec", "https://broker.test/cb", NULL};
    identify_calls = 0;
    CU_ASSERT_EQUAL(ob_provider_identify(&p, &c, &ts, "n", no_identity, NULL), OP_AGAIN);
    CU_ASSERT_EQUAL(identify_calls, 1);
    p.struct_size = (uint32_t)offsetof(op_provider_t, identify);
    CU_ASSERT_EQUAL(ob_provider_identify(&p, &c, &ts, "n", no_identity, NULL), OP_EUNSUPPORTED);
    p.struct_size = sizeof(op_provider_t);
    p.identify = NULL;
    CU_ASSERT_EQUAL(ob_provider_identify(&p, &c, &ts, "n", no_identity, NULL), OP_EUNSUPPORTED);
    CU_ASSERT_EQUAL(identify_calls, 1);
    CU_ASSERT_EQUAL(ob_provider_identify(&p, &c, NULL, "n", no_identity, NULL), OP_EINVAL);
}

/* A plugin built for this minor is registered as it is. */
static void test_current_not_wrapped(void)
{
    const char *dir = getenv("OB_EXAMPLE_PLUGIN_DIR");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    ob_provider_registry_t *r = ob_registry_load(dir, host, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    const op_provider_t *p = ob_registry_find(r, "example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(ob_registry_abi_minor_of(r, 0), OP_ABI_MINOR);
    CU_ASSERT_PTR_EQUAL(ob_abi_compat_original(p), p);
    op_http_response_t res = {sizeof(res), 200, 0, NULL, "application/json", "{\"access_token\":\"at\"}", 21, -1};
    op_token_set_t ts = {.struct_size = sizeof(ts)};
    op_error_t err;
    CU_ASSERT_EQUAL(p->parse_token_response(p->data, &res, 1700000000, &ts, &err), OP_OK);
    CU_ASSERT_EQUAL(ts.struct_size, sizeof(ts));
    CU_ASSERT_STRING_EQUAL(ts.access_token, "at");
    ob_host_token_set_clear(&ts);
    ob_registry_free(r);
}

void tests_register(void)
{
    CU_SUITE("provider_abi_compat", setup, teardown, {"1.1 plugin loads", test_legacy_loads},
             {"1.1 token set parsed", test_legacy_parse}, {"1.1 token sets delivered", test_legacy_callbacks},
             {"1.2 plugin loads, never asked to identify", test_legacy12},
             {"identify read by size", test_identify_by_size},
             {"current plugin not wrapped", test_current_not_wrapped});
}
