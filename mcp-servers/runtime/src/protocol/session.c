/*
 * session.c - the session table (see protocol/session.h).
 *
 * Layout: one LRU map id -> node (global recency, drives idle expiry and the total cap) and one map
 * instance -> group; each group keeps its sessions in an intrusive recency list (the per-instance cap).
 */
#include "protocol/session.h"
#include "common/crypto.h"
#include "common/status.h"
#include "util/lru.h"

#include <stdlib.h>
#include <string.h>

struct group;

struct node {
    mcp_session_t s; /* first: a node is returned as its session */
    struct group *group;
    struct node *newer, *older;
};

struct group {
    size_t count;
    struct node *newest, *oldest;
};

struct mcp_sessions {
    mcp_lru_t *by_id;  /* id -> struct node (owned) */
    mcp_lru_t *groups; /* instance -> struct group (owned) */
    int64_t idle_ms;
    size_t max_per_instance, max_total;
    mcp_sessions_stats_t stats;
    void (*drop_hook)(void *arg, mcp_session_t *session);
    void *drop_arg;
};

static void group_unlink(struct group *g, struct node *n)
{
    if (n->newer)
        n->newer->older = n->older;
    else
        g->newest = n->older;
    if (n->older)
        n->older->newer = n->newer;
    else
        g->oldest = n->newer;
    n->newer = n->older = NULL;
}

static void group_push(struct group *g, struct node *n)
{
    n->older = g->newest;
    n->newer = NULL;
    if (g->newest)
        g->newest->newer = n;
    g->newest = n;
    if (g->oldest == NULL)
        g->oldest = n;
}

mcp_sessions_t *mcp_sessions_new(int64_t idle_ms, size_t max_per_instance, size_t max_total)
{
    mcp_sessions_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->idle_ms = idle_ms > 0 ? idle_ms : 30 * 60 * 1000;
    t->max_per_instance = max_per_instance > 0 ? max_per_instance : 100;
    t->max_total = max_total > 0 ? max_total : 10000;
    t->by_id = mcp_lru_new(0, free); /* caps are enforced here, so that groups stay consistent */
    t->groups = mcp_lru_new(0, free);
    if (t->by_id == NULL || t->groups == NULL) {
        mcp_sessions_free(t);
        return NULL;
    }
    return t;
}

void mcp_sessions_set_drop_hook(mcp_sessions_t *t, void (*fn)(void *arg, mcp_session_t *session), void *arg)
{
    t->drop_hook = fn;
    t->drop_arg = arg;
}

static int drop_visit(void *arg, const char *key, void *value)
{
    mcp_sessions_t *t = arg;
    (void)key;
    t->drop_hook(t->drop_arg, &((struct node *)value)->s);
    return 0;
}

void mcp_sessions_free(mcp_sessions_t *t)
{
    if (t == NULL)
        return;
    if (t->drop_hook != NULL && t->by_id != NULL)
        mcp_lru_foreach(t->by_id, drop_visit, t);
    mcp_lru_free(t->by_id);
    mcp_lru_free(t->groups);
    free(t);
}

/* Removes a node from both structures and frees it. */
static void drop(mcp_sessions_t *t, struct node *n)
{
    struct group *g = n->group;
    if (t->drop_hook != NULL)
        t->drop_hook(t->drop_arg, &n->s);
    group_unlink(g, n);
    g->count--;
    char instance[sizeof(n->s.instance_id)];
    memcpy(instance, n->s.instance_id, sizeof(instance));
    void *taken = mcp_lru_take(t->by_id, n->s.id);
    free(taken);
    if (g->count == 0)
        mcp_lru_remove(t->groups, instance);
}

/* 1 when n is owned by this instance and credential. */
static int owned_by(const struct node *n, const char *instance_id, const char *credential)
{
    return strcmp(n->s.instance_id, instance_id) == 0 && strcmp(n->s.credential, credential ? credential : "") == 0;
}

