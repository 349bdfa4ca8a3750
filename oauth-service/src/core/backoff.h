/*
 * backoff.h - exponential backoff with jitter, for refresh failures and push retries.
 *
 * delay(n) for the n-th consecutive failure (n >= 1): cap = min(max_ms, base_ms * 2^(n-1)), and the delay
 * is drawn uniformly from [cap/2, cap] ("equal jitter": never shorter than half the step, so a retry
 * storm spreads out but still backs off). A provider's Retry-After, when larger, wins (bounded by max_ms).
 * Pure functions; the random draw is a parameter so tests are deterministic.
 */
#ifndef OB_CORE_BACKOFF_H
#define OB_CORE_BACKOFF_H

#include <stdint.h>

typedef struct ob_backoff {
    int64_t base_ms; /* first step, > 0 */
    int64_t max_ms;  /* ceiling, >= base_ms */
} ob_backoff_t;

/* The delay for failure number n (n < 1 counts as 1) given u in [0, 1) (jitter draw) and the provider's
 * Retry-After in seconds (-1 = none). Always within [1, max_ms]. */
int64_t ob_backoff_delay_ms(const ob_backoff_t *b, int n, double u, long retry_after_s);
/* A uniform draw in [0, 1) from the CSPRNG (0.5 if it fails). */
double ob_backoff_draw(void);

#endif
