/*
 * instance_cache.h - instances in memory, so vending a valid token and starting an authorization
 * need no database round trip.
 *
 * Freshness. While change notifications are heard (ob_icache_set_listening(c, 1): the broker's LISTEN connection
 * is up, store/change_feed.c), a row stays cached until a notification of a change of that instance drops it
 * (ob_icache_changed), whichever replica made the change: PostgreSQL sends the notification in the transaction of
 * the change (db/migrations, a trigger), so none goes unannounced. When the listener (re)connects, the cache's
 * epoch moves on and every row read before is re-read on its next use (notifications sent while it was away are
 * lost). While notifications are not heard, an entry is fresh for ttl_ms after it was read (the fallback
 * lifetime). Writes made by this process invalidate the entry at once.
 *
 * Ordering: a notification is delivered only after its transaction committed, so a query sent after it was
 * received reads the change. A query already in flight when it arrives may have read the row before the change:
 * the entry is marked dirty and that result answers the waiters that were already waiting but is not kept. So an
 * older row never overwrites a newer invalidation, whatever the versions of concurrent writers.
 *
 * Size: at most max_entries instances; beyond, one not used (peeked or loaded) for the longest is dropped, LRU as
 * second chance approximates it (a hit marks the entry and moves nothing: see instance_cache.c). Concurrent
 * misses for one instance share one query (single flight). The decrypted access token lives here and is wiped on
 * eviction.
 *
 * Stale-if-error: when the re-read fails because the database cannot be reached (not: no such row), the copy in
 * memory answers instead, if it was read less than 15 min ago, and is used for 1 s before the next re-read is
 * tried. So a database outage does not stop vending what is cached (the vend still checks the instance's expiry
 * and the token's against the clock); an instance that was never read gets the database error.
 *
 * Threading: the loop thread only. Pointers to instances are borrowed: valid until the callback
 * returns, or for ob_icache_peek until the next call into the cache. Copy what you keep.
 */
#ifndef OB_STORE_INSTANCE_CACHE_H
#define OB_STORE_INSTANCE_CACHE_H

#include "store/instance.h"

#include "common/pg.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ob_icache ob_icache_t;

/* status: CM_OK (inst set), CM_ENOTFOUND (no such instance), or the database error (CM_EIO, CM_ETIMEDOUT, ...). */
typedef void (*ob_icache_cb)(void *arg, int status, ob_instance_t *inst);

#define OB_ICACHE_DEFAULT_MAX 200000

/* db and kr are borrowed and must outlive the cache. ttl_ms is the lifetime while notifications are not heard;
 * max_entries 0 = OB_ICACHE_DEFAULT_MAX. Caller owns the cache. */
ob_icache_t *ob_icache_new(cm_pg_pool_t *db, const ob_keyring_t *kr, int ttl_ms, size_t max_entries);
/* Frees every entry. Free the pool first (its callbacks may still reference entries being loaded). */
void ob_icache_free(ob_icache_t *c);

/* The fresh cached instance, or NULL (absent, stale or loading). Callers may fill its memo fields (vend_body,
 * authz_template), nothing else. */
ob_instance_t *ob_icache_peek(ob_icache_t *c, const char *id);
/*
 * Reads the instance from the database (joining a read already in flight) and caches it. Returns CM_AGAIN
 * (cb runs exactly once, later) or an error (cb never runs). id must be a valid UUID.
 */
int ob_icache_load(ob_icache_t *c, const char *id, ob_icache_cb cb, void *arg);
/* Forgets the instance (after a write). A read in flight still answers its waiters but is not cached. */
void ob_icache_invalidate(ob_icache_t *c, const char *id);
/* A change notification for the instance: forgets it as ob_icache_invalidate does, and counts it. */
void ob_icache_changed(ob_icache_t *c, const char *id);
/* up = 1: notifications are heard from now on, and what was read before is re-read on its next use (resync);
 * up = 0: they are not (entries fall back to the ttl_ms lifetime). */
void ob_icache_set_listening(ob_icache_t *c, int up);

typedef struct ob_icache_stats {
    size_t entries, max_entries;
    uint64_t stale_served; /* answers from a stale copy because the database could not be read */
    uint64_t changes;      /* change notifications applied */
    uint64_t evictions;    /* least recently used entries dropped for room */
    uint64_t resyncs;      /* times notifications (re)started (every cached row re-read) */
    int listening;
} ob_icache_stats_t;
/* Fills st (zeros for NULL). */
void ob_icache_stats(const ob_icache_t *c, ob_icache_stats_t *st);
/* Number of cached instances (stats, tests). */
size_t ob_icache_count(const ob_icache_t *c);
/* Answers given from a stale copy because the database could not be read (stats, /health). */
uint64_t ob_icache_stale_served(const ob_icache_t *c);

#endif
