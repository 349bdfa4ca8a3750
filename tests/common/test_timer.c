/*
 * test_timer.c - cm_timer on a real h2o evloop: deadline ordering (ties in start order), restart,
 * stop, free inside callbacks (own and others'), 0 ms restarts that must not spin, accuracy.
 * Every loop is bounded in time.
 */
#include "cu.h"

#include "common/status.h"
#include "common/timer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static h2o_evloop_t *loop;

static int setup(void)
{
    loop = h2o_evloop_create();
    return loop == NULL;
}

static int teardown(void)
{
    h2o_evloop_run(loop, 0); /* let socket closes complete */
    h2o_evloop_destroy(loop);
    return 0;
}

/* Runs the loop until *flag becomes non-zero or max_ms elapse. Returns the flag. */
static int run_until(const int *flag, int64_t max_ms)
{
    int64_t end = cm_now_ms() + max_ms;
    while (!*flag && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    return *flag;
}

static void run_for(int64_t ms)
{
    int never = 0;
    run_until(&never, ms);
}

/* ---- ordering ---- */

struct rec {
    int order[2048];
    int n;
    int64_t at[2048];
};

struct tag {
    struct rec *rec;
    int id;
    cm_timer_t *t;
};

static void on_record(void *arg)
{
    struct tag *g = arg;
    g->rec->at[g->rec->n] = cm_now_ms();
    g->rec->order[g->rec->n++] = g->id;
}

static void test_ordering(void)
{
    static struct rec rec;
    memset(&rec, 0, sizeof(rec));
    long delays[] = {30, 10, 20, 10, 0, 25};
    int expect[] = {4, 1, 3, 2, 5, 0}; /* 0 ms, the two 10 ms in start order, 20, 25, 30 */
    /* each start reads the clock: the gaps (5 ms) must exceed the time the six starts take, which memcheck stretches */
    long scale = (long)cu_wait_ms(1);
    struct tag tags[6];
    for (int i = 0; i < 6; i++) {
        tags[i] = (struct tag){&rec, i, cm_timer_new(loop, on_record, &tags[i])};
        CU_ASSERT_PTR_NOT_NULL_FATAL(tags[i].t);
        CU_ASSERT_EQUAL(cm_timer_start(tags[i].t, delays[i] * scale), CM_OK);
        CU_ASSERT_TRUE(cm_timer_armed(tags[i].t));
    }
    int64_t end = cm_now_ms() + cu_wait_ms(2000);
    while (rec.n < 6 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    CU_ASSERT_EQUAL(rec.n, 6);
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(rec.order[i], expect[i]);
        CU_ASSERT_FALSE(cm_timer_armed(tags[i].t));
    }
    for (int i = 0; i < 6; i++)
        cm_timer_free(tags[i].t);
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * 1000 timers with pseudo-random delays fire exactly once each, in deadline order. A deadline is only
 * known to lie in [clock before start + delay, clock after start + delay]; the order is wrong only
 * when a timer fired after one whose whole interval lies before its own.
 */
static void test_many_sorted(void)
{
    static struct rec rec;
    static struct tag tags[1000];
    static int64_t lo[1000], hi[1000];
    memset(&rec, 0, sizeof(rec));
    unsigned seed = 12345;
    for (int i = 0; i < 1000; i++) {
        seed = seed * 1103515245u + 12345u;
        long delay = (long)((seed >> 16) % 120);
        tags[i] = (struct tag){&rec, i, cm_timer_new(loop, on_record, &tags[i])};
        CU_ASSERT_PTR_NOT_NULL_FATAL(tags[i].t);
        lo[i] = mono_ns() + delay * 1000000;
        cm_timer_start(tags[i].t, delay);
        hi[i] = mono_ns() + delay * 1000000;
    }
    int64_t end = cm_now_ms() + 3000;
    while (rec.n < 1000 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    CU_ASSERT_EQUAL(rec.n, 1000);
    int sorted = 1;
    int64_t max_lo = 0;
    for (int i = 0; i < rec.n; i++) {
        int id = rec.order[i];
        if (max_lo > hi[id])
            sorted = 0;
        if (lo[id] > max_lo)
            max_lo = lo[id];
    }
    CU_ASSERT_TRUE(sorted);
    for (int i = 0; i < 1000; i++)
        cm_timer_free(tags[i].t);
}

/* ---- restart / stop ---- */

static void test_restart(void)
{
    static struct rec rec;
    memset(&rec, 0, sizeof(rec));
    struct tag a = {&rec, 1, NULL}, b = {&rec, 2, NULL};
    a.t = cm_timer_new(loop, on_record, &a);
    b.t = cm_timer_new(loop, on_record, &b);
    int64_t t0 = cm_now_ms();
    cm_timer_start(a.t, 300); /* restarted earlier */
    cm_timer_start(b.t, 10);  /* restarted later */
    CU_ASSERT_EQUAL(cm_timer_start(a.t, 20), CM_OK);
    CU_ASSERT_EQUAL(cm_timer_start(b.t, 80), CM_OK);
    int64_t end = cm_now_ms() + 1000;
    while (rec.n < 2 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    run_for(50); /* nothing else may fire */
    CU_ASSERT_EQUAL(rec.n, 2);
    CU_ASSERT_EQUAL(rec.order[0], 1);
    CU_ASSERT_EQUAL(rec.order[1], 2);
    CU_ASSERT_TRUE(rec.at[0] - t0 >= 20);
    CU_ASSERT_TRUE(rec.at[1] - t0 >= 80);
    /* a fired timer can be started again */
    CU_ASSERT_EQUAL(cm_timer_start(a.t, 5), CM_OK);
    end = cm_now_ms() + 1000;
    while (rec.n < 3 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    CU_ASSERT_EQUAL(rec.n, 3);
    CU_ASSERT_EQUAL(cm_timer_start(a.t, -1), CM_EINVAL);
    cm_timer_free(a.t);
    cm_timer_free(b.t);
}

static void test_stop(void)
{
    static struct rec rec;
    memset(&rec, 0, sizeof(rec));
    struct tag a = {&rec, 1, NULL}, b = {&rec, 2, NULL};
    a.t = cm_timer_new(loop, on_record, &a);
    b.t = cm_timer_new(loop, on_record, &b);
    cm_timer_start(a.t, 5);
    cm_timer_start(b.t, 30);
    cm_timer_stop(a.t);
    CU_ASSERT_FALSE(cm_timer_armed(a.t));
    cm_timer_stop(a.t); /* idempotent */
    run_for(80);
    CU_ASSERT_EQUAL(rec.n, 1);
    CU_ASSERT_EQUAL(rec.order[0], 2);
    cm_timer_free(a.t);
    cm_timer_free(b.t);
    cm_timer_free(NULL);
}

/* ---- free inside callbacks ---- */

struct selfish {
    cm_timer_t *self;
    cm_timer_t *victim; /* freed by our callback, although due at the same time */
    int fired;
    int victim_fired;
};

static void on_victim(void *arg)
{
    struct selfish *s = arg;
    s->victim_fired++;
}

static void on_free_self(void *arg)
{
    struct selfish *s = arg;
    s->fired++;
    cm_timer_free(s->victim);
    s->victim = NULL;
    cm_timer_free(s->self); /* the last timer of this loop: the scheduler goes too */
    s->self = NULL;
}

static void test_free_in_callback(void)
{
    struct selfish s = {0};
    s.self = cm_timer_new(loop, on_free_self, &s);
    s.victim = cm_timer_new(loop, on_victim, &s);
    cm_timer_start(s.self, 10);
    cm_timer_start(s.victim, 10); /* same deadline, started later: would fire right after */
    run_until(&s.fired, 1000);
    run_for(30);
    CU_ASSERT_EQUAL(s.fired, 1);
    CU_ASSERT_EQUAL(s.victim_fired, 0);
    CU_ASSERT_PTR_NULL(s.self);

    /* the loop still works with a fresh scheduler */
    static struct rec rec;
    memset(&rec, 0, sizeof(rec));
    struct tag a = {&rec, 7, NULL};
    a.t = cm_timer_new(loop, on_record, &a);
    cm_timer_start(a.t, 1);
    int64_t end = cm_now_ms() + 1000;
    while (rec.n < 1 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    CU_ASSERT_EQUAL(rec.n, 1);
    cm_timer_free(a.t);
}

/* ---- 0 ms restart from a callback fires once per loop iteration, never spins ---- */

struct again {
    cm_timer_t *t;
    int count;
};

static void on_again(void *arg)
{
    struct again *g = arg;
    g->count++;
    cm_timer_start(g->t, 0);
}

static void test_zero_restart_no_spin(void)
{
    struct again g = {0};
    g.t = cm_timer_new(loop, on_again, &g);
    cm_timer_start(g.t, 0);
    int prev = 0, max_step = 0;
    for (int i = 0; i < 20; i++) {
        h2o_evloop_run(loop, 50);
        if (g.count - prev > max_step)
            max_step = g.count - prev;
        prev = g.count;
    }
    CU_ASSERT_TRUE(g.count >= 5);
    CU_ASSERT_EQUAL(max_step, 1);
    cm_timer_free(g.t);
}

/* ---- accuracy ---- */

static void on_flag(void *arg)
{
    *(int *)arg = 1;
}

static void test_accuracy(void)
{
    int fired = 0;
    cm_timer_t *t = cm_timer_new(loop, on_flag, &fired);
    int64_t t0 = cm_now_ms();
    cm_timer_start(t, 50);
    run_until(&fired, 2000);
    int64_t elapsed = cm_now_ms() - t0;
    CU_ASSERT_TRUE(fired);
    CU_ASSERT_TRUE(elapsed >= 50);
    CU_ASSERT_TRUE(elapsed < 250);
    cm_timer_free(t);
    CU_ASSERT_PTR_NULL(cm_timer_new(loop, NULL, NULL));
}

void tests_register(void)
{
    CU_SUITE("timer", setup, teardown, {"ordering", test_ordering}, {"many_sorted", test_many_sorted},
             {"restart", test_restart}, {"stop", test_stop}, {"free_in_callback", test_free_in_callback},
             {"zero_restart_no_spin", test_zero_restart_no_spin}, {"accuracy", test_accuracy});
}
