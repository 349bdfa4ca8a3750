/*
 * schema_regex.c - ECMA-262 pattern (JSON Schema "pattern") to POSIX ERE, then regcomp.
 *
 * Supported: literals, ., ^, $, |, groups, (?:...), quantifiers * + ? {n} {n,} {n,m} (lazy forms
 * accepted; for a yes/no match they describe the same language), classes [...] with ranges,
 * \d \D \w \W \s \S (also inside classes, non-negated forms), \t \n \r \f \v \0, \uXXXX, \xHH,
 * and escaped metacharacters. Rejected: look-around, named groups, back-references, \b \B, \p{}, a quantifier
 * with nothing to repeat ("a**", "^*", "(+)": a SyntaxError in ECMA too), and counted repetitions that would
 * expand beyond MAX_EXPANSION atoms (the POSIX engine copies what they repeat).
 */
#include "schema/schema_internal.h"

#include "common/crypto.h"

#include <stdio.h>
#include <string.h>

struct out {
    char *buf;
    size_t len, cap;
    int overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->overflow = 1;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void putc1(struct out *o, char c)
{
    put(o, &c, 1);
}

static int read_hex(const char *p, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        int h = cm_hex_digit((unsigned char)p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + (unsigned)h;
    }
    *out = v;
    return 0;
}

/* Writes code point cp as a literal (UTF-8, escaped when it is an ERE metacharacter outside a class). */
static void put_codepoint(struct out *o, unsigned cp, int in_class)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        if (!in_class && strchr(".[]()*+?{}|^$\\", (int)cp) != NULL && cp != 0)
            putc1(o, '\\');
        if (in_class && (cp == ']' || cp == '\\' || cp == '^' || cp == '-')) {
            /* POSIX classes cannot escape these; use a one-character collating element */
            char tmp[8];
            int w = snprintf(tmp, sizeof(tmp), "[.%c.]", (char)cp);
            put(o, tmp, (size_t)w);
            return;
        }
        putc1(o, (char)cp);
        return;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    put(o, u, n);
}

/* Translates the escape at p (p[0] == '\\'); returns the number of input bytes consumed, 0 when unsupported. */
static size_t escape(const char *p, struct out *o, int in_class, const char **why)
{
    char c = p[1];
    unsigned cp;
    static const struct {
        char c;
        const char *outside, *inside;
    } classes[] = {
        {'d', "[0-9]", "0-9"},
        {'D', "[^0-9]", NULL},
        {'w', "[A-Za-z0-9_]", "A-Za-z0-9_"},
        {'W', "[^A-Za-z0-9_]", NULL},
        {'s', "[[:space:]]", "[:space:]"},
        {'S', "[^[:space:]]", NULL},
    };
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        if (classes[i].c != c)
            continue;
        const char *t = in_class ? classes[i].inside : classes[i].outside;
        if (t == NULL) {
            *why = "negated class escape (\\D, \\W, \\S) inside [...] is not supported";
            return 0;
        }
        put(o, t, strlen(t));
        return 2;
    }
    /* control character escapes: the letter and the character it stands for */
    static const char controls[] = "t\tn\nr\rf\fv\v";
    for (size_t i = 0; i + 1 < sizeof(controls); i += 2) {
        if (controls[i] == c) {
            put_codepoint(o, (unsigned char)controls[i + 1], in_class);
            return 2;
        }
    }
    switch (c) {
    case 'u':
        if (p[2] == '{' || read_hex(p + 2, 4, &cp) != 0 || cp == 0) {
            *why = "invalid \\u escape";
            return 0;
        }
        put_codepoint(o, cp, in_class);
        return 6;
    case 'x':
        if (read_hex(p + 2, 2, &cp) != 0 || cp == 0) {
            *why = "invalid \\x escape";
            return 0;
        }
        put_codepoint(o, cp, in_class);
        return 4;
    case '\0':
        *why = "pattern ends with a backslash";
        return 0;
    }
    if (c == 'b' || c == 'B' || (c >= '0' && c <= '9') || c == 'k' || c == 'p' || c == 'P' || c == 'c') {
        *why = "word boundaries, back-references, \\k, \\p and \\c are not supported";
        return 0;
    }
    if ((unsigned char)c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        *why = "unknown escape";
        return 0;
    }
    put_codepoint(o, (unsigned char)c, in_class); /* escaped punctuation: a literal */
    return 2;
}

