/*
 * change_feed.c - LISTEN on the change channel and apply each notification to the instance cache (see
 * change_feed.h).
 */
#include "store/change_feed.h"

#include "common/log.h"
#include "common/pg_listen.h"
#include "common/status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ob_change_feed {
    cm_pg_listener_t *listener;
    ob_icache_t *cache;
};

int ob_change_payload_parse(const char *payload, char id[37], long long *version)
{
    if (payload == NULL || strlen(payload) < 38 || payload[36] != ' ')
        return CM_EINVAL;
    for (int i = 0; i < 36; i++) {
        char ch = payload[i];
        int hyphen = i == 8 || i == 13 || i == 18 || i == 23;
        int hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        if (hyphen ? ch != '-' : !hex)
            return CM_EINVAL;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(payload + 37, &end, 10);
    if (errno != 0 || end == payload + 37 || *end != '\0')
        return CM_EINVAL;
    memcpy(id, payload, 36);
    id[36] = '\0';
    *version = v;
    return CM_OK;
}

static void on_notify(void *arg, const char *payload)
{
    ob_change_feed_t *f = arg;
    char id[37];
    long long version;
    if (ob_change_payload_parse(payload, id, &version) != CM_OK) {
        cm_warn("store", "change notification ignored: malformed payload (%zu bytes)", strlen(payload));
        return;
    }
    cm_debug("store", "instance %s changed (version %lld): dropped from the cache", id, version);
    ob_icache_changed(f->cache, id);
}

static void on_state(void *arg, int up)
{
    ob_change_feed_t *f = arg;
    if (up)
        cm_info("store", "change notifications heard (channel " OB_CHANGE_CHANNEL "): cached instances re-read on "
                         "their next use");
    else
        cm_warn("store", "change notifications lost: cached instances fall back to their lifetime until the "
                         "listener is back");
    ob_icache_set_listening(f->cache, up);
}

ob_change_feed_t *ob_change_feed_new(cm_pg_pool_t *db, ob_icache_t *cache, int ping_ms)
{
    ob_change_feed_t *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return NULL;
    f->cache = cache;
    if ((f->listener = cm_pg_listener_new(db, OB_CHANGE_CHANNEL, ping_ms, on_notify, on_state, f)) == NULL) {
        free(f);
        return NULL;
    }
    return f;
}

void ob_change_feed_free(ob_change_feed_t *f)
{
    if (f == NULL)
        return;
    cm_pg_listener_free(f->listener);
    ob_icache_set_listening(f->cache, 0);
    free(f);
}

int ob_change_feed_up(const ob_change_feed_t *f)
{
    return f != NULL && cm_pg_listener_up(f->listener);
}

unsigned long ob_change_feed_connects(const ob_change_feed_t *f)
{
    return f != NULL ? cm_pg_listener_connects(f->listener) : 0;
}
