/*
 * fuzz_schema_regex.c - the ECMA-262 to POSIX ERE translation of JSON-Schema "pattern" keywords
 * (mcp-servers/runtime/src/schema_regex.c) and matching with the result.
 *
 * Input: pattern \0 subject. The pattern is translated into a small and a large buffer (the small one must
 * fail cleanly, never overrun), compiled, and run against the subject.
 */
#include "fuzz.h"

#include "schema/schema_internal.h"

#include <regex.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    char *pattern = fz_field(&in, NULL);
    char *subject = fz_field(&in, NULL);
    char small[16], large[4096];
    const char *why = NULL;
    if (mcp__regex_translate(pattern, small, sizeof(small), &why) == 0)
        FZ_CHECK(strlen(small) < sizeof(small));
    else
        FZ_CHECK(why != NULL);
    why = NULL;
    if (mcp__regex_translate(pattern, large, sizeof(large), &why) == 0)
        FZ_CHECK(strlen(large) < sizeof(large));
    else
        FZ_CHECK(why != NULL);

    regex_t re;
    char err[256];
    if (mcp__regex_compile(pattern, &re, err, sizeof(err)) == 0) {
        (void)regexec(&re, subject, 0, NULL, 0);
        regfree(&re);
    } else {
        FZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
    }
    free(pattern);
    free(subject);
    return 0;
}
