/*
 * mem_trim.c - malloc_trim after a burst (see common/mem_trim.h).
 */
#include "common/mem_trim.h"

#include "common/log.h"
#include "common/status.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

struct cm_mem_trim {
    cm_timer_t *timer;
    long interval_ms;
    size_t threshold;
    size_t baseline; /* free bytes the last trim left (or the lowest seen since): growth beyond it is a burst */
    size_t rss_base; /* resident bytes the last trim left (or the lowest seen since) */
    cm_mem_trim_stats_t st;
};

/* Free bytes held by the arenas (bins and the top chunk), 0 when it cannot be told. */
static size_t free_bytes(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return mi.fordblks;
#else
    return 0;
#endif
}

/* Resident bytes of this process (the second field of /proc/self/statm), 0 when it cannot be told. */
static size_t resident_bytes(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    unsigned long long size = 0, resident = 0;
    if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    return (size_t)resident * (size_t)(page > 0 ? page : 4096);
}

int cm_mem_trim_burst(size_t *free_base, size_t *rss_base, size_t free_now, size_t rss_now, size_t threshold)
{
    if (free_now < *free_base)
        *free_base = free_now; /* reused since: a later burst is measured from here */
    if (rss_now != 0 && rss_now < *rss_base)
        *rss_base = rss_now;
    /* A burst between two checks that reused the chunks an earlier trim released, then freed them again, leaves the
     * free bytes where they were (released chunks still count as free) but their pages resident again: the RSS,
     * grown beyond what the last trim left while the arenas hold that much free memory, tells that one. */
    return free_now > *free_base + threshold || (rss_now > *rss_base + threshold && free_now > threshold);
}

int cm_mem_trim_check(cm_mem_trim_t *t)
{
    size_t now = free_bytes(), rss = resident_bytes();
    t->st.last_free_bytes = now;
    if (!cm_mem_trim_burst(&t->baseline, &t->rss_base, now, rss, t->threshold))
        return 0;
#ifdef __GLIBC__
    int64_t t0 = cm_now_ms();
    malloc_trim(0);
    t->st.trims++;
    cm_debug("mem", "gave back the free pages of %zu bytes freed by a burst in %lld ms", now - t->baseline,
             (long long)(cm_now_ms() - t0));
#endif
    t->baseline = free_bytes();
    t->rss_base = resident_bytes();
    return 1;
}

static void on_timer(void *arg)
{
    cm_mem_trim_t *t = arg;
    cm_mem_trim_check(t);
    cm_timer_start(t->timer, t->interval_ms);
}

cm_mem_trim_t *cm_mem_trim_new(h2o_evloop_t *loop, long interval_ms, size_t threshold)
{
    cm_mem_trim_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->interval_ms = interval_ms > 0 ? interval_ms : 5000;
    t->threshold = threshold > 0 ? threshold : (size_t)1 << 20;
    t->baseline = free_bytes();
    t->rss_base = resident_bytes();
    if ((t->timer = cm_timer_new(loop, on_timer, t)) == NULL || cm_timer_start(t->timer, t->interval_ms) != CM_OK) {
        cm_mem_trim_free(t);
        return NULL;
    }
    return t;
}

void cm_mem_trim_free(cm_mem_trim_t *t)
{
    if (t == NULL)
        return;
    cm_timer_free(t->timer);
    free(t);
}

void cm_mem_trim_get_stats(const cm_mem_trim_t *t, cm_mem_trim_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (t != NULL)
        *out = t->st;
}
