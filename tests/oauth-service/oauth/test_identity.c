/*
 * test_identity.c - oauth/identity.h: ob_identify over a provider's identify (ABI 1.3). An answer the plugin gives
 * inside the call reaches the caller on a later loop iteration, never inside ob_identify; an answer given later
 * passes straight through; the recorded form is "<issuer or provider name>|<subject>"; a provider whose struct
 * predates identify, or that refuses at once, never calls back.
 */
#include "cu.h"

#include "oauth/identity.h"

#include "common/httpd.h"
#include "common/status.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static cm_server_t *server;
static ob_broker_t broker;

typedef struct got {
    int called, status;
    char subject[128], email[64];
} got_t;

static int in_ob_identify;

static void on_identified(void *arg, int status, const char *subject, const op_identity_t *id)
{
    got_t *g = arg;
    CU_ASSERT_FALSE(in_ob_identify); /* never from inside the call */
    g->called++;
    g->status = status;
    snprintf(g->subject, sizeof(g->subject), "%s", subject != NULL ? subject : "(null)");
    snprintf(g->email, sizeof(g->email), "%s", id != NULL && id->email != NULL ? id->email : "(null)");
}

/* The plugin side: what identify does is chosen per test. */
static enum { SYNC_OK, SYNC_OK_NO_ISSUER, SYNC_ERR, LATER, REFUSE } behaviour;
static op_identity_done_fn later_done;
static void *later_arg;

static int fake_identify(void *data, const op_client_t *client, const op_token_set_t *tokens, const char *nonce,
                         op_identity_done_fn done, void *arg)
{
    op_identity_t id = {sizeof(id), "sub-1", "https://iss.test", "a@example.test", NULL};
    op_error_t err = {.error_class = OP_ERRCLASS_REQUEST, .code = "invalid_id_token"};
    switch (behaviour) {
    case SYNC_OK:
        done(arg, OP_OK, &id, NULL);
        return OP_OK;
    case SYNC_OK_NO_ISSUER:
        id.issuer = NULL;
        done(arg, OP_OK, &id, NULL);
        return OP_OK;
    case SYNC_ERR:
        done(arg, OP_ERR, NULL, &err);
        return OP_OK;
    case LATER:
        later_done = done;
        later_arg = arg;
        return OP_AGAIN;
    case REFUSE:
        return OP_EINVAL;
    }
    return OP_ERR;
}

static op_provider_t provider = {.struct_size = sizeof(op_provider_t), .name = "tprov", .identify = fake_identify};
static const op_client_t client = {sizeof(op_client_t), "cid", NULL, NULL, NULL};
static const op_token_set_t tokens = {.struct_size = sizeof(op_token_set_t), .access_token = "at"};

static int setup(void)
{
    server = cm_server_new(NULL);
    broker.server = server;
    return server != NULL ? 0 : -1;
}

static int teardown(void)
{
    cm_server_free(server);
    return 0;
}

static int start(got_t *g)
{
    memset(g, 0, sizeof(*g));
    in_ob_identify = 1;
    int rc = ob_identify(&broker, &provider, &client, &tokens, "nonce", on_identified, g);
    in_ob_identify = 0;
    return rc;
}

/* Runs the loop until g was called (bounded). */
static void run_until(const got_t *g)
{
    for (int i = 0; i < 50 && g->called == 0; i++)
        h2o_evloop_run(cm_server_loop(server), 10);
}

static void test_answer_inside_the_call_is_deferred(void)
{
    got_t g;
    behaviour = SYNC_OK;
    CU_ASSERT_EQUAL(start(&g), CM_AGAIN);
    CU_ASSERT_EQUAL(g.called, 0);
    run_until(&g);
    CU_ASSERT_EQUAL(g.called, 1);
    CU_ASSERT_EQUAL(g.status, CM_OK);
    CU_ASSERT_STRING_EQUAL(g.subject, "https://iss.test|sub-1");
    CU_ASSERT_STRING_EQUAL(g.email, "a@example.test"); /* copied: the plugin's strings are gone by then */

    behaviour = SYNC_OK_NO_ISSUER;
    CU_ASSERT_EQUAL(start(&g), CM_AGAIN);
    run_until(&g);
    CU_ASSERT_STRING_EQUAL(g.subject, "tprov|sub-1");

    behaviour = SYNC_ERR;
    CU_ASSERT_EQUAL(start(&g), CM_AGAIN);
    CU_ASSERT_EQUAL(g.called, 0);
    run_until(&g);
    CU_ASSERT_EQUAL(g.called, 1);
    CU_ASSERT_NOT_EQUAL(g.status, CM_OK);
    CU_ASSERT_STRING_EQUAL(g.subject, "(null)");
}

static void test_answer_later_passes_through(void)
{
    got_t g;
    behaviour = LATER;
    CU_ASSERT_EQUAL(start(&g), CM_AGAIN);
    CU_ASSERT_EQUAL(g.called, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(later_done);
    op_identity_t id = {sizeof(id), "4242", NULL, NULL, NULL};
    later_done(later_arg, OP_OK, &id, NULL);
    CU_ASSERT_EQUAL(g.called, 1);
    CU_ASSERT_STRING_EQUAL(g.subject, "tprov|4242");
}

static void test_no_callback_when_not_started(void)
{
    got_t g;
    behaviour = REFUSE;
    CU_ASSERT_EQUAL(start(&g), CM_EINVAL);
    provider.struct_size = (uint32_t)offsetof(op_provider_t, identify); /* a 1.2 plugin */
    behaviour = SYNC_OK;
    CU_ASSERT_EQUAL(start(&g), CM_EUNAVAIL);
    provider.struct_size = sizeof(op_provider_t);
    for (int i = 0; i < 3; i++)
        h2o_evloop_run(cm_server_loop(server), 10);
    CU_ASSERT_EQUAL(g.called, 0);
}

void tests_register(void)
{
    CU_SUITE("oauth_identity", setup, teardown,
             {"answer inside the call deferred", test_answer_inside_the_call_is_deferred},
             {"answer later passes through", test_answer_later_passes_through},
             {"no callback when not started", test_no_callback_when_not_started});
}