/* Length of a counted quantifier "{n}", "{n,}" or "{n,m}" at p (0 when p does not start one); *bound gets the
 * largest count it asks for (n when unbounded). */
static size_t brace_quantifier(const char *p, unsigned long *bound)
{
    size_t i = 1;
    unsigned long n = 0, m = 0;
    if (!(p[i] >= '0' && p[i] <= '9'))
        return 0;
    for (; p[i] >= '0' && p[i] <= '9'; i++)
        n = n < 100000 ? n * 10 + (unsigned long)(p[i] - '0') : n;
    m = n;
    if (p[i] == ',') {
        i++;
        if (p[i] >= '0' && p[i] <= '9') {
            m = 0;
            for (; p[i] >= '0' && p[i] <= '9'; i++)
                m = m < 100000 ? m * 10 + (unsigned long)(p[i] - '0') : m;
        }
    }
    if (p[i] != '}')
        return 0;
    *bound = m > n ? m : n; /* "{2,1}" is left for regcomp to refuse */
    return i + 1;
}

/*
 * The regex engine expands counted repetitions into copies of what they repeat, and copies that can match the
 * empty string (".{0,5000}", "(()){100}") cost memory quadratic in their number: glibc needs 195 MB for
 * ".{0,5000}", 1.5 GB for "((){100}){100}", 3 GB for "[a-z]{1,20000}". The translation counts the atoms each
 * group expands to and refuses a pattern beyond MAX_EXPANSION (at most about 35 MB and 50 ms to compile).
 * Unbounded loops ('*', '+', "{n,}") multiplied by a count cost time of their own: glibc's epsilon closure over
 * copies of a loop around something that matches empty grows faster than cubically ("((){10,}){32}" 0.2 s,
 * "{50}" 0.75 s, "{100}" over 10 s), so the loops a pattern expands to are capped at MAX_LOOPS as well.
 */
#define MAX_EXPANSION 2000UL
#define MAX_LOOPS 32UL
#define MAX_DEPTH 32

