/*
 * instance_cache.c - hash table of instances with an LRU list, change notifications (or a lifetime while they are
 * not heard) and single-flight loads (see instance_cache.h).
 */
#include "store/instance_cache.h"

#include "common/log.h"
#include "common/status.h"
#include "common/timer.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Stale-if-error: a re-read that fails with the database unreachable answers with the copy in memory, if it was
 * read from the database less than STALE_MAX_MS ago, and that copy is used without asking again for
 * STALE_RETRY_MS (one re-read per instance and second while the database is away). */
#define STALE_MAX_MS (15 * 60 * 1000)
#define STALE_RETRY_MS 1000

typedef struct waiter {
    ob_icache_cb cb;
    void *arg;
    struct waiter *next;
} waiter_t;

typedef struct entry {
    /* One cache line holds what a lookup and a hit read (id, flags, inst, chain, epoch). */
    char id[37];
    uint8_t loading;
    uint8_t dirty;       /* invalidated (a write, a notification) while loading: do not keep the result */
    uint8_t referenced;  /* used since it was last passed by the eviction hand (second chance) */
    ob_instance_t *inst; /* NULL while the first load runs */
    struct entry *next;  /* hash chain */
    uint64_t epoch;      /* the cache's epoch when the query that filled it was sent */
    uint64_t load_epoch; /* the same, of the query in flight */
    int64_t loaded_ms;
    int64_t stale_until_ms; /* the re-read failed: the stale copy is used until then */
    waiter_t *waiters, **waiters_tail;
    struct entry *lru_prev, *lru_next; /* lru_prev towards the most recently inserted or spared */
    ob_icache_t *cache;
} entry_t;

struct ob_icache {
    cm_pg_pool_t *db;
    const ob_keyring_t *kr;
    int ttl_ms;
    size_t max_entries;
    entry_t **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    entry_t *lru_head, *lru_tail; /* most / least recently inserted or spared */
    uint64_t epoch;               /* bumped when notifications (re)start: what was read before is re-read */
    int listening;                /* notifications are heard: entries of this epoch stay fresh until told */
    uint64_t stale_served;        /* answers from a stale copy because the database could not be read */
    uint64_t changes;             /* change notifications applied */
    uint64_t evictions;           /* entries dropped to stay within max_entries */
};

static uint64_t hash_id(const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (; *id; id++) {
        char c = *id;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        h = (h ^ (uint8_t)c) * 1099511628211ull;
    }
    return h;
}

