/*
 * input_pending.c - the server's JSON-RPC requests to clients (2025-11-25: elicitation/create, sampling/createMessage,
 * roots/list) awaiting a response: bounded per session and in total, each with a deadline; a response is matched by
 * its id and only for the session the request went to.
 *
 * A small array scanned linearly: bounded by max_total (default 4096), and every scan is one response or one
 * maintenance tick.
 */
#include "common/status.h"
#include "features/input.h"
#include "protocol/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pending_entry {
    json_int_t id;
    char session[MCP_SESSION_ID_LEN + 1];
    char key[MCP_INPUT_KEY_MAX + 1];
    void *owner;
    int64_t deadline_ms;
} pending_entry_t;

struct mcp__pending {
    pending_entry_t *items;
    size_t n, cap, max_per_session, max_total;
    json_int_t next_id;
};

mcp__pending_t *mcp__pending_new(size_t max_per_session, size_t max_total)
{
    mcp__pending_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->max_per_session = max_per_session ? max_per_session : 16;
    t->max_total = max_total ? max_total : 4096;
    t->next_id = 1;
    return t;
}

void mcp__pending_free(mcp__pending_t *t)
{
    if (t == NULL)
        return;
    free(t->items);
    free(t);
}

static void remove_at(mcp__pending_t *t, size_t i)
{
    t->items[i] = t->items[--t->n];
}

int mcp__pending_add(mcp__pending_t *t, const char *session, void *owner, const char *key, int64_t deadline_ms,
                     json_int_t *id)
{
    size_t same = 0;
    if (strlen(session) > MCP_SESSION_ID_LEN || strlen(key) > MCP_INPUT_KEY_MAX)
        return CM_EINVAL;
    for (size_t i = 0; i < t->n; i++)
        same += strcmp(t->items[i].session, session) == 0;
    if (same >= t->max_per_session || t->n >= t->max_total)
        return CM_EUNAVAIL;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        pending_entry_t *items = realloc(t->items, cap * sizeof(*items));
        if (items == NULL)
            return CM_ENOMEM;
        t->items = items;
        t->cap = cap;
    }
    pending_entry_t *e = &t->items[t->n++];
    memset(e, 0, sizeof(*e));
    /* ids count up per server: never reused, so a late answer to a finished request finds nothing */
    e->id = *id = t->next_id++;
    snprintf(e->session, sizeof(e->session), "%s", session);
    snprintf(e->key, sizeof(e->key), "%s", key);
    e->owner = owner;
    e->deadline_ms = deadline_ms;
    return CM_OK;
}

void *mcp__pending_take(mcp__pending_t *t, const char *session, const json_t *id, char *key)
{
    if (!json_is_integer(id) || session == NULL)
        return NULL;
    for (size_t i = 0; i < t->n; i++) {
        pending_entry_t *e = &t->items[i];
        if (e->id != json_integer_value(id))
            continue;
        if (strcmp(e->session, session) != 0)
            return NULL; /* another session's request: the same answer as for an unknown id */
        void *owner = e->owner;
        memcpy(key, e->key, sizeof(e->key));
        remove_at(t, i);
        return owner;
    }
    return NULL;
}

void mcp__pending_drop(mcp__pending_t *t, void *owner)
{
    for (size_t i = t->n; i-- > 0;)
        if (t->items[i].owner == owner)
            remove_at(t, i);
}

size_t mcp__pending_count(const mcp__pending_t *t, const void *owner)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += t->items[i].owner == owner;
    return n;
}

void *mcp__pending_expired(mcp__pending_t *t, int64_t now_ms)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->items[i].deadline_ms > now_ms)
            continue;
        void *owner = t->items[i].owner;
        mcp__pending_drop(t, owner);
        return owner;
    }
    return NULL;
}
