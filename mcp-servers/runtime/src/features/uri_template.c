/*
 * uri_template.c - RFC 6570 level-1 URI templates: parsing and matching a URI against one (see mcp/features.h).
 *
 * Level 1 is simple string expansion: {var} expands to the value with every character outside "unreserved"
 * (ALPHA DIGIT - . _ ~) percent-encoded. Matching inverts that: a variable takes one or more unreserved characters
 * or %XX triplets, ending at the leftmost place where the rest of the template's literal text follows (no
 * backtracking: linear in the URI length). Values are percent-decoded; a value decoding to NUL or to invalid UTF-8
 * makes the URI not match.
 */
#include "common/status.h"
#include "common/url.h"
#include "features/features_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 16

static int is_unreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_varchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Literal template characters: printable ASCII except space, braces and the characters RFC 6570 excludes. */
static int is_literal(char c)
{
    return c > 0x20 && c < 0x7f && c != '{' && c != '}' && c != '"' && c != '\'' && c != '<' && c != '>' && c != '\\' &&
           c != '^' && c != '`' && c != '|';
}

int mcp_uri_template_parse(const char *tmpl, json_t **names, char *err, size_t errsz)
{
    json_t *list = json_array();
    size_t nvars = 0, len = tmpl ? strlen(tmpl) : 0;
    int prev_var = 0;
    if (list == NULL) {
        snprintf(err, errsz, "out of memory");
        return CM_ENOMEM;
    }
    if (len == 0 || len > MCP_URI_MAX) {
        snprintf(err, errsz, "URI template must have 1..%d characters", MCP_URI_MAX);
        goto out_invalid;
    }
    for (size_t i = 0; i < len;) {
        if (tmpl[i] != '{') {
            if (!is_literal(tmpl[i])) {
                snprintf(err, errsz, "URI template: character %zu is not allowed", i);
                goto out_invalid;
            }
            prev_var = 0;
            i++;
            continue;
        }
        size_t start = ++i;
        while (i < len && is_varchar(tmpl[i]))
            i++;
        if (i >= len || tmpl[i] != '}' || i == start) {
            snprintf(err, errsz, "URI template: only level-1 {name} expressions (name = [A-Za-z0-9_]+) are supported");
            goto out_invalid;
        }
        if (prev_var) {
            snprintf(err, errsz, "URI template: adjacent variables cannot be matched");
            goto out_invalid;
        }
        if (++nvars > MAX_VARS) {
            snprintf(err, errsz, "URI template: more than %d variables", MAX_VARS);
            goto out_invalid;
        }
        for (size_t k = 0; k < json_array_size(list); k++) {
            const char *seen = json_string_value(json_array_get(list, k));
            if (strlen(seen) == i - start && memcmp(seen, tmpl + start, i - start) == 0) {
                snprintf(err, errsz, "URI template: variable %s appears twice", seen);
                goto out_invalid;
            }
        }
        json_array_append_new(list, json_stringn(tmpl + start, i - start));
        prev_var = 1;
        i++; /* '}' */
    }
    if (names != NULL)
        *names = list;
    else
        json_decref(list);
    return CM_OK;

out_invalid:
    json_decref(list);
    return CM_EINVAL;
}

/* Length of the run of variable characters (unreserved or %XX) at s, at most n. */
static size_t var_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (is_unreserved(s[i]))
            i++;
        else if (s[i] == '%' && i + 2 < n && is_hex(s[i + 1]) && is_hex(s[i + 2]))
            i += 3;
        else
            break;
    }
    return i;
}

int mcp_uri_template_match(const char *tmpl, const char *uri, json_t **vars)
{
    char why[128];
    if (vars != NULL)
        *vars = NULL;
    if (mcp_uri_template_parse(tmpl, NULL, why, sizeof(why)) != CM_OK)
        return -1;
    return mcp__uri_template_match_parsed(tmpl, uri, vars);
}

int mcp__uri_template_match_parsed(const char *tmpl, const char *uri, json_t **vars)
{
    if (vars != NULL)
        *vars = NULL;
    if (uri == NULL)
        return 0;
    size_t ulen = strlen(uri);
    if (ulen > MCP_URI_MAX)
        return 0;
    json_t *out = vars ? json_object() : NULL;
    if (vars != NULL && out == NULL)
        return -1;
    const char *t = tmpl;
    size_t u = 0;
    while (*t) {
        if (*t != '{') {
            if (u >= ulen || uri[u] != *t)
                goto out_nomatch;
            t++, u++;
            continue;
        }
        const char *name = t + 1, *close = strchr(t, '}');
        const char *lit = close + 1; /* the literal text after the variable, up to the next '{' or the end */
        size_t litlen = strcspn(lit, "{");
        size_t run = var_run(uri + u, ulen - u), take = run;
        if (litlen > 0) {
            /* leftmost end (>= 1 character, never inside a %XX triplet) where the literal follows */
            take = 0;
            for (size_t k = 0; k < run;) {
                k += uri[u + k] == '%' ? 3 : 1;
                if (ulen - u - k >= litlen && memcmp(uri + u + k, lit, litlen) == 0) {
                    take = k;
                    break;
                }
            }
        } else if (lit[0] == '\0' && u + run != ulen) {
            goto out_nomatch; /* a trailing variable must take the rest of the URI */
        }
        if (take == 0)
            goto out_nomatch;
        /* decoded even when only testing: a URI whose value would be refused never "exists" */
        size_t dlen = 0;
        char *dec = cm_url_unescape(uri + u, take, 0, &dlen);
        json_t *v = dec && memchr(dec, '\0', dlen) == NULL ? json_stringn(dec, dlen) : NULL;
        free(dec);
        if (v == NULL)
            goto out_nomatch;
        if (out == NULL)
            json_decref(v);
        else if (json_object_setn_new(out, name, (size_t)(close - name), v) != 0)
            goto out_nomatch;
        u += take;
        t = lit;
    }
    if (u != ulen)
        goto out_nomatch;
    if (vars != NULL)
        *vars = out;
    return 1;

out_nomatch:
    json_decref(out);
    return 0;
}
