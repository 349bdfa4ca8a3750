/* clock.h (private) - the two clocks of the runtime: monotonic milliseconds for deadlines and cache ages, and unix
 * seconds for expiries the broker states. */
#ifndef MCP_UTIL_CLOCK_H
#define MCP_UTIL_CLOCK_H

#include <stdint.h>

/* Monotonic milliseconds (cm_now_ms). */
int64_t mcp__now_ms(void);
/* Unix time, seconds. */
int64_t mcp__unix_now(void);

#endif
