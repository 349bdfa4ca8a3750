/*
 * task_store.c - the in-memory tasks of the tasks extension: creation within bounds, lookup by owner, expiry, the
 * outcome of a task's call, cancellation (see features/task_store.h).
 */
#include "features/task_store.h"
#include "common/crypto.h"
#include "common/status.h"
#include "features/tools_internal.h"
#include "util/lru.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mcp_task_store {
    mcp_lru_t *by_id;    /* id -> mcp_task_t, creation order (never touched: oldest = first to expire) */
    mcp_lru_t *by_owner; /* owner -> size_t count of its tasks */
    mcp_task_limits_t limits;
    mcp_task_stats_t stats;
};

static void task_free(void *v)
{
    mcp_task_t *t = v;
    if (t == NULL)
        return;
    if (t->call != NULL)
        mcp__call_abandon(t->call);
    json_decref(t->result);
    json_decref(t->error);
    json_decref(t->input_requests);
    json_decref(t->request_state);
    json_decref(t->input_responses);
    json_decref(t->args);
    json_decref(t->client_caps);
    json_decref(t->early);
    free(t);
}

mcp_task_store_t *mcp_task_store_new(const mcp_task_limits_t *limits)
{
    mcp_task_store_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    if (limits != NULL)
        s->limits = *limits;
    if (s->limits.ttl_ms <= 0)
        s->limits.ttl_ms = 3600 * 1000;
    if (s->limits.max_total == 0)
        s->limits.max_total = 10000;
    if (s->limits.max_per_owner == 0)
        s->limits.max_per_owner = 100;
    s->by_id = mcp_lru_new(0, task_free);
    s->by_owner = mcp_lru_new(0, free);
    if (s->by_id == NULL || s->by_owner == NULL) {
        mcp_task_store_free(s);
        return NULL;
    }
    return s;
}

void mcp_task_store_free(mcp_task_store_t *s)
{
    if (s == NULL)
        return;
    mcp_lru_free(s->by_id);
    mcp_lru_free(s->by_owner);
    free(s);
}

int64_t mcp_task_store_ttl_ms(const mcp_task_store_t *s)
{
    return s->limits.ttl_ms;
}

void mcp_task_store_stats(const mcp_task_store_t *s, mcp_task_stats_t *out)
{
    *out = s->stats;
    out->active = mcp_lru_size(s->by_id);
}

static int make_owner(char *out, const char *instance_id, const char *credential)
{
    int n = snprintf(out, MCP_TASK_OWNER_LEN, "%s\n%s", instance_id ? instance_id : "", credential ? credential : "");
    return n < 0 || n >= MCP_TASK_OWNER_LEN ? CM_EINVAL : CM_OK;
}

static void remove_task(mcp_task_store_t *s, mcp_task_t *t)
{
    size_t *count = mcp_lru_peek(s->by_owner, t->owner);
    if (count != NULL && --*count == 0)
        mcp_lru_remove(s->by_owner, t->owner);
    char id[MCP_TASK_ID_LEN + 1];
    memcpy(id, t->id, sizeof(id));
    mcp_lru_remove(s->by_id, id); /* frees t (abandoning its call) */
}

static void sweep(mcp_task_store_t *s, int64_t now_ms)
{
    const char *key;
    mcp_task_t *t;
    while ((t = mcp_lru_oldest(s->by_id, &key)) != NULL && t->expires_ms <= now_ms) {
        s->stats.expired++;
        remove_task(s, t);
    }
}

int mcp_task_create(mcp_task_store_t *s, const char *instance_id, const char *credential, int64_t now_ms,
                    int64_t wall_ms, mcp_task_t **out)
{
    char owner[MCP_TASK_OWNER_LEN];
    *out = NULL;
    if (make_owner(owner, instance_id, credential) != CM_OK)
        return CM_EINVAL;
    sweep(s, now_ms);
    size_t *count = mcp_lru_peek(s->by_owner, owner);
    if (mcp_lru_size(s->by_id) >= s->limits.max_total || (count != NULL && *count >= s->limits.max_per_owner)) {
        s->stats.refused++;
        return CM_EUNAVAIL;
    }
    mcp_task_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return CM_ENOMEM;
    unsigned char raw[MCP_TASK_ID_LEN / 2];
    if (cm_random_bytes(raw, sizeof(raw)) != CM_OK) {
        free(t);
        return CM_EIO;
    }
    cm_hex_encode(raw, sizeof(raw), t->id, sizeof(t->id));
    memcpy(t->owner, owner, sizeof(owner));
    t->status = MCP_TASK_WORKING;
    t->created_wall_ms = t->updated_wall_ms = wall_ms;
    t->expires_ms = now_ms + s->limits.ttl_ms;
    t->store = s;
    if (count == NULL) {
        if ((count = calloc(1, sizeof(*count))) == NULL || mcp_lru_put(s->by_owner, owner, count) != CM_OK) {
            free(count);
            free(t);
            return CM_ENOMEM;
        }
    }
    if (mcp_lru_put(s->by_id, t->id, t) != CM_OK) {
        if (*count == 0)
            mcp_lru_remove(s->by_owner, owner);
        free(t);
        return CM_ENOMEM;
    }
    ++*count;
    s->stats.created++;
    *out = t;
    return CM_OK;
}