static int id_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static void lru_unlink(ob_icache_t *c, entry_t *e)
{
    if (e->lru_prev != NULL)
        e->lru_prev->lru_next = e->lru_next;
    else
        c->lru_head = e->lru_next;
    if (e->lru_next != NULL)
        e->lru_next->lru_prev = e->lru_prev;
    else
        c->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(ob_icache_t *c, entry_t *e)
{
    e->lru_prev = NULL;
    e->lru_next = c->lru_head;
    if (c->lru_head != NULL)
        c->lru_head->lru_prev = e;
    else
        c->lru_tail = e;
    c->lru_head = e;
}

/* LRU by second chance (CLOCK, as PostgreSQL's buffer pool approximates it): a hit only marks the entry; eviction
 * walks from the tail, moving marked entries to the front with their mark cleared and dropping the first unmarked
 * one. Moving every hit to the front instead wrote to the two neighbours of the entry and to the head: with 100,000
 * cached instances, three more cache misses on every vend. */
static void lru_mark(entry_t *e)
{
    if (!e->referenced) /* a line only read stays clean */
        e->referenced = 1;
}

ob_icache_t *ob_icache_new(cm_pg_pool_t *db, const ob_keyring_t *kr, int ttl_ms, size_t max_entries)
{
    ob_icache_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->db = db;
    c->kr = kr;
    c->ttl_ms = ttl_ms;
    c->max_entries = max_entries ? max_entries : OB_ICACHE_DEFAULT_MAX;
    c->nbuckets = 1024;
    if ((c->buckets = calloc(c->nbuckets, sizeof(*c->buckets))) == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

static void entry_free(entry_t *e)
{
    ob_instance_free(e->inst);
    free(e);
}

void ob_icache_free(ob_icache_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        entry_t *e = c->buckets[i];
        while (e != NULL) {
            entry_t *next = e->next;
            waiter_t *w = e->waiters;
            while (w != NULL) {
                waiter_t *wn = w->next;
                free(w);
                w = wn;
            }
            entry_free(e); /* loading entries too: the pool was freed first (see header), no callback is due */
            e = next;
        }
    }
    free(c->buckets);
    free(c);
}

static entry_t **find_slot(ob_icache_t *c, const char *id)
{
    entry_t **pp = &c->buckets[hash_id(id) & (c->nbuckets - 1)];
    while (*pp != NULL && !id_eq((*pp)->id, id))
        pp = &(*pp)->next;
    return pp;
}

/* While notifications are heard, a row read in the current epoch is fresh until a notification drops it; while
 * they are not (listener down, or none configured), the lifetime bounds how old a status may be. */
static int fresh(const ob_icache_t *c, const entry_t *e, int64_t now_ms)
{
    if (e->inst == NULL || e->dirty)
        return 0;
    return c->listening ? e->epoch == c->epoch : now_ms - e->loaded_ms < c->ttl_ms;
}

/* Unlinks e from its hash chain and the LRU list and frees it. */
static void entry_drop(ob_icache_t *c, entry_t *e)
{
    entry_t **pp = find_slot(c, e->id);
    if (*pp == e) {
        *pp = e->next;
        c->count--;
    }
    lru_unlink(c, e);
    entry_free(e);
}

ob_instance_t *ob_icache_peek(ob_icache_t *c, const char *id)
{
    entry_t *e = *find_slot(c, id);
    if (e == NULL)
        return NULL;
    int64_t now = cm_now_ms();
    if (fresh(c, e, now)) {
        lru_mark(e);
        return e->inst;
    }
    if (e->inst != NULL && !e->dirty && now < e->stale_until_ms) {
        c->stale_served++;
        lru_mark(e);
        return e->inst;
    }
    return NULL;
}

/* The read failed because the database could not be reached or did not answer (not: no such row, no memory). */
static int db_unreachable(int rc)
{
    return rc != CM_OK && rc != CM_ENOTFOUND && rc != CM_ENOMEM && rc != CM_EINVAL;
}

static void grow(ob_icache_t *c)
{
    size_t n = c->nbuckets * 2;
    entry_t **b = calloc(n, sizeof(*b));
    if (b == NULL)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        entry_t *e = c->buckets[i];
        while (e != NULL) {
            entry_t *next = e->next;
            size_t h = hash_id(e->id) & (n - 1);
            e->next = b[h];
            b[h] = e;
            e = next;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

/* Drops entries not used since the hand last passed them, and that no load is waiting on, until there is room for
 * one more; a used one gets a second chance at the front. Every entry is passed at most twice (a mark is cleared
 * when spared), so the walk ends. */
static void evict(ob_icache_t *c)
{
    size_t steps = 2 * c->count + 1;
    entry_t *e = c->lru_tail;
    while (e != NULL && c->count >= c->max_entries && steps-- > 0) {
        entry_t *prev = e->lru_prev;
        if (e->referenced) {
            e->referenced = 0;
            lru_unlink(c, e);
            lru_push_front(c, e);
        } else if (!e->loading && e->waiters == NULL) {
            entry_drop(c, e);
            c->evictions++;
        }
        e = prev != NULL ? prev : c->lru_tail;
    }
}

static void on_loaded(void *arg, int status, PGresult *res)
{
    entry_t *e = arg;
    ob_icache_t *c = e->cache;
    ob_instance_t *inst = NULL;
    int rc = status;
    if (status == CM_OK) {
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            cm_error("store", "reading instance %s failed: %s", e->id, PQresultErrorMessage(res));
            rc = CM_EIO;
        } else if (PQntuples(res) == 0) {
            rc = CM_ENOTFOUND;
        } else if ((inst = ob_instance_from_row(res, 0, c ? c->kr : NULL)) == NULL) {
            rc = CM_ENOMEM;
        }
    }
    e->loading = 0;
    waiter_t *w = e->waiters;
    e->waiters = NULL;
    e->waiters_tail = &e->waiters;
    int64_t now = cm_now_ms();
    if (rc == CM_OK && !e->dirty) {
        ob_instance_free(e->inst);
        e->inst = inst;
        e->loaded_ms = now;
        e->epoch = e->load_epoch;
        e->stale_until_ms = 0;
        inst = NULL;
    } else if (db_unreachable(rc) && e->inst != NULL && !e->dirty && now - e->loaded_ms < STALE_MAX_MS) {
        /* the database is away: what was read last is still the best answer (nobody can change the row either,
         * unless a partition hides it from this process only: bounded by STALE_MAX_MS) */
        cm_warn("store",
                "instance %s: the database could not be read (%s): served from memory (read %" PRId64 " ms ago)", e->id,
                cm_status_str(rc), now - e->loaded_ms);
        rc = CM_OK;
        e->stale_until_ms = now + STALE_RETRY_MS;
        for (waiter_t *x = w; x != NULL && c != NULL; x = x->next)
            c->stale_served++;
    }
    ob_instance_t *answer = rc == CM_OK ? (inst ? inst : e->inst) : NULL;
    while (w != NULL) {
        waiter_t *next = w->next;
        w->cb(w->arg, rc, answer);
        free(w);
        w = next;
    }
    ob_instance_free(inst);
    /* an entry that holds nothing useful any more is dropped */
    if (c != NULL && !e->loading && (e->inst == NULL || e->dirty) && e->waiters == NULL)
        entry_drop(c, e);
}

int ob_icache_load(ob_icache_t *c, const char *id, ob_icache_cb cb, void *arg)
{
    if (strlen(id) != 36)
        return CM_EINVAL;
    waiter_t *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return CM_ENOMEM;
    w->cb = cb;
    w->arg = arg;
    entry_t **pp = find_slot(c, id), *e = *pp;
    if (e == NULL) {
        if (c->count >= c->max_entries)
            evict(c);
        if (c->count >= c->nbuckets) /* load factor at most 1: a lookup reads one entry on average */
            grow(c);
        if ((e = calloc(1, sizeof(*e))) == NULL) {
            free(w);
            return CM_ENOMEM;
        }
        memcpy(e->id, id, 37);
        e->cache = c;
        e->waiters_tail = &e->waiters;
        pp = find_slot(c, id);
        e->next = *pp;
        *pp = e;
        c->count++;
        lru_push_front(c, e);
    } else {
        lru_mark(e);
    }
    *e->waiters_tail = w;
    e->waiters_tail = &w->next;
    if (e->loading)
        return CM_AGAIN;
    e->dirty = 0;
    e->load_epoch = c->epoch;
    const char *params[1] = {e->id};
    int rc = cm_pg_query(c->db, OB_INSTANCE_SELECT "WHERE s.instance_id = $1", 1, params, on_loaded, e);
    if (rc != CM_AGAIN) {
        /* nothing started: unlink our waiter (the only one, since nothing was loading) */
        e->waiters = NULL;
        e->waiters_tail = &e->waiters;
        free(w);
        if (e->inst == NULL)
            entry_drop(c, e);
        return rc;
    }
    e->loading = 1;
    return CM_AGAIN;
}

void ob_icache_invalidate(ob_icache_t *c, const char *id)
{
    entry_t *e = *find_slot(c, id);
    if (e == NULL)
        return;
    if (e->loading) {
        e->dirty = 1;
        return;
    }
    entry_drop(c, e);
}

void ob_icache_changed(ob_icache_t *c, const char *id)
{
    c->changes++;
    ob_icache_invalidate(c, id);
}

void ob_icache_set_listening(ob_icache_t *c, int up)
{
    if (up)
        c->epoch++; /* notifications may have been missed: every row read so far is re-read on its next use */
    c->listening = up != 0;
}

void ob_icache_stats(const ob_icache_t *c, ob_icache_stats_t *st)
{
    memset(st, 0, sizeof(*st));
    if (c == NULL)
        return;
    st->entries = c->count;
    st->max_entries = c->max_entries;
    st->stale_served = c->stale_served;
    st->changes = c->changes;
    st->evictions = c->evictions;
    st->resyncs = c->epoch;
    st->listening = c->listening;
}

size_t ob_icache_count(const ob_icache_t *c)
{
    return c ? c->count : 0;
}

uint64_t ob_icache_stale_served(const ob_icache_t *c)
{
    return c ? c->stale_served : 0;
}
