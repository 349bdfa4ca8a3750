/*
 * usage.c - batched usage counters (see usage.h).
 */
#include "tokens/usage.h"
#include "tokens/broker.h"
#include "common/log.h"
#include "common/status.h"
#include "tokens/broker_api.h"
#include "util/lru.h"

#include <stdlib.h>
#include <string.h>

struct counter {
    uint64_t count;
    int64_t last_used_at;
};

/* One flush in flight; detached (u = NULL) when the usage table is freed first. */
struct flush {
    mcp_usage_t *u;
    json_t *batch;
};

struct mcp_usage {
    mcp_broker_t *broker;
    char *service;
    mcp_lru_t *pending;      /* instance -> counter since the last successful flush */
    struct flush *in_flight; /* the batch being sent (merged back on failure) */
    uint64_t total, flushed;
};

mcp_usage_t *mcp_usage_new(mcp_broker_t *broker, const char *service)
{
    mcp_usage_t *u = calloc(1, sizeof(*u));
    if (u == NULL)
        return NULL;
    u->broker = broker;
    u->service = strdup(service);
    u->pending = mcp_lru_new(0, free);
    if (u->service == NULL || u->pending == NULL) {
        mcp_usage_free(u);
        return NULL;
    }
    return u;
}

void mcp_usage_free(mcp_usage_t *u)
{
    if (u == NULL)
        return;
    if (u->in_flight != NULL)
        u->in_flight->u = NULL; /* the callback frees it */
    free(u->service);
    mcp_lru_free(u->pending);
    free(u);
}

static void add(mcp_usage_t *u, const char *instance, uint64_t n, int64_t at)
{
    struct counter *c = mcp_lru_peek(u->pending, instance);
    if (c == NULL) {
        c = calloc(1, sizeof(*c));
        if (c == NULL || mcp_lru_put(u->pending, instance, c) != CM_OK) {
            free(c);
            return;
        }
    }
    c->count += n;
    if (at > c->last_used_at)
        c->last_used_at = at;
}

void mcp_usage_count(mcp_usage_t *u, const char *instance_id, int64_t now_s)
{
    u->total++;
    add(u, instance_id, 1, now_s);
}

static int append(void *arg, const char *key, void *value)
{
    struct counter *c = value;
    json_array_append_new(arg, json_pack("{s:s, s:I, s:I}", "instance_id", key, "count", (json_int_t)c->count,
                                         "last_used_at", (json_int_t)c->last_used_at));
    return 0;
}

json_t *mcp_usage_batch(const mcp_usage_t *u)
{
    if (mcp_lru_size(u->pending) == 0)
        return NULL;
    json_t *arr = json_array();
    mcp_lru_foreach(u->pending, append, arr);
    return json_pack("{s:s, s:o}", "service", u->service, "usage", arr);
}

static void on_flushed(void *arg, int status, json_t *body, const char *error)
{
    struct flush *f = arg;
    mcp_usage_t *u = f->u;
    if (u != NULL) {
        u->in_flight = NULL;
        size_t i;
        json_t *row;
        if (status == 200 || status == 204) {
            json_array_foreach(json_object_get(f->batch, "usage"), i, row)
            {
                u->flushed += (uint64_t)json_integer_value(json_object_get(row, "count"));
            }
        } else {
            cm_warn("mcp", "usage flush failed (status %d%s%s); counts kept for the next flush", status,
                    error ? ": " : "", error ? error : "");
            json_array_foreach(json_object_get(f->batch, "usage"), i, row)
            {
                add(u, json_string_value(json_object_get(row, "instance_id")),
                    (uint64_t)json_integer_value(json_object_get(row, "count")),
                    json_integer_value(json_object_get(row, "last_used_at")));
            }
        }
    }
    json_decref(f->batch);
    free(f);
}

void mcp_usage_flush(mcp_usage_t *u)
{
    if (u->broker == NULL || u->in_flight != NULL)
        return;
    struct flush *f = calloc(1, sizeof(*f));
    if (f == NULL || (f->batch = mcp_usage_batch(u)) == NULL) {
        free(f);
        return;
    }
    mcp_lru_t *fresh = mcp_lru_new(0, free);
    f->u = u;
    if (fresh == NULL ||
        mcp_broker_call(u->broker, "POST", MCP_BROKER_PATH_USAGE, f->batch, 0, on_flushed, f, NULL) != CM_AGAIN) {
        mcp_lru_free(fresh);
        json_decref(f->batch);
        free(f);
        return; /* counts stay pending */
    }
    u->in_flight = f;
    /* the batch now travels: count afresh (a failure merges it back) */
    mcp_lru_free(u->pending);
    u->pending = fresh;
}

uint64_t mcp_usage_total(const mcp_usage_t *u)
{
    return u->total;
}

int mcp_usage_busy(const mcp_usage_t *u)
{
    return u != NULL && u->in_flight != NULL;
}

uint64_t mcp_usage_flushed(const mcp_usage_t *u)
{
    return u->flushed;
}
