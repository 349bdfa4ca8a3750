/*
 * test_refresh_units.c - the refresh schedule heap and backoff with jitter.
 */
#include "cu.h"

#include "core/backoff.h"
#include "refresh/heap.h"

#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_heap_order(void)
{
    ob_heap_t *h = ob_heap_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_PTR_NULL(ob_heap_peek(h));
    ob_heap_entry_t e;
    CU_ASSERT_EQUAL(ob_heap_pop(h, &e), 0);
    /* 1000 ids with pseudo-random due times pop in non-decreasing order */
    unsigned seed = 12345;
    char id[40];
    for (int i = 0; i < 1000; i++) {
        seed = seed * 1103515245u + 12345u;
        snprintf(id, sizeof(id), "id-%d", i);
        CU_ASSERT_EQUAL(ob_heap_schedule(h, id, (int64_t)(seed % 100000)), CM_OK);
    }
    CU_ASSERT_EQUAL(ob_heap_size(h), 1000);
    int64_t last = -1;
    size_t n = 0;
    while (ob_heap_pop(h, &e)) {
        CU_ASSERT(e.due_ms >= last);
        last = e.due_ms;
        n++;
    }
    CU_ASSERT_EQUAL(n, 1000);
    CU_ASSERT_EQUAL(ob_heap_size(h), 0);
    ob_heap_free(h);
}

static void test_heap_reschedule(void)
{
    ob_heap_t *h = ob_heap_new();
    int64_t due = 0;
    CU_ASSERT_EQUAL(ob_heap_schedule(h, "a", 50), CM_OK);
    CU_ASSERT_EQUAL(ob_heap_schedule(h, "b", 40), CM_OK);
    CU_ASSERT_EQUAL(ob_heap_schedule(h, "c", 30), CM_OK);
    CU_ASSERT_STRING_EQUAL(ob_heap_peek(h)->id, "c");
    /* moving keeps one entry per id */
    CU_ASSERT_EQUAL(ob_heap_schedule(h, "a", 10), CM_OK);
    CU_ASSERT_EQUAL(ob_heap_size(h), 3);
    CU_ASSERT_STRING_EQUAL(ob_heap_peek(h)->id, "a");
    CU_ASSERT_EQUAL(ob_heap_schedule(h, "a", 100), CM_OK);
    CU_ASSERT_STRING_EQUAL(ob_heap_peek(h)->id, "c");
    /* schedule_earlier never postpones */
    CU_ASSERT_EQUAL(ob_heap_schedule_earlier(h, "c", 90), CM_OK);
    CU_ASSERT(ob_heap_find(h, "c", &due) && due == 30);
    CU_ASSERT_EQUAL(ob_heap_schedule_earlier(h, "b", 5), CM_OK);
    CU_ASSERT_STRING_EQUAL(ob_heap_peek(h)->id, "b");
    CU_ASSERT_EQUAL(ob_heap_remove(h, "b"), 1);
    CU_ASSERT_EQUAL(ob_heap_remove(h, "b"), 0);
    CU_ASSERT_EQUAL(ob_heap_find(h, "b", NULL), 0);
    CU_ASSERT_EQUAL(ob_heap_size(h), 2);
    ob_heap_entry_t e;
    CU_ASSERT(ob_heap_pop(h, &e) && strcmp(e.id, "c") == 0 && e.due_ms == 30);
    CU_ASSERT(ob_heap_pop(h, &e) && strcmp(e.id, "a") == 0 && e.due_ms == 100);
    CU_ASSERT_EQUAL(ob_heap_schedule(h, "", 1), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_heap_schedule(h, "0123456789012345678901234567890123456789", 1), CM_EINVAL);
    ob_heap_free(h);
}

/* removals from the middle and index growth keep the heap and its index consistent */
static void test_heap_churn(void)
{
    ob_heap_t *h = ob_heap_new();
    char id[40];
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "%08x-churn", (unsigned)i * 2654435761u);
        CU_ASSERT_EQUAL(ob_heap_schedule(h, id, (i * 7919) % 5003), CM_OK);
    }
    for (int i = 0; i < 5000; i += 2) {
        snprintf(id, sizeof(id), "%08x-churn", (unsigned)i * 2654435761u);
        CU_ASSERT_EQUAL(ob_heap_remove(h, id), 1);
    }
    CU_ASSERT_EQUAL(ob_heap_size(h), 2500);
    for (int i = 1; i < 5000; i += 2) {
        snprintf(id, sizeof(id), "%08x-churn", (unsigned)i * 2654435761u);
        int64_t due;
        CU_ASSERT(ob_heap_find(h, id, &due) && due == (i * 7919) % 5003);
    }
    ob_heap_entry_t e;
    int64_t last = -1;
    while (ob_heap_pop(h, &e)) {
        CU_ASSERT(e.due_ms >= last);
        last = e.due_ms;
    }
    ob_heap_free(h);
}

