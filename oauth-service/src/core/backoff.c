/*
 * backoff.c - exponential backoff with equal jitter (see backoff.h).
 */
#include "core/backoff.h"

#include "common/crypto.h"
#include "common/status.h"

int64_t ob_backoff_delay_ms(const ob_backoff_t *b, int n, double u, long retry_after_s)
{
    int64_t base = b->base_ms > 0 ? b->base_ms : 1;
    int64_t max = b->max_ms >= base ? b->max_ms : base;
    int64_t cap = base;
    if (n < 1)
        n = 1;
    for (int i = 1; i < n && cap < max; i++)
        cap = cap > max / 2 ? max : cap * 2;
    if (cap > max)
        cap = max;
    if (u < 0 || u >= 1)
        u = 0.5;
    int64_t d = cap / 2 + (int64_t)((double)(cap - cap / 2) * u);
    if (retry_after_s > 0) {
        int64_t ra = retry_after_s > max / 1000 ? max : (int64_t)retry_after_s * 1000;
        if (ra > d)
            d = ra;
    }
    if (d < 1)
        d = 1;
    return d > max ? max : d;
}

double ob_backoff_draw(void)
{
    uint32_t r;
    if (cm_random_bytes(&r, sizeof(r)) != CM_OK)
        return 0.5;
    return (double)r / 4294967296.0;
}
