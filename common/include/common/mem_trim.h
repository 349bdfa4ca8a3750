/*
 * mem_trim.h - gives the heap memory a burst freed back to the operating system.
 *
 * glibc keeps freed chunks in its arenas and returns only the top of the heap (above M_TRIM_THRESHOLD, which it
 * raises itself after large frees): after a storm of a thousand connections the pages of their buffers stay
 * resident although nothing uses them, and the RSS never comes down. A timer looks every interval: when the
 * arenas hold more than threshold bytes of free memory beyond what the last trim left - or the RSS grew by more
 * than threshold since then while they hold that much free memory (a later burst re-touched released pages) -
 * malloc_trim(0) releases the free pages of every arena (madvise; the addresses stay valid), so the RSS follows the
 * live set again. The check is mallinfo2 (a walk of the arenas' bins: microseconds while idle) and a read of
 * /proc/self/statm; the trim runs only after such a burst.
 * Without glibc both are no-ops. Loop-thread only.
 */
#ifndef COMMON_MEM_TRIM_H
#define COMMON_MEM_TRIM_H

#include "common/timer.h"

#include <stddef.h>

typedef struct cm_mem_trim cm_mem_trim_t;

typedef struct cm_mem_trim_stats {
    unsigned long trims;    /* malloc_trim calls */
    size_t last_free_bytes; /* free bytes in the arenas at the last check */
} cm_mem_trim_stats_t;

/* Starts the checks on loop (interval_ms 0 = 5000, threshold 0 = 1 MiB). NULL on allocation failure. Caller owns
 * it (cm_mem_trim_free, before the loop is destroyed). */
cm_mem_trim_t *cm_mem_trim_new(h2o_evloop_t *loop, long interval_ms, size_t threshold);
void cm_mem_trim_free(cm_mem_trim_t *t);
/* One check now (as the timer does): 1 when it trimmed. */
int cm_mem_trim_check(cm_mem_trim_t *t);
void cm_mem_trim_get_stats(const cm_mem_trim_t *t, cm_mem_trim_stats_t *out);
/* A check's decision, pure (the check feeds it mallinfo2 and /proc/self/statm): 1 when the arenas' free bytes grew
 * by more than threshold beyond *free_base, or the RSS (rss_now, 0 = unknown) by more than threshold beyond
 * *rss_base while the arenas hold more than threshold free. Lowers both bases to what is seen (memory reused since
 * the last trim: a later burst is measured from there). */
int cm_mem_trim_burst(size_t *free_base, size_t *rss_base, size_t free_now, size_t rss_now, size_t threshold);

#endif
