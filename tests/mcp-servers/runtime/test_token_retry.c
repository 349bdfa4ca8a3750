/* test_token_retry.c - what the token client and the tool error make of a broker that cannot give a token now
 * (docs/mcp-broker-protocol.md, 2): a 503 with retry_after_s (provider down: provider_unavailable; another replica
 * refreshing: refresh_in_progress) becomes a temporary tool error that says when to retry; a 502, a 409 and an
 * unreachable broker do not carry a retry time. The broker is broker.h's scripted fake. */
#include "common/status.h"
#include "cu.h"
#include "provider/provider_internal.h"
#include "tokens/token_client.h"
#include "tokens/broker.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static mcp_broker_cb pending_cb;
static void *pending_arg;
static char pending_path[160];

static int fake(void *ctx, const char *method, const char *path, const json_t *body, mcp_broker_cb cb, void *arg)
{
    (void)ctx;
    (void)method;
    (void)body;
    CU_ASSERT_PTR_NULL_FATAL(pending_cb);
    pending_cb = cb;
    pending_arg = arg;
    snprintf(pending_path, sizeof(pending_path), "%s", path);
    return CM_AGAIN;
}

static int calls, got_ok, got_status;
static long got_retry;
static char got_text[1024];

static void on_tok(void *arg, const mcp_token_result_t *r)
{
    (void)arg;
    calls++;
    got_ok = r->ok;
    got_status = r->http_status;
    got_retry = r->retry_after_s;
    mcp_token_error_text("Gmail", r, got_text, sizeof(got_text)); /* the body's strings live only for the call */
}

/* One fetch of instance id answered by the broker with (status, json). */
static void fetch(mcp_token_client_t *tc, const char *id, int status, const char *json)
{
    mcp_token_wait_t *w;
    mcp_token_result_t now;
    calls = 0;
    CU_ASSERT_EQUAL_FATAL(mcp_token_get(tc, id, 0, time(NULL), on_tok, NULL, &w, &now), CM_AGAIN);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pending_cb);
    mcp_broker_cb cb = pending_cb;
    pending_cb = NULL;
    json_t *body = json ? json_loads(json, 0, NULL) : NULL;
    cb(pending_arg, status, body, status == 0 ? "refused" : NULL);
    json_decref(body);
    CU_ASSERT_EQUAL(calls, 1);
}

static void test_provider_down(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_token_client_t *tc = mcp_token_client_new(b, 60, 10);
    fetch(tc, "i1", 503,
          "{\"code\":\"provider_unavailable\",\"message\":\"the access token expired and the provider could not "
          "refresh it now\",\"error\":\"http_503\",\"retry_after_s\":7}");
    CU_ASSERT_EQUAL(got_ok, 0);
    CU_ASSERT_EQUAL(got_status, 503);
    CU_ASSERT_EQUAL(got_retry, 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(got_text, "retry after 7 seconds"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got_text, "temporary"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got_text, "could not refresh it now"));
    /* not cached: the next call asks the broker again */
    fetch(tc, "i1", 503,
          "{\"code\":\"refresh_in_progress\",\"message\":\"a refresh is in flight\",\"retry_after_s\":3}");
    CU_ASSERT_EQUAL(got_retry, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(got_text, "retry after 3 seconds"));
    fetch(tc, "i1", 200, "{\"access_token\":\"t-back\",\"expires_at\":4000000000,\"version\":2}");
    CU_ASSERT_EQUAL(got_ok, 1);
    mcp_token_client_free(tc);
    mcp_broker_free(b);
}

static void test_no_retry_time(void)
{
    mcp_broker_t *b = mcp_broker_new_fake(fake, NULL);
    mcp_token_client_t *tc = mcp_token_client_new(b, 60, 10);
    fetch(tc, "i2", 502,
          "{\"code\":\"provider_error\",\"message\":\"the access token expired and could not be refreshed\"}");
    CU_ASSERT_EQUAL(got_retry, -1);
    CU_ASSERT_PTR_NULL(strstr(got_text, "retry after"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got_text, "could not be refreshed"));
    /* a retry_after_s on anything but a 503, or out of range, is not taken */
    fetch(tc, "i2", 500, "{\"code\":\"internal_error\",\"message\":\"x\",\"retry_after_s\":5}");
    CU_ASSERT_EQUAL(got_retry, -1);
    fetch(tc, "i2", 503, "{\"code\":\"database_unavailable\",\"message\":\"x\",\"retry_after_s\":-4}");
    CU_ASSERT_EQUAL(got_retry, -1);
    CU_ASSERT_PTR_NULL(strstr(got_text, "retry after"));
    fetch(tc, "i2", 409,
          "{\"code\":\"needs_reauth\",\"message\":\"m\",\"status\":\"needs_reauth\",\"authorize_url\":\"http://b/a\"}");
    CU_ASSERT_PTR_NOT_NULL(strstr(got_text, "re-authorized"));
    CU_ASSERT_PTR_NOT_NULL(strstr(got_text, "http://b/a"));
    fetch(tc, "i2", 0, NULL);
    CU_ASSERT_EQUAL(got_retry, -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(got_text, "unreachable"));
    mcp_token_client_free(tc);
    mcp_broker_free(b);
}

void tests_register(void)
{
    CU_SUITE("token retry", NULL, NULL, {"503 with retry_after_s: a temporary error with the time", test_provider_down},
             {"no retry time otherwise", test_no_retry_time});
}
