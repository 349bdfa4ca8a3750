/*
 * rate.c - fixed-window counters per address (rate.h).
 */
#include "as/rate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char addr[48];
    int64_t window_start;
    int count;
} slot_t;

struct ob_as_rate {
    slot_t *slots;
    size_t n;
    int limit;
    int64_t window_ms;
};

ob_as_rate_t *ob_as_rate_new(size_t slots, int limit, int64_t window_ms)
{
    ob_as_rate_t *r = calloc(1, sizeof(*r));
    if (r == NULL || slots == 0 || window_ms <= 0 || (r->slots = calloc(slots, sizeof(slot_t))) == NULL) {
        free(r);
        return NULL;
    }
    r->n = slots;
    r->limit = limit;
    r->window_ms = window_ms;
    return r;
}

void ob_as_rate_free(ob_as_rate_t *r)
{
    if (r == NULL)
        return;
    free(r->slots);
    free(r);
}

int ob_as_rate_hit(ob_as_rate_t *r, const char *addr, int64_t now_ms, int64_t *retry_after_s)
{
    if (r == NULL || r->limit <= 0)
        return 0;
    slot_t *s = NULL, *victim = &r->slots[0];
    for (size_t i = 0; i < r->n; i++) {
        slot_t *t = &r->slots[i];
        if (t->addr[0] != '\0' && strcmp(t->addr, addr) == 0) {
            s = t;
            break;
        }
        /* free slots (window 0) first, then the oldest window */
        if (t->window_start < victim->window_start)
            victim = t;
    }
    if (s == NULL) {
        s = victim;
        snprintf(s->addr, sizeof(s->addr), "%s", addr);
        s->window_start = now_ms;
        s->count = 0;
    }
    if (now_ms - s->window_start >= r->window_ms) {
        s->window_start = now_ms;
        s->count = 0;
    }
    if (s->count >= r->limit) {
        int64_t left = s->window_start + r->window_ms - now_ms;
        *retry_after_s = left <= 1000 ? 1 : (left + 999) / 1000;
        return 1;
    }
    s->count++;
    return 0;
}
