/*
 * mime_charset.c - UTF-8 validation, charset normalisation of received text, truncation on character
 * boundaries (see mail/mime.h).
 */
#include "mail/mime.h"
#include "mime_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t mcp__utf8_seq(const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    unsigned c = s[0];
    size_t n;
    uint32_t min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

int mcp__utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = mcp__utf8_seq(p + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

size_t mcp__utf8_put(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Windows-1252 0x80..0x9F (0 = undefined, mapped to U+FFFD). */
static const uint16_t cp1252[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static int is_charset(const char *cs, const char *const *names)
{
    for (; *names; names++)
        if (strcasecmp(cs, *names) == 0)
            return 1;
    return 0;
}

char *mcp_mime_to_utf8(const char *s, size_t len, const char *charset)
{
    static const char *const latin1[] = {"iso-8859-1", "iso8859-1", "latin1", "l1", "iso_8859-1", NULL};
    static const char *const win1252[] = {"windows-1252", "cp1252", "x-cp1252", NULL};
    int mode = 0; /* 0 utf-8, 1 latin1, 2 cp1252 */
    if (charset != NULL && is_charset(charset, latin1))
        mode = 1;
    else if (charset != NULL && is_charset(charset, win1252))
        mode = 2;
    char *out = malloc(len * 3 + 1); /* worst case: every byte -> 3 bytes (U+FFFD or U+20AC) */
    if (out == NULL)
        return NULL;
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] == 0) {
            i++;
            continue;
        }
        if (mode == 0) {
            size_t n = mcp__utf8_seq(p + i, len - i);
            if (n == 0) {
                o += mcp__utf8_put(0xFFFD, out + o);
                i++;
            } else {
                memcpy(out + o, p + i, n);
                o += n;
                i += n;
            }
            continue;
        }
        uint32_t cp = p[i++];
        if (mode == 2 && cp >= 0x80 && cp < 0xA0)
            cp = cp1252[cp - 0x80] ? cp1252[cp - 0x80] : 0xFFFD;
        o += mcp__utf8_put(cp, out + o);
    }
    out[o] = '\0';
    return out;
}

size_t mcp_utf8_truncate(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}
