/*
 * http_headers.c - header lookup, Link header parsing, URL query parameters, next-link base check
 * (see mcp/provider_http.h).
 */
#include "mcp/provider_http.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *mcp_header_get(const cm_http_header_t *headers, size_t n, const char *name)
{
    for (size_t i = 0; headers != NULL && i < n; i++)
        if (headers[i].name != NULL && strcasecmp(headers[i].name, name) == 0)
            return headers[i].value;
    return NULL;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* 1 when the space-separated list [v, v+len) holds rel (case-insensitive). */
static int rel_matches(const char *v, size_t len, const char *rel)
{
    size_t rl = strlen(rel), i = 0;
    while (i < len) {
        while (i < len && v[i] == ' ')
            i++;
        size_t start = i;
        while (i < len && v[i] != ' ')
            i++;
        if (i - start == rl && rl > 0 && strncasecmp(v + start, rel, rl) == 0)
            return 1;
    }
    return 0;
}

/* Parses the parameters of one link-value starting at p (after the '>'); sets *found when rel matches. Returns the
 * position after the link-value (at ',' or NUL), or NULL when malformed. */
static const char *parse_params(const char *p, const char *rel, int *found)
{
    for (;;) {
        p = skip_ws(p);
        if (*p == '\0' || *p == ',')
            return p;
        if (*p != ';')
            return NULL;
        p = skip_ws(p + 1);
        const char *name = p;
        while (*p != '\0' && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
            p++;
        size_t nlen = (size_t)(p - name);
        p = skip_ws(p);
        const char *val = "";
        size_t vlen = 0;
        if (*p == '=') {
            p = skip_ws(p + 1);
            if (*p == '"') {
                val = ++p;
                while (*p != '\0' && *p != '"')
                    p += (*p == '\\' && p[1] != '\0') ? 2 : 1;
                if (*p != '"')
                    return NULL;
                vlen = (size_t)(p - val);
                p++;
            } else {
                val = p;
                while (*p != '\0' && *p != ';' && *p != ',' && *p != ' ')
                    p++;
                vlen = (size_t)(p - val);
            }
        }
        if (nlen == 3 && strncasecmp(name, "rel", 3) == 0 && rel_matches(val, vlen, rel))
            *found = 1;
    }
}

char *mcp_link_find(const char *link, const char *rel)
{
    const char *p = link;
    if (p == NULL || rel == NULL)
        return NULL;
    for (;;) {
        p = skip_ws(p);
        while (*p == ',')
            p = skip_ws(p + 1);
        if (*p == '\0')
            return NULL;
        if (*p != '<')
            return NULL;
        const char *uri = p + 1, *end = strchr(uri, '>');
        if (end == NULL)
            return NULL;
        int found = 0;
        p = parse_params(end + 1, rel, &found);
        if (p == NULL)
            return NULL;
        if (found)
            return strndup(uri, (size_t)(end - uri));
    }
}

struct qfind {
    const char *name;
    char *value;
};

static int on_pair(void *arg, const char *name, const char *value)
{
    struct qfind *q = arg;
    if (strcmp(name, q->name) != 0)
        return 0;
    q->value = strdup(value);
    return 1;
}

char *mcp_url_query_get(const char *url, const char *name)
{
    const char *q = url ? strchr(url, '?') : NULL;
    if (q == NULL)
        return NULL;
    q++;
    size_t len = strcspn(q, "#");
    struct qfind f = {.name = name};
    if (cm_form_parse(q, len, on_pair, &f) != 1)
        return NULL;
    return f.value;
}

int mcp_url_under_base(const char *url, const char *base)
{
    if (url == NULL || base == NULL)
        return 0;
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    if (bl == 0 || strncmp(url, base, bl) != 0)
        return 0;
    char c = url[bl];
    if (c != '\0' && c != '/' && c != '?')
        return 0;
    if (strpbrk(url, " \r\n\t\\") != NULL)
        return 0;
    size_t pathlen = strcspn(url + bl, "?#");
    const char *path = url + bl;
    for (size_t i = 0; i < pathlen; i++) {
        if (path[i] != '/')
            continue;
        size_t seg = strcspn(path + i + 1, "/?#");
        if ((seg == 1 && path[i + 1] == '.') || (seg == 2 && path[i + 1] == '.' && path[i + 2] == '.'))
            return 0;
    }
    for (size_t i = 0; i + 2 < pathlen; i++)
        if (path[i] == '%' && path[i + 1] == '2' && (path[i + 2] == 'e' || path[i + 2] == 'E'))
            return 0; /* "%2e%2e" is a hidden ".." */
    return 1;
}
