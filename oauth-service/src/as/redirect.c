/*
 * redirect.c - redirect URI matching (redirect.h).
 */
#include "as/redirect.h"

#include <string.h>

/* For a loopback http URI: the host part ("127.0.0.1", "[::1]", "localhost") and what follows the port (path, query).
 * 1 when uri is one, else 0. */
static int split_loopback(const char *uri, size_t *host_len, const char **rest)
{
    static const char *const hosts[] = {"127.0.0.1", "[::1]", "localhost"};
    if (strncmp(uri, "http://", 7) != 0)
        return 0;
    const char *h = uri + 7;
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        size_t n = strlen(hosts[i]);
        if (strncmp(h, hosts[i], n) != 0)
            continue;
        const char *p = h + n;
        if (*p == ':') {
            size_t digits = strspn(p + 1, "0123456789");
            if (digits == 0 || digits > 5)
                return 0;
            p += 1 + digits;
        }
        if (*p != '\0' && *p != '/' && *p != '?')
            return 0; /* "localhost.example.com" is no loopback host */
        *host_len = n;
        *rest = p;
        return 1;
    }
    return 0;
}

int ob_as_redirect_is_loopback(const char *uri)
{
    size_t n;
    const char *rest;
    return uri != NULL && split_loopback(uri, &n, &rest);
}

int ob_as_redirect_match(const char *registered, const char *requested)
{
    if (registered == NULL || requested == NULL)
        return 0;
    if (strcmp(registered, requested) == 0)
        return 1;
    size_t rn, qn;
    const char *rrest, *qrest;
    if (!split_loopback(registered, &rn, &rrest) || !split_loopback(requested, &qn, &qrest))
        return 0;
    return rn == qn && strncmp(registered + 7, requested + 7, rn) == 0 && strcmp(rrest, qrest) == 0;
}

int ob_as_redirect_allowed(const json_t *registered, const char *requested)
{
    size_t i;
    const json_t *v;
    json_array_foreach(registered, i, v)
    {
        if (ob_as_redirect_match(json_string_value(v), requested))
            return 1;
    }
    return 0;
}
