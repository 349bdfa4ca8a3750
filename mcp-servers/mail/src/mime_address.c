/*
 * mime_address.c - address lists: parsing user input and received headers, validation, header formatting with
 * RFC 2047 display names and folding (see mail/mime.h).
 */
#include "common/url.h"
#include "mail/mime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct addr_item {
    char *display; /* unquoted display name or NULL */
    char *spec;    /* addr-spec, trimmed */
} addr_item_t;

static char *trim_dup(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

/* Unquotes a display name ("a \"b\"" -> a "b"); in place. */
static void unquote(char *s)
{
    size_t n = strlen(s);
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return;
    size_t o = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n)
            i++;
        s[o++] = s[i];
    }
    s[o] = '\0';
}

/* Parses one list item ("Name <a@b>" or "a@b"). 0 or -1 when malformed (unbalanced <>). */
static int parse_item(const char *s, size_t n, addr_item_t *it)
{
    int inq = 0;
    const char *lt = NULL, *gt = NULL;
    for (size_t i = 0; i < n; i++) {
        if (inq && s[i] == '\\' && i + 1 < n) {
            i++;
            continue;
        }
        if (s[i] == '"')
            inq = !inq;
        else if (!inq && s[i] == '<' && lt == NULL)
            lt = s + i;
        else if (!inq && s[i] == '>' && lt != NULL && gt == NULL)
            gt = s + i;
    }
    it->display = it->spec = NULL;
    if (lt == NULL) {
        it->spec = trim_dup(s, n);
        return it->spec ? 0 : -1;
    }
    if (gt == NULL)
        return -1;
    for (const char *p = gt + 1; p < s + n; p++)
        if (!isspace((unsigned char)*p))
            return -1;
    it->display = trim_dup(s, (size_t)(lt - s));
    it->spec = trim_dup(lt + 1, (size_t)(gt - lt - 1));
    if (it->display == NULL || it->spec == NULL)
        return -1;
    unquote(it->display);
    if (it->display[0] == '\0') {
        free(it->display);
        it->display = NULL;
    }
    return 0;
}

/* Splits list at commas outside quotes and angle brackets. Returns the number of items (<= max) or -1. */
static int split_list(const char *list, addr_item_t *items, int max, int *bad_index)
{
    int n = 0, inq = 0, angle = 0;
    const char *start = list;
    for (const char *p = list;; p++) {
        if (*p != '\0' && inq && *p == '\\' && p[1] != '\0') {
            p++;
            continue;
        }
        if (*p == '"')
            inq = !inq;
        else if (!inq && *p == '<')
            angle++;
        else if (!inq && *p == '>' && angle > 0)
            angle--;
        if (*p == '\0' || (*p == ',' && !inq && angle == 0)) {
            const char *q = start;
            while (q < p && isspace((unsigned char)*q))
                q++;
            if (q < p) {
                if (n == max || parse_item(start, (size_t)(p - start), &items[n]) != 0) {
                    if (n < max) {
                        free(items[n].display);
                        free(items[n].spec);
                    }
                    *bad_index = n;
                    return -1;
                }
                n++;
            }
            if (*p == '\0')
                break;
            start = p + 1;
        }
    }
    return n;
}

static void free_items(addr_item_t *items, int n)
{
    for (int i = 0; i < n; i++) {
        free(items[i].display);
        free(items[i].spec);
    }
}

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Appends the display name as a phrase: atoms as is, else quoted, non-ASCII as encoded-words. */
static void append_phrase(cm_buf_t *b, const char *name, size_t avail)
{
    if (!is_ascii(name) || strstr(name, "=?") != NULL) {
        char *w = mcp_mime_encode_words(name, avail);
        if (w == NULL) {
            b->failed = 1;
            return;
        }
        cm_buf_appendz(b, w);
        free(w);
        return;
    }
    int atoms = 1;
    for (const char *p = name; *p; p++)
        if (*p != ' ' && !isalnum((unsigned char)*p) && strchr("!#$%&'*+/=?^_`{|}~-", *p) == NULL)
            atoms = 0;
    if (atoms) {
        cm_buf_appendz(b, name);
        return;
    }
    cm_buf_append(b, "\"", 1);
    for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\')
            cm_buf_append(b, "\\", 1);
        cm_buf_append(b, p, 1);
    }
    cm_buf_append(b, "\"", 1);
}