int mcp_sessions_create(mcp_sessions_t *t, const char *instance_id, const char *credential,
                        const char *protocol_version, int64_t now_ms, mcp_session_t **out)
{
    size_t ilen = instance_id ? strlen(instance_id) : 0;
    size_t clen = credential ? strlen(credential) : 0;
    if (ilen == 0 || ilen >= sizeof(((mcp_session_t *)0)->instance_id) || clen >= MCP_SESSION_CREDENTIAL_LEN)
        return CM_EINVAL;
    struct group *g = mcp_lru_peek(t->groups, instance_id);
    if (g != NULL && g->count >= t->max_per_instance) {
        drop(t, g->oldest);
        t->stats.evicted++;
        g = mcp_lru_peek(t->groups, instance_id); /* may have been freed with its last session */
    }
    if (mcp_lru_size(t->by_id) >= t->max_total) {
        struct node *victim = mcp_lru_oldest(t->by_id, NULL);
        int same_group = victim->group == g;
        drop(t, victim);
        t->stats.evicted++;
        if (same_group)
            g = mcp_lru_peek(t->groups, instance_id);
    }
    if (g == NULL) {
        if ((g = calloc(1, sizeof(*g))) == NULL)
            return CM_ENOMEM;
        if (mcp_lru_put(t->groups, instance_id, g) != CM_OK) {
            free(g);
            return CM_ENOMEM;
        }
    }
    struct node *n = calloc(1, sizeof(*n));
    if (n == NULL)
        goto out_drop_empty_group;
    unsigned char raw[MCP_SESSION_ID_LEN / 2];
    if (cm_random_bytes(raw, sizeof(raw)) != CM_OK) {
        free(n);
        if (g->count == 0)
            mcp_lru_remove(t->groups, instance_id);
        return CM_EIO;
    }
    cm_hex_encode(raw, sizeof(raw), n->s.id, sizeof(n->s.id));
    memcpy(n->s.instance_id, instance_id, ilen + 1);
    memcpy(n->s.credential, credential ? credential : "", clen + 1);
    size_t vlen = protocol_version ? strlen(protocol_version) : 0;
    if (vlen >= sizeof(n->s.protocol_version))
        vlen = sizeof(n->s.protocol_version) - 1;
    memcpy(n->s.protocol_version, protocol_version ? protocol_version : "", vlen);
    n->s.log_level = -1;
    n->s.created_ms = n->s.last_used_ms = now_ms;
    n->group = g;
    if (mcp_lru_put(t->by_id, n->s.id, n) != CM_OK) {
        free(n);
        goto out_drop_empty_group;
    }
    group_push(g, n);
    g->count++;
    t->stats.created++;
    *out = &n->s;
    return CM_OK;

out_drop_empty_group:
    if (g->count == 0)
        mcp_lru_remove(t->groups, instance_id);
    return CM_ENOMEM;
}

mcp_session_t *mcp_sessions_lookup(mcp_sessions_t *t, const char *id, const char *instance_id, const char *credential,
                                   int64_t now_ms)
{
    if (id == NULL || instance_id == NULL)
        return NULL;
    struct node *n = mcp_lru_peek(t->by_id, id);
    if (n == NULL || !owned_by(n, instance_id, credential))
        return NULL;
    if (now_ms - n->s.last_used_ms > t->idle_ms) {
        drop(t, n);
        t->stats.expired++;
        return NULL;
    }
    n->s.last_used_ms = now_ms;
    mcp_lru_touch(t->by_id, id);
    group_unlink(n->group, n);
    group_push(n->group, n);
    return &n->s;
}

mcp_session_t *mcp_sessions_peek(mcp_sessions_t *t, const char *id)
{
    struct node *n = id != NULL ? mcp_lru_peek(t->by_id, id) : NULL;
    return n != NULL ? &n->s : NULL;
}

int mcp_sessions_delete(mcp_sessions_t *t, const char *id, const char *instance_id, const char *credential)
{
    struct node *n = id ? mcp_lru_peek(t->by_id, id) : NULL;
    if (n == NULL || instance_id == NULL || !owned_by(n, instance_id, credential))
        return CM_ENOTFOUND;
    drop(t, n);
    t->stats.deleted++;
    return CM_OK;
}

size_t mcp_sessions_delete_instance(mcp_sessions_t *t, const char *instance_id)
{
    struct group *g = mcp_lru_peek(t->groups, instance_id);
    size_t n = 0;
    while (g != NULL && g->oldest != NULL) {
        int last = g->count == 1;
        drop(t, g->oldest);
        t->stats.deleted++;
        n++;
        if (last)
            break;
    }
    return n;
}

size_t mcp_sessions_sweep(mcp_sessions_t *t, int64_t now_ms)
{
    size_t n = 0;
    struct node *oldest;
    while ((oldest = mcp_lru_oldest(t->by_id, NULL)) != NULL && now_ms - oldest->s.last_used_ms > t->idle_ms) {
        drop(t, oldest);
        t->stats.expired++;
        n++;
    }
    return n;
}

size_t mcp_sessions_count(const mcp_sessions_t *t)
{
    return mcp_lru_size(t->by_id);
}

size_t mcp_sessions_count_instance(const mcp_sessions_t *t, const char *instance_id)
{
    const struct group *g = mcp_lru_peek(t->groups, instance_id);
    return g ? g->count : 0;
}

void mcp_sessions_get_stats(const mcp_sessions_t *t, mcp_sessions_stats_t *out)
{
    *out = t->stats;
    out->active = mcp_lru_size(t->by_id);
}

int64_t mcp_sessions_idle_ms(const mcp_sessions_t *t)
{
    return t->idle_ms;
}
