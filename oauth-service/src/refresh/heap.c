/*
 * heap.c - indexed binary min-heap (see heap.h). The index is an open-addressing hash table from id to
 * heap position (linear probing, backward-shift deletion), rebuilt larger at 50% load.
 *
 * Each index slot keeps its own copy of the id: lookups never go through the heap array, whose entries
 * move while a sift is in progress (an index keyed through the array would find a moved entry under the
 * wrong id, leave stale slots behind and eventually fill the table).
 */
#include "refresh/heap.h"

#include "common/status.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    size_t pos1; /* heap position + 1; 0 = empty */
    char id[37];
} slot_t;

struct ob_heap {
    ob_heap_entry_t *a; /* heap array */
    size_t n, cap;
    slot_t *slots; /* hash table, nslots a power of two */
    size_t nslots;
};

static size_t hash_id(const char *id)
{
    size_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ull;
    return h;
}

/* Slot holding id, or the empty slot where it would go (the table is never more than half full). */
static size_t slot_of(const ob_heap_t *h, const char *id)
{
    size_t mask = h->nslots - 1, i = hash_id(id) & mask;
    while (h->slots[i].pos1 != 0 && strcmp(h->slots[i].id, id) != 0)
        i = (i + 1) & mask;
    return i;
}

static int grow_index(ob_heap_t *h)
{
    size_t n = h->nslots ? h->nslots * 2 : 64;
    slot_t *s = calloc(n, sizeof(*s));
    if (s == NULL)
        return CM_ENOMEM;
    free(h->slots);
    h->slots = s;
    h->nslots = n;
    for (size_t pos = 0; pos < h->n; pos++) {
        slot_t *sl = &h->slots[slot_of(h, h->a[pos].id)];
        sl->pos1 = pos + 1;
        memcpy(sl->id, h->a[pos].id, sizeof(sl->id));
    }
    return CM_OK;
}

static void index_delete(ob_heap_t *h, size_t i)
{
    size_t mask = h->nslots - 1, j = i;
    h->slots[i].pos1 = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (h->slots[j].pos1 == 0)
            return;
        size_t k = hash_id(h->slots[j].id) & mask; /* home slot of the entry at j */
        /* move j back to i when its home is not cyclically within (i, j] */
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            h->slots[i] = h->slots[j];
            h->slots[j].pos1 = 0;
            i = j;
        }
    }
}

/* Puts e at pos and points e's (existing) index slot there. */
static void place(ob_heap_t *h, size_t pos, const ob_heap_entry_t *e)
{
    h->a[pos] = *e;
    h->slots[slot_of(h, e->id)].pos1 = pos + 1;
}

static void sift_up(ob_heap_t *h, size_t pos)
{
    ob_heap_entry_t e = h->a[pos];
    while (pos > 0) {
        size_t parent = (pos - 1) / 2;
        if (h->a[parent].due_ms <= e.due_ms)
            break;
        ob_heap_entry_t p = h->a[parent];
        place(h, pos, &p);
        pos = parent;
    }
    place(h, pos, &e);
}

static void sift_down(ob_heap_t *h, size_t pos)
{
    ob_heap_entry_t e = h->a[pos];
    for (;;) {
        size_t l = 2 * pos + 1, m = pos;
        int64_t best = e.due_ms;
        if (l < h->n && h->a[l].due_ms < best) {
            m = l;
            best = h->a[l].due_ms;
        }
        if (l + 1 < h->n && h->a[l + 1].due_ms < best)
            m = l + 1;
        if (m == pos)
            break;
        ob_heap_entry_t c = h->a[m];
        place(h, pos, &c);
        pos = m;
    }
    place(h, pos, &e);
}

ob_heap_t *ob_heap_new(void)
{
    ob_heap_t *h = calloc(1, sizeof(*h));
    if (h != NULL && grow_index(h) != CM_OK) {
        free(h);
        return NULL;
    }
    return h;
}

void ob_heap_free(ob_heap_t *h)
{
    if (h == NULL)
        return;
    free(h->a);
    free(h->slots);
    free(h);
}

static int schedule(ob_heap_t *h, const char *id, int64_t due_ms, int only_earlier)
{
    size_t len = id ? strlen(id) : 0;
    if (len == 0 || len > 36)
        return CM_EINVAL;
    size_t s = slot_of(h, id);
    if (h->slots[s].pos1 != 0) {
        size_t pos = h->slots[s].pos1 - 1;
        int64_t old = h->a[pos].due_ms;
        if (only_earlier && old <= due_ms)
            return CM_OK;
        h->a[pos].due_ms = due_ms;
        if (due_ms < old)
            sift_up(h, pos);
        else
            sift_down(h, pos);
        return CM_OK;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        ob_heap_entry_t *a = realloc(h->a, cap * sizeof(*a));
        if (a == NULL)
            return CM_ENOMEM;
        h->a = a;
        h->cap = cap;
    }
    if ((h->n + 1) * 2 > h->nslots && grow_index(h) != CM_OK)
        return CM_ENOMEM;
    ob_heap_entry_t e = {.due_ms = due_ms};
    memcpy(e.id, id, len + 1);
    h->a[h->n] = e;
    slot_t *sl = &h->slots[slot_of(h, id)];
    sl->pos1 = h->n + 1;
    memcpy(sl->id, e.id, sizeof(sl->id));
    h->n++;
    sift_up(h, h->n - 1);
    return CM_OK;
}

int ob_heap_schedule(ob_heap_t *h, const char *id, int64_t due_ms)
{
    return schedule(h, id, due_ms, 0);
}

int ob_heap_schedule_earlier(ob_heap_t *h, const char *id, int64_t due_ms)
{
    return schedule(h, id, due_ms, 1);
}

static void remove_at(ob_heap_t *h, size_t pos)
{
    index_delete(h, slot_of(h, h->a[pos].id));
    h->n--;
    if (pos == h->n)
        return;
    ob_heap_entry_t last = h->a[h->n];
    int64_t old = h->a[pos].due_ms;
    place(h, pos, &last);
    if (last.due_ms < old)
        sift_up(h, pos);
    else
        sift_down(h, pos);
}

int ob_heap_remove(ob_heap_t *h, const char *id)
{
    if (id == NULL || strlen(id) > 36)
        return 0;
    size_t s = slot_of(h, id);
    if (h->slots[s].pos1 == 0)
        return 0;
    remove_at(h, h->slots[s].pos1 - 1);
    return 1;
}

const ob_heap_entry_t *ob_heap_peek(const ob_heap_t *h)
{
    return h->n ? &h->a[0] : NULL;
}

int ob_heap_pop(ob_heap_t *h, ob_heap_entry_t *out)
{
    if (h->n == 0)
        return 0;
    *out = h->a[0];
    remove_at(h, 0);
    return 1;
}

int ob_heap_find(const ob_heap_t *h, const char *id, int64_t *due_ms)
{
    if (id == NULL || strlen(id) > 36)
        return 0;
    size_t s = slot_of(h, id);
    if (h->slots[s].pos1 == 0)
        return 0;
    if (due_ms)
        *due_ms = h->a[h->slots[s].pos1 - 1].due_ms;
    return 1;
}

size_t ob_heap_size(const ob_heap_t *h)
{
    return h->n;
}
