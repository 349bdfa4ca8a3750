/*
 * timer.c - one-shot variable timers on the h2o evloop.
 *
 * All timers of one loop share a single timerfd (CLOCK_MONOTONIC, absolute deadlines) wrapped as an
 * h2o socket, plus a binary min-heap ordered by (deadline, start sequence). So timers fire in
 * deadline order (ties in start order) whatever the epoll order, and a loop with thousands of armed
 * timers still costs one fd. The per-loop scheduler lives in a thread-local list (timers are
 * loop-thread only) and is freed with its last timer.
 *
 * The timerfd is reprogrammed only when a new earliest deadline appears; stopping a timer never
 * touches it, which at worst costs one spurious wake-up that finds nothing due.
 */
#include "common/timer.h"
#include "common/log.h"
#include "common/status.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define NOT_ARMED SIZE_MAX

struct sched {
    h2o_evloop_t *loop;
    h2o_socket_t *sock; /* wraps the timerfd; h2o owns and closes the fd */
    int fd;
    cm_timer_t **heap;
    size_t n, cap;
    size_t refs;        /* live cm_timer_t objects using this scheduler */
    int64_t programmed; /* absolute ns the timerfd is set to, 0 = disarmed */
    uint64_t next_seq;
    int dispatching;
    struct sched *next;
};

struct cm_timer {
    struct sched *s;
    cm_timer_cb cb;
    void *arg;
    int64_t deadline; /* CLOCK_MONOTONIC ns */
    uint64_t seq;
    size_t idx; /* heap index or NOT_ARMED */
    int in_cb;
    int freed;
};

static __thread struct sched *scheds;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t cm_now_ms(void)
{
    return now_ns() / 1000000;
}

/* ---------------------------------------------------------------- heap */

static int before(const cm_timer_t *a, const cm_timer_t *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_set(struct sched *s, size_t i, cm_timer_t *t)
{
    s->heap[i] = t;
    t->idx = i;
}

static void sift_up(struct sched *s, size_t i)
{
    cm_timer_t *t = s->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(t, s->heap[parent]))
            break;
        heap_set(s, i, s->heap[parent]);
        i = parent;
    }
    heap_set(s, i, t);
}

static void sift_down(struct sched *s, size_t i)
{
    cm_timer_t *t = s->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= s->n)
            break;
        if (child + 1 < s->n && before(s->heap[child + 1], s->heap[child]))
            child++;
        if (!before(s->heap[child], t))
            break;
        heap_set(s, i, s->heap[child]);
        i = child;
    }
    heap_set(s, i, t);
}

static void heap_remove(struct sched *s, cm_timer_t *t)
{
    size_t i = t->idx;
    t->idx = NOT_ARMED;
    cm_timer_t *last = s->heap[--s->n];
    if (i == s->n)
        return;
    heap_set(s, i, last);
    if (i > 0 && before(last, s->heap[(i - 1) / 2]))
        sift_up(s, i);
    else
        sift_down(s, i);
}

/* ---------------------------------------------------------------- timerfd */

static void program(struct sched *s, int64_t deadline)
{
    struct itimerspec its;
    memset(&its, 0, sizeof(its));
    if (deadline > 0) {
        its.it_value.tv_sec = deadline / 1000000000;
        its.it_value.tv_nsec = deadline % 1000000000;
    }
    if (timerfd_settime(s->fd, TFD_TIMER_ABSTIME, &its, NULL) != 0) {
        cm_error("timer", "timerfd_settime failed: %s", strerror(errno));
        return;
    }
    s->programmed = deadline;
}

static void sched_destroy(struct sched *s)
{
    for (struct sched **p = &scheds; *p != NULL; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    h2o_socket_close(s->sock); /* closes the timerfd */
    free(s->heap);
    free(s);
}

static void on_timerfd(h2o_socket_t *sock, const char *err)
{
    struct sched *s = sock->data;
    uint64_t expirations;
    /* EAGAIN when the timer was reprogrammed after it became readable: the heap decides anyway */
    ssize_t r = read(s->fd, &expirations, sizeof(expirations));
    (void)r;
    s->programmed = 0;

    /* only timers started before this dispatch began may fire in it: a 0 ms restart from a callback
     * waits for the next loop iteration instead of spinning here */
    int64_t now = now_ns();
    uint64_t seq_limit = s->next_seq;
    s->dispatching = 1;
    while (s->n > 0) {
        cm_timer_t *t = s->heap[0];
        if (t->deadline > now || t->seq >= seq_limit)
            break;
        heap_remove(s, t);
        t->in_cb = 1;
        t->cb(t->arg);
        t->in_cb = 0;
        if (t->freed)
            free(t);
    }
    s->dispatching = 0;
    if (s->refs == 0) {
        sched_destroy(s);
        return;
    }
    if (s->n > 0)
        program(s, s->heap[0]->deadline);
}

static struct sched *sched_get(h2o_evloop_t *loop)
{
    for (struct sched *s = scheds; s != NULL; s = s->next)
        if (s->loop == loop)
            return s;

    struct sched *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->loop = loop;
    s->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (s->fd < 0) {
        cm_error("timer", "timerfd_create failed: %s", strerror(errno));
        free(s);
        return NULL;
    }
    s->sock = h2o_evloop_socket_create(loop, s->fd, H2O_SOCKET_FLAG_DONT_READ);
    s->sock->data = s;
    h2o_socket_read_start(s->sock, on_timerfd);
    s->next = scheds;
    scheds = s;
    return s;
}

/* ---------------------------------------------------------------- public */

cm_timer_t *cm_timer_new(h2o_evloop_t *loop, cm_timer_cb cb, void *arg)
{
    if (loop == NULL || cb == NULL)
        return NULL;
    cm_timer_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    if ((t->s = sched_get(loop)) == NULL) {
        free(t);
        return NULL;
    }
    t->s->refs++;
    t->cb = cb;
    t->arg = arg;
    t->idx = NOT_ARMED;
    return t;
}

int cm_timer_start(cm_timer_t *t, long ms)
{
    if (t == NULL || t->freed || ms < 0)
        return CM_EINVAL;
    struct sched *s = t->s;
    if (t->idx == NOT_ARMED && s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        cm_timer_t **grown = realloc(s->heap, cap * sizeof(*grown));
        if (grown == NULL)
            return CM_ENOMEM;
        s->heap = grown;
        s->cap = cap;
    }
    if (t->idx != NOT_ARMED)
        heap_remove(s, t);
    t->deadline = now_ns() + (int64_t)ms * 1000000;
    t->seq = s->next_seq++;
    heap_set(s, s->n++, t);
    sift_up(s, t->idx);
    /* the dispatcher reprograms when it finishes; otherwise only an earlier deadline needs a syscall */
    if (!s->dispatching && (s->programmed == 0 || t->deadline < s->programmed))
        program(s, t->deadline);
    return CM_OK;
}

void cm_timer_stop(cm_timer_t *t)
{
    if (t != NULL && t->idx != NOT_ARMED)
        heap_remove(t->s, t);
}

int cm_timer_armed(const cm_timer_t *t)
{
    return t != NULL && t->idx != NOT_ARMED;
}

void cm_timer_free(cm_timer_t *t)
{
    if (t == NULL || t->freed)
        return;
    struct sched *s = t->s;
    cm_timer_stop(t);
    t->freed = 1;
    s->refs--;
    if (!t->in_cb)
        free(t); /* else on_timerfd frees it once the callback returns */
    if (s->refs == 0 && !s->dispatching)
        sched_destroy(s);
}
