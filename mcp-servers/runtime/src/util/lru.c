/*
 * lru.c - chained hash map + intrusive doubly linked recency list (see util/lru.h).
 */
#include "util/lru.h"
#include "common/status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct node {
    struct node *hnext;         /* bucket chain */
    struct node *newer, *older; /* recency list */
    uint64_t hash;
    void *value;
    char key[];
};

struct mcp_lru {
    struct node **buckets;
    size_t nbuckets; /* power of two */
    size_t size;
    size_t capacity;
    struct node *newest, *oldest;
    mcp_lru_free_fn free_value;
    mcp_lru_evict_fn on_evict;
    void *evict_arg;
};

static uint64_t hash_key(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64, then a final avalanche */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

mcp_lru_t *mcp_lru_new(size_t capacity, mcp_lru_free_fn free_value)
{
    mcp_lru_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->nbuckets = 16;
    m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
    if (m->buckets == NULL) {
        free(m);
        return NULL;
    }
    m->capacity = capacity;
    m->free_value = free_value;
    return m;
}

void mcp_lru_on_evict(mcp_lru_t *m, mcp_lru_evict_fn fn, void *arg)
{
    m->on_evict = fn;
    m->evict_arg = arg;
}

static void drop_value(mcp_lru_t *m, void *v)
{
    if (m->free_value != NULL && v != NULL)
        m->free_value(v);
}

void mcp_lru_free(mcp_lru_t *m)
{
    if (m == NULL)
        return;
    struct node *n = m->newest;
    while (n != NULL) {
        struct node *next = n->older;
        drop_value(m, n->value);
        free(n);
        n = next;
    }
    free(m->buckets);
    free(m);
}

static struct node *find(const mcp_lru_t *m, const char *key, uint64_t h, struct node ***slot)
{
    struct node **p = &m->buckets[h & (m->nbuckets - 1)];
    for (; *p != NULL; p = &(*p)->hnext) {
        if ((*p)->hash == h && strcmp((*p)->key, key) == 0) {
            if (slot)
                *slot = p;
            return *p;
        }
    }
    if (slot)
        *slot = p;
    return NULL;
}

static void list_unlink(mcp_lru_t *m, struct node *n)
{
    if (n->newer)
        n->newer->older = n->older;
    else
        m->newest = n->older;
    if (n->older)
        n->older->newer = n->newer;
    else
        m->oldest = n->newer;
    n->newer = n->older = NULL;
}

static void list_push_newest(mcp_lru_t *m, struct node *n)
{
    n->older = m->newest;
    n->newer = NULL;
    if (m->newest)
        m->newest->newer = n;
    m->newest = n;
    if (m->oldest == NULL)
        m->oldest = n;
}

/* Unlinks n from its bucket and the list; does not free. */
static void detach(mcp_lru_t *m, struct node *n)
{
    struct node **p = &m->buckets[n->hash & (m->nbuckets - 1)];
    while (*p != n)
        p = &(*p)->hnext;
    *p = n->hnext;
    list_unlink(m, n);
    m->size--;
}

static void grow(mcp_lru_t *m)
{
    size_t nb = m->nbuckets * 2;
    struct node **b = calloc(nb, sizeof(*b));
    if (b == NULL)
        return; /* keep working with longer chains */
    for (size_t i = 0; i < m->nbuckets; i++) {
        struct node *n = m->buckets[i];
        while (n != NULL) {
            struct node *next = n->hnext;
            n->hnext = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
            n = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = nb;
}

void *mcp_lru_get(mcp_lru_t *m, const char *key)
{
    struct node *n = find(m, key, hash_key(key), NULL);
    if (n == NULL)
        return NULL;
    if (m->newest != n) {
        list_unlink(m, n);
        list_push_newest(m, n);
    }
    return n->value;
}

void *mcp_lru_peek(const mcp_lru_t *m, const char *key)
{
    struct node *n = find(m, key, hash_key(key), NULL);
    return n ? n->value : NULL;
}

void mcp_lru_touch(mcp_lru_t *m, const char *key)
{
    (void)mcp_lru_get(m, key);
}

int mcp_lru_put(mcp_lru_t *m, const char *key, void *value)
{
    uint64_t h = hash_key(key);
    struct node **slot;
    struct node *n = find(m, key, h, &slot);
    if (n != NULL) {
        if (n->value != value)
            drop_value(m, n->value);
        n->value = value;
        if (m->newest != n) {
            list_unlink(m, n);
            list_push_newest(m, n);
        }
        return CM_OK;
    }
    size_t klen = strlen(key);
    n = malloc(sizeof(*n) + klen + 1);
    if (n == NULL)
        return CM_ENOMEM;
    memcpy(n->key, key, klen + 1);
    n->hash = h;
    n->value = value;
    n->hnext = *slot;
    *slot = n;
    list_push_newest(m, n);
    m->size++;
    while (m->capacity > 0 && m->size > m->capacity && m->oldest != n) {
        struct node *victim = m->oldest;
        detach(m, victim);
        if (m->on_evict != NULL)
            m->on_evict(m->evict_arg, victim->key, victim->value);
        drop_value(m, victim->value);
        free(victim);
    }
    if (m->size > m->nbuckets)
        grow(m);
    return CM_OK;
}

void *mcp_lru_take(mcp_lru_t *m, const char *key)
{
    struct node *n = find(m, key, hash_key(key), NULL);
    if (n == NULL)
        return NULL;
    void *v = n->value;
    detach(m, n);
    free(n);
    return v;
}

int mcp_lru_remove(mcp_lru_t *m, const char *key)
{
    struct node *n = find(m, key, hash_key(key), NULL);
    if (n == NULL)
        return CM_ENOTFOUND;
    detach(m, n);
    drop_value(m, n->value);
    free(n);
    return CM_OK;
}

void *mcp_lru_oldest(const mcp_lru_t *m, const char **key)
{
    if (m->oldest == NULL)
        return NULL;
    if (key)
        *key = m->oldest->key;
    return m->oldest->value;
}

size_t mcp_lru_size(const mcp_lru_t *m)
{
    return m->size;
}

size_t mcp_lru_capacity(const mcp_lru_t *m)
{
    return m->capacity;
}

void mcp_lru_foreach(const mcp_lru_t *m, mcp_lru_visit_fn fn, void *arg)
{
    for (struct node *n = m->newest; n != NULL; n = n->older)
        if (fn(arg, n->key, n->value) != 0)
            return;
}
