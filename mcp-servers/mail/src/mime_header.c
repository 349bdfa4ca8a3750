/*
 * mime_header.c - header text: injection checks, address lists, RFC 2047 encoded-words (both directions),
 * RFC 2231 parameters, reply subjects (see mail/mime.h).
 */
#include "common/crypto.h"
#include "common/url.h"
#include "mail/mime.h"
#include "mime_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN 76 /* lines holding encoded-words (RFC 2047 2) */
#define WORD_MAX 75     /* one encoded-word */

int mcp_mime_header_text_ok(const char *s)
{
    if (s == NULL)
        return 0;
    size_t len = strlen(s);
    return strpbrk(s, "\r\n") == NULL && mcp__utf8_valid(s, len);
}

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

static int is_atext(int c)
{
    return isalnum(c) || (c != 0 && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

int mcp_mime_addr_spec_valid(const char *s)
{
    if (s == NULL)
        return 0;
    const char *at = strrchr(s, '@');
    size_t len = strlen(s);
    if (at == NULL || len > 254 || at == s || (size_t)(at - s) > 64)
        return 0;
    for (const char *p = s; p < at; p++) { /* dot-atom: atext runs separated by single dots */
        if (*p == '.') {
            if (p == s || p + 1 == at || p[1] == '.')
                return 0;
        } else if (!is_atext((unsigned char)*p)) {
            return 0;
        }
    }
    const char *d = at + 1;
    int dots = 0;
    size_t label = 0;
    for (const char *p = d;; p++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0 || label > 63 || p[-1] == '-')
                return 0;
            if (*p == '\0')
                break;
            dots++;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)*p) && *p != '-')
            return 0;
        if (label == 0 && *p == '-')
            return 0;
        label++;
    }
    return dots > 0;
}

/* ------------------------------------------------------------------ RFC 2047 encoding */

char *mcp_mime_encode_words(const char *text, size_t first_avail)
{
    cm_buf_t b = {0};
    const unsigned char *p = (const unsigned char *)text;
    size_t len = strlen(text), i = 0;
    size_t avail = first_avail < 16 ? 16 : first_avail > WORD_MAX ? WORD_MAX : first_avail;
    if (len == 0)
        return strdup("");
    while (i < len) {
        size_t cap = (avail - 12) / 4 * 3; /* "=?UTF-8?B?" + "?=" = 12 */
        size_t n = 0;
        while (i + n < len) {
            size_t k = mcp__utf8_seq(p + i + n, len - i - n);
            if (k == 0)
                k = 1; /* callers validate; never loop forever */
            if (n + k > cap)
                break;
            n += k;
        }
        if (n == 0) { /* one character wider than the room left: a longer word, never a split character */
            size_t k = mcp__utf8_seq(p + i, len - i);
            n = k > 0 ? k : 1;
        }
        char *b64 = cm_b64_encode(p + i, n);
        if (b64 == NULL) {
            cm_buf_free(&b);
            return NULL;
        }
        if (i > 0)
            cm_buf_appendz(&b, "\r\n ");
        cm_buf_printf(&b, "=?UTF-8?B?%s?=", b64);
        free(b64);
        i += n;
        avail = WORD_MAX;
    }
    return cm_buf_take(&b);
}

char *mcp_mime_header_line(const char *name, const char *value)
{
    if (value == NULL)
        value = "";
    if (!mcp_mime_header_text_ok(value) || !mcp_mime_header_text_ok(name))
        return NULL;
    cm_buf_t b = {0};
    size_t nlen = strlen(name) + 2;
    if (is_ascii(value) && strstr(value, "=?") == NULL) {
        cm_buf_printf(&b, "%s: ", name);
        size_t line = nlen;
        const char *p = value;
        while (*p) { /* fold before a space when the next word would pass 78 columns */
            const char *sp = strchr(p + 1, ' ');
            size_t wl = sp ? (size_t)(sp - p) : strlen(p);
            if (line + wl > 78 && line > nlen && *p == ' ') {
                cm_buf_appendz(&b, "\r\n");
                line = 0;
            }
            cm_buf_append(&b, p, wl);
            line += wl;
            p += wl;
        }
        cm_buf_appendz(&b, "\r\n");
        return cm_buf_take(&b);
    }
    char *words = mcp_mime_encode_words(value, LINE_MAX_LEN - nlen);
    if (words == NULL)
        return NULL;
    cm_buf_printf(&b, "%s: %s\r\n", name, words);
    free(words);
    return cm_buf_take(&b);
}

/* ------------------------------------------------------------------ RFC 2047 decoding */

/* Decodes one encoded-word starting at s ("=?cs?e?text?="). Returns its length and appends the UTF-8 text to b,
 * or 0 when s does not start a decodable word. */
