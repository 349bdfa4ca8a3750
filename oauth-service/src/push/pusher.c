/*
 * pusher.c - signed pushes to MCP servers with bounded retries (see pusher.h).
 */
#include "push/pusher.h"

#include "keys/keys.h"
#include "core/backoff.h"

#include "common/broker_proto.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/request_id.h"
#include "common/metrics.h"
#include "common/status.h"
#include "common/timer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct push_job {
    struct push_job *next, *prev;
    ob_pusher_t *p;
    char service[65];
    char id[37];
    char *url;
    char *body; /* holds an access token: wiped on free */
    size_t body_len;
    int attempts;
    cm_http_call_t *call;
    cm_timer_t *retry; /* armed while waiting for the next attempt */
    cm_reqid_t reqid;  /* of the request that caused the push, else its own: current in every attempt, sent along */
} push_job_t;

struct ob_pusher {
    ob_broker_t *b;
    push_job_t *jobs; /* in flight or waiting */
    size_t n_jobs;
    ob_pusher_stats_t st;
};

/* oauth_broker_pushes_total, with its outcomes at 0 from the start. */
static cm_metric_family_t *pushes_family(void)
{
    static cm_metric_family_t *pushes;
    if (pushes == NULL) {
        pushes =
            cm_counter("oauth_broker_pushes_total",
                       "Pushes to MCP servers by outcome: delivered, retried (an attempt failed), dropped.", "outcome");
        (void)cm_metric_get(pushes, "delivered");
        (void)cm_metric_get(pushes, "retried");
        (void)cm_metric_get(pushes, "dropped");
    }
    return pushes;
}

/* Counts a push outcome in the pusher's statistics and in oauth_broker_pushes_total{outcome}. */
static void count_push(uint64_t *stat, const char *outcome)
{
    (*stat)++;
    cm_metric_inc(cm_metric_get(pushes_family(), outcome));
}

static void job_free(push_job_t *j)
{
    ob_pusher_t *p = j->p;
    if (j->prev)
        j->prev->next = j->next;
    else
        p->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
    p->n_jobs--;
    if (j->call)
        cm_http_cancel(j->call);
    cm_timer_free(j->retry);
    cm_secure_free(j->body, j->body_len);
    free(j->url);
    free(j);
}

ob_pusher_t *ob_pusher_new(ob_broker_t *b)
{
    ob_pusher_t *p = calloc(1, sizeof(*p));
    if (p != NULL)
        p->b = b;
    (void)pushes_family();
    return p;
}

void ob_pusher_free(ob_pusher_t *p)
{
    if (p == NULL)
        return;
    while (p->jobs)
        job_free(p->jobs);
    free(p);
}

void ob_pusher_stats(const ob_pusher_t *p, ob_pusher_stats_t *out)
{
    if (p == NULL)
        memset(out, 0, sizeof(*out));
    else
        *out = p->st;
}

size_t ob_pusher_pending(const ob_pusher_t *p)
{
    return p ? p->n_jobs : 0;
}

static void attempt(push_job_t *j);

static void on_retry_timer(void *arg)
{
    attempt(arg);
}

static void retry_or_drop(push_job_t *j, const char *why, long retry_after_s)
{
    ob_pusher_t *p = j->p;
    const ob_config_t *cfg = p->b->cfg;
    if (j->attempts > cfg->push_retries) {
        cm_warn("push", "push %s to %s for good after %d attempts: %s (the MCP server pulls on a miss)", j->id,
                j->service, j->attempts, why);
        count_push(&p->st.dropped, "dropped");
        job_free(j);
        return;
    }
    ob_backoff_t bo = {.base_ms = cfg->push_backoff_base_ms, .max_ms = cfg->push_backoff_max_ms};
    int64_t d = ob_backoff_delay_ms(&bo, j->attempts, ob_backoff_draw(), retry_after_s);
    cm_info("push", "push %s to %s failed (%s), attempt %d: retry in %" PRId64 " ms", j->id, j->service, why,
            j->attempts, d);
    if (j->retry == NULL)
        j->retry = cm_timer_new(cm_server_loop(p->b->server), on_retry_timer, j);
    if (j->retry == NULL || cm_timer_start(j->retry, (long)d) != CM_OK) {
        count_push(&p->st.dropped, "dropped");
        job_free(j);
        return;
    }
    count_push(&p->st.retried, "retried");
}

