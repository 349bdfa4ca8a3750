/*
 * timer.h - one-shot variable timers on the h2o evloop (timerfd wrapped as an h2o socket).
 *
 * libh2o 2.2.5 only offers fixed-duration timeout lists; this gives arbitrary delays. Loop-thread only.
 * All timers of a loop share one timerfd; they fire in deadline order (equal deadlines in start
 * order). A timer (re)started from inside a timer callback never fires in that same dispatch, so a
 * 0 ms restart runs once per loop iteration instead of spinning. Free every timer of a loop before
 * h2o_evloop_destroy.
 */
#ifndef COMMON_TIMER_H
#define COMMON_TIMER_H

#ifndef H2O_USE_LIBUV
#define H2O_USE_LIBUV 0
#endif
#include <h2o.h>

typedef struct cm_timer cm_timer_t;
typedef void (*cm_timer_cb)(void *arg);

/* Creates a disarmed timer. NULL on failure. Caller owns it. */
cm_timer_t *cm_timer_new(h2o_evloop_t *loop, cm_timer_cb cb, void *arg);
/* (Re)arms the timer to fire once after ms milliseconds (0 = on the next loop iteration). CM_OK, or
 * CM_EINVAL (ms < 0) / CM_ENOMEM. Safe from inside any timer callback, including its own. */
int cm_timer_start(cm_timer_t *t, long ms);
/* Disarms; a no-op when not armed. */
void cm_timer_stop(cm_timer_t *t);
/* 1 while armed (0 again once its callback has started). */
int cm_timer_armed(const cm_timer_t *t);
/* Stops and frees. Safe to call from inside the timer's own callback. */
void cm_timer_free(cm_timer_t *t);

/* Monotonic milliseconds. */
int64_t cm_now_ms(void);

#endif