static size_t decode_word(const char *s, cm_buf_t *b)
{
    static const char *const known[] = {"utf-8", "us-ascii", "iso-8859-1", "windows-1252", "cp1252", "latin1", NULL};
    const char *cs = s + 2, *q1 = strchr(cs, '?');
    if (q1 == NULL || q1 == cs || q1[1] == '\0' || q1[2] != '?')
        return 0;
    char enc = (char)toupper((unsigned char)q1[1]);
    const char *text = q1 + 3, *end = strstr(text, "?=");
    if (end == NULL || (enc != 'B' && enc != 'Q') || memchr(text, ' ', (size_t)(end - text)) != NULL)
        return 0;
    char charset[40];
    size_t cl = (size_t)(q1 - cs);
    const char *star = memchr(cs, '*', cl); /* RFC 2231 language suffix */
    if (star)
        cl = (size_t)(star - cs);
    if (cl >= sizeof(charset))
        return 0;
    memcpy(charset, cs, cl);
    charset[cl] = '\0';
    int ok = 0;
    for (const char *const *k = known; *k; k++)
        ok |= strcasecmp(charset, *k) == 0;
    if (!ok)
        return 0;
    size_t tl = (size_t)(end - text), dl = 0;
    unsigned char *dec = NULL;
    if (enc == 'B') {
        dec = cm_b64_decode(text, tl, &dl);
    } else if ((dec = malloc(tl + 1)) != NULL) {
        for (size_t i = 0; i < tl; i++) {
            if (text[i] == '_') {
                dec[dl++] = ' ';
            } else if (text[i] == '=' && i + 2 < tl && cm_hex_digit((unsigned char)text[i + 1]) >= 0 &&
                       cm_hex_digit((unsigned char)text[i + 2]) >= 0) {
                dec[dl++] = (unsigned char)(cm_hex_digit((unsigned char)text[i + 1]) * 16 +
                                            cm_hex_digit((unsigned char)text[i + 2]));
                i += 2;
            } else {
                dec[dl++] = (unsigned char)text[i];
            }
        }
    }
    if (dec == NULL)
        return 0;
    char *u = mcp_mime_to_utf8((const char *)dec, dl, charset);
    free(dec);
    if (u == NULL)
        return 0;
    cm_buf_appendz(b, u);
    free(u);
    return (size_t)(end + 2 - s);
}

char *mcp_mime_decode_words(const char *s)
{
    cm_buf_t b = {0};
    const char *p = s;
    int prev_word = 0;
    cm_buf_append(&b, "", 0);
    while (*p) {
        if (p[0] == '=' && p[1] == '?') {
            size_t n = decode_word(p, &b);
            if (n > 0) {
                p += n;
                prev_word = 1;
                continue;
            }
        }
        if (prev_word && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
            const char *q = p;
            while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
                q++;
            if (q[0] == '=' && q[1] == '?') { /* whitespace between two encoded-words is dropped */
                cm_buf_t probe = {0};
                size_t n = decode_word(q, &probe);
                cm_buf_free(&probe);
                if (n > 0) {
                    p = q;
                    continue;
                }
            }
        }
        prev_word = 0;
        cm_buf_append(&b, p, 1);
        p++;
    }
    return cm_buf_take(&b);
}

/* ------------------------------------------------------------------ parameters, subjects */

static int is_token_char(int c)
{
    return c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static int is_attr_char(int c)
{
    return isalnum(c) || (c != 0 && strchr("!#$&+-.^_`|~", c) != NULL);
}

char *mcp_mime_param(const char *name, const char *value)
{
    if (!mcp_mime_header_text_ok(value) || value[0] == '\0')
        return NULL;
    cm_buf_t b = {0};
    if (is_ascii(value)) {
        int token = 1;
        for (const char *p = value; *p; p++)
            token &= is_token_char((unsigned char)*p);
        if (token && strlen(value) < 60) {
            cm_buf_printf(&b, ";\r\n %s=%s", name, value);
            return cm_buf_take(&b);
        }
        if (strlen(value) < 60) {
            cm_buf_printf(&b, ";\r\n %s=\"", name);
            for (const char *p = value; *p; p++) {
                if (*p == '"' || *p == '\\')
                    cm_buf_append(&b, "\\", 1);
                cm_buf_append(&b, p, 1);
            }
            cm_buf_append(&b, "\"", 1);
            return cm_buf_take(&b);
        }
    }
    /* RFC 2231: percent-encoded UTF-8, split into continuations of <= 60 encoded characters */
    cm_buf_t enc = {0};
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (is_attr_char(*p))
            cm_buf_append(&enc, (const char *)p, 1);
        else
            cm_buf_printf(&enc, "%%%02X", *p);
    }
    char *e = cm_buf_take(&enc);
    if (e == NULL)
        return NULL;
    size_t el = strlen(e);
    if (el <= 60) {
        cm_buf_printf(&b, ";\r\n %s*=UTF-8''%s", name, e);
    } else {
        size_t i = 0;
        for (int part = 0; i < el; part++) {
            size_t n = el - i > 60 ? 60 : el - i;
            if (i + n < el && n >= 2 && e[i + n - 1] == '%')
                n -= 1;
            else if (i + n < el && n >= 2 && e[i + n - 2] == '%')
                n -= 2;
            cm_buf_printf(&b, ";\r\n %s*%d*=%s%.*s", name, part, part == 0 ? "UTF-8''" : "", (int)n, e + i);
            i += n;
        }
    }
    free(e);
    return cm_buf_take(&b);
}

char *mcp_mime_reply_subject(const char *subject)
{
    if (subject == NULL)
        subject = "";
    while (*subject == ' ' || *subject == '\t')
        subject++;
    if (strncasecmp(subject, "re:", 3) == 0)
        return strdup(subject);
    size_t n = strlen(subject) + 5;
    char *r = malloc(n);
    if (r != NULL)
        snprintf(r, n, "Re: %s", subject);
    return r;
}