int mcp__regex_translate(const char *src, char *dst, size_t dstsz, const char **why)
{
    struct out o = {dst, 0, dstsz, 0};
    int depth = 0;
    unsigned long size[MAX_DEPTH + 1] = {0};  /* atoms of the group open at each depth, expanded */
    unsigned long last = 0;                   /* atoms of the last atom or group: what a quantifier repeats */
    unsigned long loops[MAX_DEPTH + 1] = {0}; /* unbounded loops of the group open at each depth, expanded */
    unsigned long last_loops = 0;             /* unbounded loops inside the last atom or group */
    int can_repeat = 0;                       /* the previous item is an atom or group (ECMA: "nothing to repeat") */
    dst[0] = '\0';
    for (const char *p = src; *p;) {
        char c = *p;
        unsigned long bound = 0;
        size_t qlen = c == '{' ? brace_quantifier(p, &bound) : (c == '*' || c == '+' || c == '?') ? 1 : 0;
        if (qlen > 0) {
            if (!can_repeat) {
                *why = "a quantifier must follow something to repeat";
                return -1;
            }
            int loop = c == '*' || c == '+' || (c == '{' && p[qlen - 2] == ','); /* "{n,}" is open-ended */
            put(&o, p, qlen);
            p += qlen;
            if (*p == '?') /* lazy quantifier: same language for a match test */
                p++;
            unsigned long times = c == '{' ? bound : c == '+' ? 2 : 1;
            if (times > 1 && last > 0)
                size[depth] += last * (times - 1 > MAX_EXPANSION ? MAX_EXPANSION : times - 1);
            if (times > 1 && last_loops > 0)
                loops[depth] += last_loops * (times - 1 > MAX_LOOPS ? MAX_LOOPS : times - 1);
            if (loop)
                loops[depth]++;
            can_repeat = 0;
        } else if (c == '\\') {
            size_t n = escape(p, &o, 0, why);
            if (n == 0)
                return -1;
            p += n;
            last = 1;
            last_loops = 0;
            size[depth]++;
            can_repeat = 1;
        } else if (c == '[') {
            p++;
            putc1(&o, '[');
            if (*p == '^') {
                putc1(&o, '^');
                p++;
            }
            if (*p == ']') { /* "[]" matches nothing in ECMA; "[^]" anything */
                *why = "empty character class is not supported";
                return -1;
            }
            while (*p && *p != ']') {
                if (*p == '\\') {
                    size_t n = escape(p, &o, 1, why);
                    if (n == 0)
                        return -1;
                    p += n;
                } else if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                    put(&o, "[.[.]", 5); /* a literal '[' that POSIX would read as a class opener */
                    p++;
                } else {
                    putc1(&o, *p++);
                }
            }
            if (*p != ']') {
                *why = "unterminated character class";
                return -1;
            }
            putc1(&o, ']');
            p++;
            last = 1;
            last_loops = 0;
            size[depth]++;
            can_repeat = 1;
        } else if (c == '(') {
            if (p[1] == '?') {
                if (p[2] != ':') {
                    *why = "look-around and named groups are not supported";
                    return -1;
                }
                p += 3;
            } else {
                p++;
            }
            if (++depth > MAX_DEPTH) {
                *why = "groups nested too deeply";
                return -1;
            }
            size[depth] = 0;
            loops[depth] = 0;
            putc1(&o, '(');
            can_repeat = 0;
        } else if (c == ')') {
            if (--depth < 0) {
                *why = "unbalanced parenthesis";
                return -1;
            }
            putc1(&o, ')');
            p++;
            last = size[depth + 1] + 1;
            size[depth] += last;
            last_loops = loops[depth + 1];
            loops[depth] += last_loops;
            can_repeat = 1;
        } else if (c == '|' || c == '^' || c == '$') {
            putc1(&o, c); /* alternation and anchors: nothing before them to repeat */
            p++;
            can_repeat = 0;
        } else if (c == '{') {
            put(&o, "\\{", 2); /* ECMA (annex B) reads a '{' that starts no quantifier as a literal */
            p++;
            last = 1;
            last_loops = 0;
            size[depth]++;
            can_repeat = 1;
        } else {
            putc1(&o, c);
            p++;
            last = 1;
            last_loops = 0;
            size[depth]++;
            can_repeat = 1;
        }
        if (size[depth] > MAX_EXPANSION) {
            *why = "pattern repeats too much (counted repetitions expand beyond 2000 atoms)";
            return -1;
        }
        if (loops[depth] > MAX_LOOPS) {
            *why = "pattern repeats too much (counted repetitions expand beyond 32 unbounded loops)";
            return -1;
        }
        if (o.overflow) {
            *why = "pattern too long";
            return -1;
        }
    }
    if (depth != 0) {
        *why = "unbalanced parenthesis";
        return -1;
    }
    return 0;
}

int mcp__regex_compile(const char *ecma, regex_t *re, char *err, size_t errsz)
{
    char translated[2048];
    const char *why = NULL;
    if (strlen(ecma) > 1024) {
        snprintf(err, errsz, "pattern too long (max 1024 bytes)");
        return -1;
    }
    if (mcp__regex_translate(ecma, translated, sizeof(translated), &why) != 0) {
        snprintf(err, errsz, "unsupported pattern: %s", why);
        return -1;
    }
    int rc = regcomp(re, translated, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[128];
        regerror(rc, re, msg, sizeof(msg));
        snprintf(err, errsz, "invalid pattern: %s", msg);
        return -1;
    }
    return 0;
}
