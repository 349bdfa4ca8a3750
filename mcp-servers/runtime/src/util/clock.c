/*
 * clock.c - the runtime's clocks (see util/clock.h).
 */
#include "util/clock.h"
#include "common/timer.h"

#include <time.h>

int64_t mcp__now_ms(void)
{
    return cm_now_ms();
}

int64_t mcp__unix_now(void)
{
    return (int64_t)time(NULL);
}