int mcp_mime_format_addresses(const char *list, size_t header_len, char **out, size_t *count, char *err, size_t errsz)
{
    addr_item_t items[MCP_MIME_MAX_ADDRESSES];
    int bad = 0, rc = -1;
    *out = NULL;
    if (list == NULL || !mcp_mime_header_text_ok(list)) {
        snprintf(err, errsz, "must be text without line breaks");
        return -1;
    }
    int n = split_list(list, items, MCP_MIME_MAX_ADDRESSES, &bad);
    if (n < 0) {
        if (bad >= MCP_MIME_MAX_ADDRESSES)
            snprintf(err, errsz, "more than %d addresses", MCP_MIME_MAX_ADDRESSES);
        else
            snprintf(err, errsz, "address %d is malformed", bad + 1);
        free_items(items, bad < MCP_MIME_MAX_ADDRESSES ? bad : MCP_MIME_MAX_ADDRESSES);
        return -1;
    }
    if (n == 0) {
        snprintf(err, errsz, "no address given");
        return -1;
    }
    cm_buf_t b = {0};
    size_t line = header_len;
    for (int i = 0; i < n; i++) {
        if (!mcp_mime_addr_spec_valid(items[i].spec)) {
            snprintf(err, errsz, "'%.100s' is not a valid email address", items[i].spec);
            goto out_free_items;
        }
        cm_buf_t one = {0};
        if (items[i].display != NULL) {
            append_phrase(&one, items[i].display, 75);
            cm_buf_printf(&one, " <%s>", items[i].spec);
        } else {
            cm_buf_appendz(&one, items[i].spec);
        }
        char *s = cm_buf_take(&one);
        if (s == NULL)
            goto out_oom;
        const char *nl = strchr(s, '\n');
        size_t first = nl ? (size_t)(nl - s) : strlen(s);
        if (i > 0 && line + 2 + first > 75) { /* 75: room for the ',' before a fold */
            cm_buf_appendz(&b, ",\r\n ");
            line = 1;
        } else if (i > 0) {
            cm_buf_appendz(&b, ", ");
            line += 2;
        }
        cm_buf_appendz(&b, s);
        const char *last = strrchr(s, '\n');
        line = last ? strlen(last + 1) : line + strlen(s);
        free(s);
    }
    *out = cm_buf_take(&b);
    if (*out == NULL)
        goto out_oom;
    if (count)
        *count = (size_t)n;
    rc = 0;
    goto out_free_items;
out_oom:
    snprintf(err, errsz, "out of memory");
out_free_items:
    cm_buf_free(&b);
    free_items(items, n);
    return rc;
}

char *mcp_mime_address_specs(const char *list)
{
    addr_item_t items[MCP_MIME_MAX_ADDRESSES];
    int bad = 0;
    int n = split_list(list ? list : "", items, MCP_MIME_MAX_ADDRESSES, &bad);
    if (n < 0) {
        free_items(items, bad < MCP_MIME_MAX_ADDRESSES ? bad : MCP_MIME_MAX_ADDRESSES);
        n = 0;
    }
    cm_buf_t b = {0};
    cm_buf_append(&b, "", 0);
    int first = 1;
    for (int i = 0; i < n; i++) {
        for (char *p = items[i].spec; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (!mcp_mime_addr_spec_valid(items[i].spec))
            continue;
        cm_buf_printf(&b, "%s%s", first ? "" : ",", items[i].spec);
        first = 0;
    }
    free_items(items, n);
    return cm_buf_take(&b);
}
