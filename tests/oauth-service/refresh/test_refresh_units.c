/*
 * test_refresh_units.c - the refresh schedule heap, backoff with jitter, and the refresh operation's transition
 * table.
 */
#include "cu.h"

#include "core/backoff.h"
#include "refresh/heap.h"
#include "refresh/refresh_op.h"

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

/* The transitions a refresh operation may make (docs/oauth-flows.md, "Refresh state machine"): the spec the
 * table of refresh_op.c must match, pair by pair. */
static const struct {
    int from;
    int to[5];
    int n;
} rop_spec[] = {
    {OB_ROP_QUEUED, {OB_ROP_LOCKING}, 1},
    {OB_ROP_LOCKING, {OB_ROP_LOCK_WAIT, OB_ROP_READING, OB_ROP_DONE}, 3},
    {OB_ROP_LOCK_WAIT, {OB_ROP_LOCKING, OB_ROP_DONE}, 2},
    {OB_ROP_READING, {OB_ROP_MARKING, OB_ROP_DONE}, 2},
    {OB_ROP_MARKING, {OB_ROP_REREADING, OB_ROP_DONE}, 2},
    {OB_ROP_REREADING, {OB_ROP_CALLING, OB_ROP_DONE}, 2},
    {OB_ROP_CALLING, {OB_ROP_STORING, OB_ROP_RECORDING, OB_ROP_RECORDING_UNKNOWN}, 3},
    {OB_ROP_STORING, {OB_ROP_COMMITTING, OB_ROP_RECONCILING, OB_ROP_STORE_BACKOFF, OB_ROP_DONE}, 4},
    {OB_ROP_RECONCILING, {OB_ROP_COMMITTING, OB_ROP_STORING, OB_ROP_STORE_BACKOFF, OB_ROP_DONE}, 4},
    {OB_ROP_RECORDING, {OB_ROP_COMMITTING, OB_ROP_DONE}, 2},
    {OB_ROP_RECORDING_UNKNOWN, {OB_ROP_COMMITTING, OB_ROP_DONE}, 2},
    {OB_ROP_COMMITTING, {OB_ROP_STORE_BACKOFF, OB_ROP_DONE}, 2},
    {OB_ROP_STORE_BACKOFF, {OB_ROP_RELOCKING, OB_ROP_DONE}, 2},
    {OB_ROP_RELOCKING, {OB_ROP_RELOCK_WAIT, OB_ROP_RECONCILING, OB_ROP_STORE_BACKOFF}, 3},
    {OB_ROP_RELOCK_WAIT, {OB_ROP_RELOCKING, OB_ROP_STORE_BACKOFF}, 2},
    {OB_ROP_DONE, {0}, 0},
};

static int spec_allows(int from, int to)
{
    for (size_t i = 0; i < sizeof(rop_spec) / sizeof(rop_spec[0]); i++)
        if (rop_spec[i].from == from)
            for (int j = 0; j < rop_spec[i].n; j++)
                if (rop_spec[i].to[j] == to)
                    return 1;
    return 0;
}

/* every state's allowed transitions, and nothing else */
static void test_rop_table(void)
{
    CU_ASSERT_EQUAL(sizeof(rop_spec) / sizeof(rop_spec[0]), OB_ROP_STATE_COUNT);
    int mismatches = 0;
    for (int from = 0; from < OB_ROP_STATE_COUNT; from++) {
        CU_ASSERT_STRING_NOT_EQUAL(ob_rop_state_name(from), "?");
        for (int to = 0; to < OB_ROP_STATE_COUNT; to++) {
            if (ob_rop_transition_allowed(from, to) != spec_allows(from, to)) {
                fprintf(stderr, "transition %s -> %s: table %d, spec %d\n", ob_rop_state_name(from),
                        ob_rop_state_name(to), ob_rop_transition_allowed(from, to), spec_allows(from, to));
                mismatches++;
            }
        }
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    /* out of range on either side is never allowed */
    CU_ASSERT_FALSE(ob_rop_transition_allowed(-1, OB_ROP_LOCKING));
    CU_ASSERT_FALSE(ob_rop_transition_allowed(OB_ROP_QUEUED, OB_ROP_STATE_COUNT));
    CU_ASSERT_STRING_EQUAL(ob_rop_state_name(OB_ROP_STATE_COUNT), "?");
}

/* a forbidden transition is refused and leaves the state as it was; an allowed one moves it */
static void test_rop_refused(void)
{
    int s = OB_ROP_QUEUED;
    CU_ASSERT_EQUAL(ob_rop_transition(&s, OB_ROP_CALLING), CM_EINVAL); /* no provider call without the lock */
    CU_ASSERT_EQUAL(s, OB_ROP_QUEUED);
    CU_ASSERT_EQUAL(ob_rop_transition(&s, OB_ROP_LOCKING), CM_OK);
    CU_ASSERT_EQUAL(s, OB_ROP_LOCKING);
    CU_ASSERT_EQUAL(ob_rop_transition(&s, OB_ROP_CALLING), CM_EINVAL); /* nor before the intent marker */
    CU_ASSERT_EQUAL(s, OB_ROP_LOCKING);
    s = OB_ROP_CALLING;
    CU_ASSERT_EQUAL(ob_rop_transition(&s, OB_ROP_DONE), CM_EINVAL); /* a spent token's outcome is recorded first */
    CU_ASSERT_EQUAL(s, OB_ROP_CALLING);
    s = OB_ROP_DONE;
    for (int to = 0; to < OB_ROP_STATE_COUNT; to++) {
        CU_ASSERT_EQUAL(ob_rop_transition(&s, to), CM_EINVAL);
        CU_ASSERT_EQUAL(s, OB_ROP_DONE);
    }
}

/* every state is reachable from QUEUED, and DONE from every state (no operation can get stuck) */
static void test_rop_reachable(void)
{
    for (int target = 0; target < OB_ROP_STATE_COUNT; target++) {
        for (int start = 0; start < OB_ROP_STATE_COUNT; start++) {
            int from_queued = start == OB_ROP_QUEUED, to_done = target == OB_ROP_DONE;
            if (!from_queued && !to_done)
                continue;
            int seen[OB_ROP_STATE_COUNT] = {0}, stack[OB_ROP_STATE_COUNT], n = 0;
            stack[n++] = start;
            seen[start] = 1;
            while (n > 0) {
                int s = stack[--n];
                for (int to = 0; to < OB_ROP_STATE_COUNT; to++)
                    if (!seen[to] && ob_rop_transition_allowed(s, to)) {
                        seen[to] = 1;
                        stack[n++] = to;
                    }
            }
            if (!seen[target])
                fprintf(stderr, "%s does not reach %s\n", ob_rop_state_name(start), ob_rop_state_name(target));
            CU_ASSERT(seen[target]);
        }
    }
}

void tests_register(void)
{
    CU_SUITE("refresh heap", NULL, NULL, {"order", test_heap_order}, {"reschedule and remove", test_heap_reschedule},
             {"churn", test_heap_churn}, {"model check of random operations", test_heap_model});
    CU_SUITE("backoff", NULL, NULL, {"exponential with equal jitter", test_backoff});
    CU_SUITE("refresh operation state machine", NULL, NULL, {"transition table", test_rop_table},
             {"forbidden transition refused", test_rop_refused}, {"reachability", test_rop_reachable});
}
