/*
 * metrics_board.c - the shared memory board of the workers' expositions (metrics_board.h).
 */
#include "core/metrics_board.h"

#include "common/status.h"
#include "common/timer.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct slot {
    uint64_t seq;         /* odd while being written */
    int64_t published_ms; /* cm_now_ms (CLOCK_MONOTONIC: one clock for every process of the machine) */
    uint64_t len;
    char text[OB_METRICS_SLOT_BYTES];
};

struct ob_metrics_board {
    int slots;
    struct slot *s; /* the shared mapping */
    size_t bytes;
};

ob_metrics_board_t *ob_metrics_board_new(int slots)
{
    if (slots < 1)
        return NULL;
    ob_metrics_board_t *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    b->slots = slots;
    b->bytes = sizeof(struct slot) * (size_t)slots;
    b->s = mmap(NULL, b->bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b->s == MAP_FAILED) {
        free(b);
        return NULL;
    }
    return b;
}

void ob_metrics_board_free(ob_metrics_board_t *b)
{
    if (b == NULL)
        return;
    munmap(b->s, b->bytes);
    free(b);
}

int ob_metrics_board_slots(const ob_metrics_board_t *b)
{
    return b ? b->slots : 0;
}

int ob_metrics_board_publish(ob_metrics_board_t *b, int i, const char *text, size_t len)
{
    if (b == NULL || i < 0 || i >= b->slots)
        return CM_EINVAL;
    if (len > OB_METRICS_SLOT_BYTES)
        return CM_ETOOBIG;
    struct slot *s = &b->s[i];
    /* odd from here on: |1 also repairs a count left odd by a predecessor that died while writing */
    uint64_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED) | 1;
    __atomic_store_n(&s->seq, seq, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    memcpy(s->text, text, len);
    s->len = len;
    s->published_ms = cm_now_ms();
    __atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELEASE);
    return CM_OK;
}

int ob_metrics_board_read(ob_metrics_board_t *b, int i, char **text, int64_t *age_ms)
{
    if (b == NULL || i < 0 || i >= b->slots)
        return CM_EINVAL;
    struct slot *s = &b->s[i];
    char *copy = malloc(OB_METRICS_SLOT_BYTES + 1);
    if (copy == NULL)
        return CM_ENOMEM;
    for (int tries = 0; tries < 8; tries++) {
        uint64_t before = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
        if (before == 0) {
            free(copy);
            return CM_ENOTFOUND;
        }
        if (before & 1)
            continue; /* being written */
        uint64_t len = s->len;
        int64_t at = s->published_ms;
        if (len > OB_METRICS_SLOT_BYTES)
            continue;
        memcpy(copy, s->text, len);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != before)
            continue;
        copy[len] = '\0';
        *text = copy;
        *age_ms = cm_now_ms() - at;
        return CM_OK;
    }
    free(copy);
    return CM_EUNAVAIL;
}
