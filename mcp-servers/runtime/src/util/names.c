/*
 * names.c - identifier-like names (see util/names.h).
 */
#include "util/names.h"

#include <string.h>

int mcp__name_valid(const char *s, size_t max_len, const char *punct)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max_len)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(punct, c) != NULL))
            return 0;
    }
    return 1;
}
