/*
 * change_feed.h - applies PostgreSQL change notifications of instances to the instance cache.
 *
 * Every committed change of an instance or its credentials (status, custom name, new or refreshed or revoked
 * tokens, deletion, key rotation, ...) sends NOTIFY on OB_CHANGE_CHANNEL with the payload "<instance id>
 * <event_version>" from a trigger in the writing transaction (db/migrations/0009_change_notify.sql): whichever
 * replica, CLI or SQL session made it. The feed holds one dedicated LISTEN connection (common/pg_listen.h) and
 * drops the instance from the cache at once; when that connection is (re)established the whole cache is marked for
 * re-reading (notifications sent while it was away are lost), and while it is down the cache falls back to its
 * lifetime (oauth.instance_cache_ttl_ms).
 *
 * Threading: the loop thread only.
 */
#ifndef OB_STORE_CHANGE_FEED_H
#define OB_STORE_CHANGE_FEED_H

#include "store/instance_cache.h"

#include "common/pg.h"

#define OB_CHANGE_CHANNEL "ob_instance_changed"

typedef struct ob_change_feed ob_change_feed_t;

/* Starts listening with db's connection settings (db and cache borrowed, must outlive the feed); ping_ms as in
 * cm_pg_listener_new. NULL on no memory. Caller owns the feed. */
ob_change_feed_t *ob_change_feed_new(cm_pg_pool_t *db, ob_icache_t *cache, int ping_ms);
/* Stops listening (the cache falls back to its lifetime) and frees. NULL is fine. */
void ob_change_feed_free(ob_change_feed_t *f);
/* 1 while notifications are heard. */
int ob_change_feed_up(const ob_change_feed_t *f);
/* Times the LISTEN connection went up (the first connect included). */
unsigned long ob_change_feed_connects(const ob_change_feed_t *f);

/* Parses a payload "<36-char instance id> <version>" into id (37 bytes) and *version. CM_OK or CM_EINVAL. */
int ob_change_payload_parse(const char *payload, char id[37], long long *version);

#endif