/* Model check: a long random mix of schedule / schedule_earlier / remove / pop over few ids (so entries
 * move up and down many times, as the refresher's reschedules do) agrees with a plain array at every step.
 * Before the index kept its own ids, moved entries left stale index slots that filled the table and made
 * the next lookup spin forever (seen in the refresh storm benchmark). */
#define MODEL_IDS 150
static void test_heap_model(void)
{
    ob_heap_t *h = ob_heap_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    int64_t model[MODEL_IDS]; /* due time, -1 = not scheduled */
    for (int i = 0; i < MODEL_IDS; i++)
        model[i] = -1;
    unsigned seed = 424242;
    char id[40];
    int mismatches = 0;
    for (int step = 0; step < 200000 && mismatches == 0; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        int k = (int)(r % MODEL_IDS);
        int64_t due = (int64_t)((r / MODEL_IDS) % 1000);
        snprintf(id, sizeof(id), "%08d-model-instance", k);
        switch ((r >> 20) % 6) {
        case 0:
        case 1:
            CU_ASSERT_EQUAL(ob_heap_schedule(h, id, due), CM_OK);
            model[k] = due;
            break;
        case 2:
            CU_ASSERT_EQUAL(ob_heap_schedule_earlier(h, id, due), CM_OK);
            if (model[k] < 0 || due < model[k])
                model[k] = due;
            break;
        case 3:
            if (ob_heap_remove(h, id) != (model[k] >= 0))
                mismatches++;
            model[k] = -1;
            break;
        default: {
            ob_heap_entry_t e;
            int64_t min = -1;
            for (int i = 0; i < MODEL_IDS; i++)
                if (model[i] >= 0 && (min < 0 || model[i] < min))
                    min = model[i];
            if (ob_heap_pop(h, &e) != (min >= 0)) {
                mismatches++;
                break;
            }
            if (min < 0)
                break;
            int j = (int)strtol(e.id, NULL, 10);
            if (j < 0 || j >= MODEL_IDS || e.due_ms != min || model[j] != min)
                mismatches++;
            else
                model[j] = -1;
            break;
        }
        }
        if (step % 997 == 0) {
            size_t n = 0;
            for (int i = 0; i < MODEL_IDS; i++) {
                int64_t got = -1;
                snprintf(id, sizeof(id), "%08d-model-instance", i);
                int found = ob_heap_find(h, id, &got);
                if (found != (model[i] >= 0) || (found && got != model[i]))
                    mismatches++;
                n += model[i] >= 0;
            }
            if (n != ob_heap_size(h))
                mismatches++;
        }
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    ob_heap_free(h);
}

static void test_backoff(void)
{
    ob_backoff_t b = {.base_ms = 1000, .max_ms = 60000};
    /* equal jitter: [cap/2, cap] */
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 1, 0.0, -1), 500);
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 1, 0.999999, -1), 999);
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 2, 0.0, -1), 1000);
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 3, 0.0, -1), 2000);
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 0, 0.0, -1), 500);
    /* capped */
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 30, 0.0, -1), 30000);
    CU_ASSERT(ob_backoff_delay_ms(&b, 1000, 0.99, -1) <= 60000);
    /* Retry-After wins when larger, bounded */
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 1, 0.0, 20), 20000);
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 1, 0.0, 100000), 60000);
    /* out-of-range draws are treated as 0.5 */
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&b, 1, 7.0, -1), 750);
    /* the draw is spread out and within [0,1) */
    double lo = 1, hi = 0;
    for (int i = 0; i < 2000; i++) {
        double u = ob_backoff_draw();
        CU_ASSERT(u >= 0 && u < 1);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
        int64_t d = ob_backoff_delay_ms(&b, 4, u, -1);
        CU_ASSERT(d >= 4000 && d <= 8000);
    }
    CU_ASSERT(lo < 0.05 && hi > 0.95);
    /* degenerate settings stay sane */
    ob_backoff_t z = {.base_ms = 0, .max_ms = 0};
    CU_ASSERT_EQUAL(ob_backoff_delay_ms(&z, 5, 0.5, -1), 1);
}

void tests_register(void)
{
    CU_SUITE("refresh heap", NULL, NULL, {"order", test_heap_order}, {"reschedule and remove", test_heap_reschedule},
             {"churn", test_heap_churn}, {"model check of random operations", test_heap_model});
    CU_SUITE("backoff", NULL, NULL, {"exponential with equal jitter", test_backoff});
}