static void on_pushed(void *arg, const cm_http_response_t *res)
{
    push_job_t *j = arg;
    char why[96];
    j->call = NULL;
    if ((res->status >= 200 && res->status < 300) || res->status == 409) {
        cm_debug("push", "push %s delivered to %s (HTTP %d, attempt %d)", j->id, j->service, res->status, j->attempts);
        count_push(&j->p->st.delivered, "delivered");
        job_free(j);
        return;
    }
    if (res->status == 0 || res->status >= 500 || res->status == 408 || res->status == 429) {
        if (res->status == 0)
            snprintf(why, sizeof(why), "%s", res->timed_out ? "timeout" : (res->error ? res->error : "network"));
        else
            snprintf(why, sizeof(why), "HTTP %d", res->status);
        retry_or_drop(j, why, res->retry_after_s);
        return;
    }
    cm_warn("push", "push %s refused by %s with HTTP %d (%.80s): dropped", j->id, j->service, res->status,
            res->body ? res->body : "");
    count_push(&j->p->st.dropped, "dropped");
    job_free(j);
}

/* attempt() with the job's request id current (it may free j). */
static void attempt_as_request(push_job_t *j)
{
    ob_pusher_t *p = j->p;
    const uint8_t *key = ob_keys_push_key(p->b->keys, j->service);
    char ts[24], sig[CM_BP_SIG_LEN];
    int64_t now = (int64_t)time(NULL);
    j->attempts++;
    int ts_len = snprintf(ts, sizeof(ts), "%" PRId64, now);
    if (key == NULL || ts_len <= 0 ||
        cm_bp_push_sign(key, ts, (size_t)ts_len, j->body, j->body_len, sig, sizeof(sig)) != CM_OK) {
        count_push(&p->st.dropped, "dropped");
        job_free(j);
        return;
    }
    cm_http_header_t hdrs[4] = {{"Content-Type", "application/json"},
                                {CM_BP_HDR_TIMESTAMP, ts},
                                {CM_BP_HDR_SIGNATURE, sig},
                                {CM_REQID_HEADER, j->reqid.s}};
    cm_http_request_t req = {.method = "POST",
                             .url = j->url,
                             .headers = hdrs,
                             .n_headers = j->reqid.s[0] != '\0' ? 4 : 3,
                             .body = j->body,
                             .body_len = j->body_len,
                             .timeout_ms = p->b->cfg->push_timeout_ms,
                             .max_response = 16 * 1024,
                             .replay_ok = 1 /* the push id makes a resent push harmless (409 replayed_push) */};
    if (cm_http_start(p->b->http, &req, on_pushed, j, &j->call) != CM_AGAIN) {
        j->call = NULL;
        retry_or_drop(j, "not started", -1);
    }
}

static void attempt(push_job_t *j)
{
    cm_reqid_t saved;
    cm_reqid_switch(&j->reqid, &saved);
    attempt_as_request(j);
    cm_reqid_restore(&saved);
}

