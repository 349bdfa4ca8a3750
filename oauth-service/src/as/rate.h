/*
 * rate.h - a fixed-window counter per client address (registrations per minute): pure, bounded memory.
 *
 * At most `slots` addresses are tracked; when full, the entry of the oldest window is reused (an address then
 * starts over, which errs on the side of letting a registration through rather than refusing everyone).
 * Ownership: the caller's (ob_as_rate_free). Loop-thread only.
 */
#ifndef OB_AS_RATE_H
#define OB_AS_RATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ob_as_rate ob_as_rate_t;

/* limit events per window_ms per address; NULL on allocation failure. */
ob_as_rate_t *ob_as_rate_new(size_t slots, int limit, int64_t window_ms);
void ob_as_rate_free(ob_as_rate_t *r);
/* Counts one event of addr at now_ms. 0 = allowed; else the refusal and *retry_after_s (>= 1) until the window
 * ends. limit 0 refuses nothing. */
int ob_as_rate_hit(ob_as_rate_t *r, const char *addr, int64_t now_ms, int64_t *retry_after_s);

#endif
