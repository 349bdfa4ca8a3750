/*
 * html_check.c - the HTML a send tool accepts (teams.h): the formatting Teams renders in a message, nothing that
 * runs or loads (Teams strips it anyway, silently: the model would not learn its message changed), and no <at>
 * mentions, which Graph refuses without a matching mentions list.
 */
#include "common/status.h"
#include "teams.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const allowed[] = {"a",     "b",     "blockquote", "br",    "code", "del",    "div",    "em",  "h1",
                                      "h2",    "h3",    "h4",         "h5",    "h6",   "hr",     "i",      "ins", "li",
                                      "ol",    "p",     "pre",        "s",     "span", "strike", "strong", "sub", "sup",
                                      "table", "tbody", "td",         "tfoot", "th",   "thead",  "tr",     "u",   "ul"};

static int tag_allowed(const char *name)
{
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (strcmp(name, allowed[i]) == 0)
            return 1;
    return 0;
}

/* 1 when a link target is http(s) or mailto (surrounding spaces allowed, case-insensitive). */
static int url_ok(const char *v, size_t n)
{
    while (n > 0 && isspace((unsigned char)*v))
        v++, n--;
    return (n >= 7 && strncasecmp(v, "http://", 7) == 0) || (n >= 8 && strncasecmp(v, "https://", 8) == 0) ||
           (n >= 7 && strncasecmp(v, "mailto:", 7) == 0);
}

/* 1 when the n bytes at s contain needle, ignoring ASCII case. */
static int contains_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Checks the attributes of a tag from p (after its name) to its '>'; *end gets the position after '>'. */
static int check_attrs(const char *p, const char *tag, const char **end, char *why, size_t whysz)
{
    for (;;) {
        while (isspace((unsigned char)*p) || *p == '/')
            p++;
        if (*p == '>') {
            *end = p + 1;
            return CM_OK;
        }
        if (*p == '\0') {
            snprintf(why, whysz, "the tag <%s> is not closed with '>'", tag);
            return CM_EINVAL;
        }
        const char *name = p;
        while (*p != '\0' && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/')
            p++;
        size_t nlen = (size_t)(p - name);
        if (nlen >= 2 && strncasecmp(name, "on", 2) == 0) {
            snprintf(why, whysz, "event-handler attributes such as %.*s are not allowed", (int)(nlen > 40 ? 40 : nlen),
                     name);
            return CM_EINVAL;
        }
        while (isspace((unsigned char)*p))
            p++;
        const char *val = NULL;
        size_t vlen = 0;
        if (*p == '=') {
            p++;
            while (isspace((unsigned char)*p))
                p++;
            if (*p == '"' || *p == '\'') {
                char q = *p++;
                val = p;
                while (*p != '\0' && *p != q)
                    p++;
                if (*p == '\0') {
                    snprintf(why, whysz, "an attribute value of <%s> is not closed", tag);
                    return CM_EINVAL;
                }
                vlen = (size_t)(p - val);
                p++;
            } else {
                val = p;
                while (*p != '\0' && !isspace((unsigned char)*p) && *p != '>')
                    p++;
                vlen = (size_t)(p - val);
            }
        }
        if (nlen == 5 && strncasecmp(name, "style", 5) == 0 && val != NULL &&
            (contains_ci(val, vlen, "url(") || contains_ci(val, vlen, "expression"))) {
            snprintf(why, whysz, "a style may not load URLs or run expressions");
            return CM_EINVAL;
        }
        int is_link =
            (nlen == 4 && strncasecmp(name, "href", 4) == 0) || (nlen == 3 && strncasecmp(name, "src", 3) == 0);
        if (is_link && (val == NULL || !url_ok(val, vlen))) {
            snprintf(why, whysz, "links must be http://, https:// or mailto: URLs");
            return CM_EINVAL;
        }
    }
}

int tm_html_check(const char *html, char *why, size_t whysz)
{
    const char *p = html;
    while ((p = strchr(p, '<')) != NULL) {
        if (strncmp(p, "<!--", 4) == 0) {
            const char *e = strstr(p + 4, "-->");
            if (e == NULL) {
                snprintf(why, whysz, "a comment is not closed with '-->'");
                return CM_EINVAL;
            }
            p = e + 3;
            continue;
        }
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        if (!isalpha((unsigned char)*n)) {
            if (*n == '!' || *n == '?') {
                snprintf(why, whysz, "declarations and processing instructions (<%c...) are not allowed", *n);
                return CM_EINVAL;
            }
            p++; /* a lone '<' is text */
            continue;
        }
        char tag[16];
        size_t len = 0;
        while (isalnum((unsigned char)n[len]) || n[len] == '-' || n[len] == ':')
            len++;
        snprintf(tag, sizeof(tag), "%.*s", (int)(len < sizeof(tag) - 1 ? len : sizeof(tag) - 1), n);
        for (char *t = tag; *t; t++)
            *t = (char)tolower((unsigned char)*t);
        if (strcmp(tag, "at") == 0) {
            snprintf(why, whysz, "mentions (<at>) are not supported; write the name as text");
            return CM_EINVAL;
        }
        if (len >= sizeof(tag) || !tag_allowed(tag)) {
            snprintf(why, whysz,
                     "the tag <%s> is not allowed (allowed: formatting, links, lists, headings, tables, code)", tag);
            return CM_EINVAL;
        }
        if (check_attrs(n + len, tag, &p, why, whysz) != CM_OK)
            return CM_EINVAL;
    }
    return CM_OK;
}