/* The MCP server's /cache-tokens URL for service, malloc'ed; NULL when unknown. */
static char *target_url(const ob_broker_t *b, const char *service)
{
    char buf[1200];
    const char *base = b->cfg->push_urls ? json_string_value(json_object_get(b->cfg->push_urls, service)) : NULL;
    if (base != NULL) {
        size_t n = strlen(base);
        while (n > 0 && base[n - 1] == '/')
            n--;
        snprintf(buf, sizeof(buf), "%.*s/cache-tokens", (int)n, base);
    } else {
        const json_t *row = ob_service_find(b, service);
        json_int_t port = row ? json_integer_value(json_object_get(row, "port")) : 0;
        if (port <= 0)
            return NULL;
        snprintf(buf, sizeof(buf), "http://127.0.0.1:%d/cache-tokens", (int)port);
    }
    return strdup(buf);
}

/* Takes ownership of event (json_decref'd). */
static void enqueue(ob_pusher_t *p, const char *service, json_t *event)
{
    push_job_t *j = NULL;
    if (p == NULL || event == NULL || service == NULL)
        goto out_decref;
    if (ob_keys_push_key(p->b->keys, service) == NULL) {
        cm_debug("push", "service %s has no secret loaded: no push", service);
        p->st.skipped++;
        goto out_decref;
    }
    if ((j = calloc(1, sizeof(*j))) == NULL)
        goto out_decref;
    j->p = p;
    cm_reqid_capture(&j->reqid);
    if (j->reqid.s[0] == '\0' && cm_reqid_generate(&j->reqid) != CM_OK)
        j->reqid.s[0] = '\0';
    snprintf(j->service, sizeof(j->service), "%s", service);
    if (cm_uuid_v4(j->id, sizeof(j->id)) != CM_OK || (j->url = target_url(p->b, service)) == NULL)
        goto out_free_job;
    json_t *doc = json_pack("{s:s, s:[o]}", "id", j->id, "events", event);
    event = NULL; /* owned by doc now (also when json_pack failed) */
    if (doc == NULL)
        goto out_free_job;
    j->body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc); /* jansson strings are not wiped; the token copy in doc dies here */
    if (j->body == NULL)
        goto out_free_job;
    j->body_len = strlen(j->body);
    j->next = p->jobs;
    if (p->jobs)
        p->jobs->prev = j;
    p->jobs = j;
    p->n_jobs++;
    p->st.queued++;
    attempt(j);
    return;

out_free_job:
    free(j->url);
    free(j);
    count_push(&p->st.dropped, "dropped");
out_decref:
    json_decref(event);
}

/* The wire name of a push status, NULL for none. */
static const char *status_name(int status)
{
    return status >= 0 && status < CM_INST__COUNT ? cm_inst_status_name((cm_inst_status_t)status) : NULL;
}

void ob_push_token(ob_pusher_t *p, const char *service, const char *instance_id, const char *access_token,
                   int64_t expires_at, int status, int64_t version)
{
    if (p == NULL || access_token == NULL)
        return;
    enqueue(p, service,
            json_pack("{s:s, s:s, s:s, s:I, s:s?, s:I}", "type", "token", "instance_id", instance_id, "access_token",
                      access_token, "expires_at", (json_int_t)expires_at, "status", status_name(status), "version",
                      (json_int_t)version));
}

void ob_push_invalidate(ob_pusher_t *p, const char *service, const char *instance_id, int status, int64_t version)
{
    if (p == NULL)
        return;
    char *auth = NULL;
    if (status == CM_INST_NEEDS_REAUTH || status == CM_INST_EXPIRED)
        auth = ob_authorize_url(p->b, instance_id);
    enqueue(p, service,
            json_pack("{s:s, s:s, s:s?, s:s?, s:I}", "type", "invalidate", "instance_id", instance_id, "status",
                      status_name(status), "authorize_url", auth, "version", (json_int_t)version));
    free(auth);
}

void ob_push_grant_revoked(ob_pusher_t *p, const char *service, const char *instance_id, const char *grant_id)
{
    if (p == NULL || instance_id == NULL || grant_id == NULL)
        return;
    enqueue(p, service,
            json_pack("{s:s, s:s, s:s}", "type", "grant_revoked", "instance_id", instance_id, "grant_id", grant_id));
}
