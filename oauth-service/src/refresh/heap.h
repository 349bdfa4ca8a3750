/*
 * heap.h - the refresh schedule: a binary min-heap of (due time, instance id), earliest first.
 *
 * An instance appears at most once: scheduling it again moves its entry (an index keeps each id's
 * position), so the heap never grows with re-schedules. Pure data structure, no I/O; loop thread only.
 */
#ifndef OB_REFRESH_HEAP_H
#define OB_REFRESH_HEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ob_heap_entry {
    int64_t due_ms; /* when the instance should be looked at (any clock, the caller's choice) */
    char id[37];    /* instance UUID */
} ob_heap_entry_t;

typedef struct ob_heap ob_heap_t;

/* Creates an empty heap. NULL on allocation failure. Caller owns it (ob_heap_free). */
ob_heap_t *ob_heap_new(void);
void ob_heap_free(ob_heap_t *h);

/* Schedules id at due_ms, or moves its existing entry there (earlier or later). CM_OK, CM_EINVAL (id is not
 * 1..36 chars) or CM_ENOMEM. */
int ob_heap_schedule(ob_heap_t *h, const char *id, int64_t due_ms);
/* Schedules id at due_ms only when that is earlier than its current entry (or it has none). Same codes. */
int ob_heap_schedule_earlier(ob_heap_t *h, const char *id, int64_t due_ms);
/* Removes id's entry. 1 when there was one, else 0. */
int ob_heap_remove(ob_heap_t *h, const char *id);
/* The earliest entry (borrowed until the next change), or NULL when empty. */
const ob_heap_entry_t *ob_heap_peek(const ob_heap_t *h);
/* Removes the earliest entry into *out. 1 when there was one, else 0. */
int ob_heap_pop(ob_heap_t *h, ob_heap_entry_t *out);
/* Due time of id's entry into *due_ms: 1 when scheduled, else 0. */
int ob_heap_find(const ob_heap_t *h, const char *id, int64_t *due_ms);
size_t ob_heap_size(const ob_heap_t *h);

#endif
