/*
 * api.c - Slack Web API calls for the tools (see slack.h): POST {base}/<method> with a form-encoded or JSON body
 * through the runtime's provider helper (the instance's token from the broker, one refresh on a dead token), Slack's
 * ok:false answers mapped by errors.c, and the failure texts prefixed with what the call was about.
 */
#include "common/log.h"
#include "common/status.h"
#include "slack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_api_base_t base;

int slack_api_init(void)
{
    char err[160];
    int rc = mcp_api_base_init(&base, "SLACK_API_BASE", "https://slack.com/api", NULL, err, sizeof(err));
    if (rc != CM_OK)
        cm_error("slack", "configuration: %s", err);
    return rc;
}

const char *slack_api_base(void)
{
    return mcp_api_base_url(&base);
}

struct call {
    slack_cb cb;
    void *arg;
    void (*arg_free)(void *);
    char *subject;
};

static void call_free(struct call *k, int free_arg)
{
    if (free_arg && k->arg_free != NULL)
        k->arg_free(k->arg);
    free(k->subject);
    free(k);
}

/* MCP_PROVIDER_DELIVER_ERRORS: every outcome lands here, so the subject can be added to an error text. */
static void on_answer(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    struct call *k = arg;
    if (res->error != NULL) {
        if (k->subject != NULL && (res->status == 400 || res->status == 404))
            mcp_call_fail(c, "%s: %s", k->subject, res->error);
        else
            mcp_call_fail(c, "%s", res->error);
        call_free(k, 1);
        return;
    }
    if (!json_is_true(json_object_get(res->json, "ok"))) {
        mcp_call_fail(c, "%s answered without the usual {\"ok\": true} envelope (HTTP %d).", SLACK_PROVIDER,
                      res->status);
        call_free(k, 1);
        return;
    }
    slack_cb cb = k->cb;
    void *cb_arg = k->arg;
    call_free(k, 0);
    cb(c, res->json, cb_arg);
}

/* Sends body (content type ctype) to base/method; ownership of nothing passes. */
static void call_send(mcp_call_t *c, const char *method, const char *ctype, const char *body, size_t len,
                      const char *subject, slack_cb cb, void *arg, void (*arg_free)(void *))
{
    char path[96];
    struct call *k = calloc(1, sizeof(*k));
    char *url = NULL;
    if ((size_t)snprintf(path, sizeof(path), "/%s", method) < sizeof(path))
        url = mcp_api_url(&base, path, NULL);
    if (k == NULL || url == NULL || (subject != NULL && (k->subject = strdup(subject)) == NULL)) {
        if (k != NULL)
            free(k->subject);
        free(k);
        free(url);
        if (arg_free != NULL)
            arg_free(arg);
        mcp_call_fail(c, "Could not build the %s request.", SLACK_PROVIDER);
        return;
    }
    k->cb = cb;
    k->arg = arg;
    k->arg_free = arg_free;
    cm_http_header_t h[] = {{"Content-Type", ctype}};
    mcp_provider_request_t req = {.provider = SLACK_PROVIDER,
                                  .method = "POST",
                                  .url = url,
                                  .headers = h,
                                  .n_headers = 1,
                                  .body = body,
                                  .body_len = len,
                                  .timeout_ms = 30000,
                                  .flags = MCP_PROVIDER_DELIVER_ERRORS,
                                  .error_text = slack_error_text,
                                  .answer_status = slack_answer_status};
    mcp_provider_fetch(c, &req, on_answer, k); /* copies the request */
    free(url);
}

void slack_call_form(mcp_call_t *c, const char *method, const char *const *form, const char *subject, slack_cb cb,
                     void *arg, void (*arg_free)(void *))
{
    cm_buf_t b = {0};
    int rc = CM_OK;
    for (size_t i = 0; form != NULL && form[i] != NULL && rc == CM_OK; i += 2)
        if (form[i + 1] != NULL)
            rc = cm_form_add(&b, form[i], form[i + 1]);
    size_t len = b.len;
    char *body = cm_buf_take(&b);
    if (rc != CM_OK || (body == NULL && len > 0)) {
        free(body);
        if (arg_free != NULL)
            arg_free(arg);
        mcp_call_fail(c, "Could not build the %s request.", SLACK_PROVIDER);
        return;
    }
    call_send(c, method, "application/x-www-form-urlencoded", body ? body : "", len, subject, cb, arg, arg_free);
    free(body);
}

void slack_call_json(mcp_call_t *c, const char *method, json_t *body, const char *subject, slack_cb cb, void *arg,
                     void (*arg_free)(void *))
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL) {
        if (arg_free != NULL)
            arg_free(arg);
        mcp_call_fail(c, "Could not build the %s request.", SLACK_PROVIDER);
        return;
    }
    /* Slack warns (missing_charset) about JSON without a charset and may misread non-ASCII text */
    call_send(c, method, "application/json; charset=utf-8", text, strlen(text), subject, cb, arg, arg_free);
    free(text);
}
