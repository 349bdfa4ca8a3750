/*
 * log_json.c - one log event as one JSON object (LOG_FORMAT=json): ts, level, comp, msg, request_id when there is
 * one, and the key=value fields the message has, as strings.
 *
 * Written by hand rather than with jansson: a message may hold bytes that are not UTF-8 (an upstream error body, a
 * plugin's text), which jansson refuses; here they become U+FFFD so that the line is always valid JSON and UTF-8.
 */
#include "log_internal.h"

#include <string.h>

typedef struct jbuf {
    char *p;
    size_t cap, len;
    int full;
} jbuf_t;

static void put(jbuf_t *b, const char *s, size_t n)
{
    if (b->full || n > b->cap - b->len) {
        b->full = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_lit(jbuf_t *b, const char *s)
{
    put(b, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2, min = 0x80, cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3, min = 0x800, cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4, min = 0x10000, cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Appends s[0..n) as a JSON string, quotes included. */
static void put_str(jbuf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(b, e, 2);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            if (named != NULL) {
                put(b, named, 2);
            } else {
                char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
                put(b, e, 6);
            }
            i++;
        } else if (c < 0x80) {
            put(b, (const char *)u + i, 1);
            i++;
        } else {
            size_t len = utf8_seq(u + i, n - i);
            if (len == 0) {
                put(b, "\\ufffd", 6);
                i++;
            } else {
                put(b, (const char *)u + i, len);
                i += len;
            }
        }
    }
    put(b, "\"", 1);
}

static void put_member(jbuf_t *b, const char *key, const char *v, size_t n)
{
    put(b, ",", 1);
    put_str(b, key, strlen(key));
    put(b, ":", 1);
    put_str(b, v, n);
}

static int is_key_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_key_char(char c)
{
    return is_key_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static int reserved(const char *k, size_t n)
{
    static const char *const names[] = {"ts", "level", "comp", "msg", "request_id"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == n && memcmp(names[i], k, n) == 0)
            return 1;
    return 0;
}

#define MAX_FIELDS 16

/* The key=value (or key="quoted value") words of msg, each key once (the first wins), reserved names skipped. */
static void put_fields(jbuf_t *b, const char *msg)
{
    const char *seen[MAX_FIELDS];
    size_t seen_len[MAX_FIELDS];
    size_t nseen = 0;
    for (const char *p = msg; *p != '\0' && nseen < MAX_FIELDS;) {
        if (p != msg && p[-1] != ' ') {
            p++;
            continue;
        }
        const char *k = p;
        if (!is_key_start(*p)) {
            p++;
            continue;
        }
        while (is_key_char(*p))
            p++;
        size_t klen = (size_t)(p - k);
        if (*p != '=' || klen > 64) {
            continue;
        }
        const char *v = ++p;
        size_t vlen;
        if (*v == '"') {
            const char *e = strchr(v + 1, '"');
            if (e == NULL) {
                vlen = strlen(v);
                p = v + vlen;
            } else {
                v++;
                vlen = (size_t)(e - v);
                p = e + 1;
            }
        } else {
            vlen = strcspn(v, " ");
            p = v + vlen;
        }
        if (reserved(k, klen))
            continue;
        int dup = 0;
        for (size_t i = 0; i < nseen; i++)
            if (seen_len[i] == klen && memcmp(seen[i], k, klen) == 0)
                dup = 1;
        if (dup)
            continue;
        seen[nseen] = k;
        seen_len[nseen++] = klen;
        put(b, ",", 1);
        put_str(b, k, klen);
        put(b, ":", 1);
        put_str(b, v, vlen);
    }
}

size_t cm__log_json_line(char *out, size_t outsz, const char *ts, const char *level, const char *comp, const char *msg,
                         const char *request_id)
{
    if (outsz < 2)
        return 0;
    jbuf_t b = {out, outsz - 2, 0, 0}; /* room kept for the newline and the NUL */
    puts_lit(&b, "{\"ts\":");
    put_str(&b, ts, strlen(ts));
    put_member(&b, "level", level, strlen(level));
    put_member(&b, "comp", comp, strlen(comp));
    put_member(&b, "msg", msg, strlen(msg));
    if (request_id != NULL && *request_id != '\0')
        put_member(&b, "request_id", request_id, strlen(request_id));
    size_t before_fields = b.len;
    put_fields(&b, msg);
    if (b.full) { /* the fields did not fit: the line without them */
        b.full = 0;
        b.len = before_fields;
    }
    put(&b, "}", 1);
    if (b.full)
        return 0;
    out[b.len++] = '\n';
    out[b.len] = '\0';
    return b.len;
}