mcp_task_t *mcp_task_find(mcp_task_store_t *s, const char *id, const char *instance_id, const char *credential,
                          int64_t now_ms)
{
    char owner[MCP_TASK_OWNER_LEN];
    if (id == NULL || make_owner(owner, instance_id, credential) != CM_OK)
        return NULL;
    sweep(s, now_ms);
    mcp_task_t *t = mcp_lru_peek(s->by_id, id);
    return t != NULL && strcmp(t->owner, owner) == 0 ? t : NULL;
}

void mcp_task_discard(mcp_task_store_t *s, mcp_task_t *t)
{
    remove_task(s, t);
}

int mcp_task_terminal(const mcp_task_t *t)
{
    return t->status == MCP_TASK_COMPLETED || t->status == MCP_TASK_FAILED || t->status == MCP_TASK_CANCELLED;
}

void mcp_task_settle(mcp_task_t *t, json_t *response, int64_t wall_ms)
{
    t->call = NULL;
    if (mcp_task_terminal(t)) {
        json_decref(response);
        return;
    }
    json_t *error = json_object_get(response, "error");
    json_t *result = json_object_get(response, "result");
    if (error != NULL) {
        t->status = MCP_TASK_FAILED;
        t->error = json_incref(error);
    } else if (json_is_object(result) &&
               strcmp(json_string_value(json_object_get(result, "resultType")) ?: "", "input_required") == 0) {
        t->status = MCP_TASK_INPUT_REQUIRED;
        json_decref(t->input_requests);
        json_decref(t->request_state);
        json_decref(t->input_responses);
        t->input_responses = NULL;
        t->input_requests = json_incref(json_object_get(result, "inputRequests"));
        t->request_state = json_incref(json_object_get(result, "requestState"));
    } else {
        t->status = MCP_TASK_COMPLETED;
        t->result = json_is_object(result) ? json_incref(result) : json_object();
        /* the envelope of the original request does not belong in the inlined result */
        json_object_del(t->result, "resultType");
    }
    t->updated_wall_ms = wall_ms;
    json_decref(response);
}

void mcp_task_cancel(mcp_task_t *t, int64_t wall_ms)
{
    if (mcp_task_terminal(t))
        return;
    if (t->call != NULL) {
        mcp__call_abandon(t->call);
        t->call = NULL;
    }
    t->status = MCP_TASK_CANCELLED;
    t->updated_wall_ms = wall_ms;
    json_decref(t->input_requests);
    json_decref(t->input_responses);
    t->input_requests = t->input_responses = NULL;
    t->store->stats.cancelled++;
}

const char *mcp_task_status_str(mcp_task_status_t st)
{
    static const char *const names[] = {"working", "input_required", "completed", "failed", "cancelled"};
    return st >= MCP_TASK_WORKING && st <= MCP_TASK_CANCELLED ? names[st] : "failed";
}

static json_t *iso8601(int64_t wall_ms)
{
    time_t secs = (time_t)(wall_ms / 1000);
    struct tm tm;
    char buf[40];
    if (gmtime_r(&secs, &tm) == NULL)
        return json_string("1970-01-01T00:00:00.000Z");
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%03dZ", (int)(wall_ms % 1000));
    return json_string(buf);
}

json_t *mcp_task_json(const mcp_task_t *t, int64_t ttl_ms, int poll_ms, int detailed)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "taskId", json_string(t->id));
    json_object_set_new(o, "status", json_string(mcp_task_status_str(t->status)));
    json_object_set_new(o, "createdAt", iso8601(t->created_wall_ms));
    json_object_set_new(o, "lastUpdatedAt", iso8601(t->updated_wall_ms));
    json_object_set_new(o, "ttlMs", json_integer(ttl_ms));
    if (poll_ms > 0)
        json_object_set_new(o, "pollIntervalMs", json_integer(poll_ms));
    if (!detailed)
        return o;
    if (t->status == MCP_TASK_COMPLETED && t->result != NULL)
        json_object_set(o, "result", t->result);
    else if (t->status == MCP_TASK_FAILED && t->error != NULL)
        json_object_set(o, "error", t->error);
    else if (t->status == MCP_TASK_INPUT_REQUIRED && t->input_requests != NULL)
        json_object_set(o, "inputRequests", t->input_requests);
    return o;
}
