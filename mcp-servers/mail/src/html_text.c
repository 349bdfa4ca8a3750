/*
 * html_text.c - HTML to readable text (see mail/html_text.h). A single pass over the bytes with a small writer
 * that collapses whitespace and tracks pending line breaks.
 */
#include "common/url.h"
#include "mail/html_text.h"
#include "mail/mime.h"
#include "mime_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct writer {
    cm_buf_t b;
    int pending_space;
    int pending_nl; /* 0, 1 = line break, 2 = blank line */
    int pre;        /* inside <pre> */
    char *href;     /* current link target */
    size_t link_start;
    int skip_depth;  /* inside script/style/head/title... */
    const char *raw; /* inside a raw text element ("script", "style"): only its end tag ends it */
} writer_t;

static void flush_pending(writer_t *w)
{
    if (w->b.len > 0 && w->pending_nl > 0) {
        /* remove trailing spaces of the current line */
        while (w->b.len > 0 && w->b.data[w->b.len - 1] == ' ')
            w->b.data[--w->b.len] = '\0';
        int have = 0;
        for (size_t i = w->b.len; i > 0 && w->b.data[i - 1] == '\n' && have < 2; i--)
            have++;
        for (int i = have; i < w->pending_nl; i++)
            cm_buf_append(&w->b, "\n", 1);
    } else if (w->b.len > 0 && w->pending_space && w->b.data[w->b.len - 1] != '\n' && w->b.data[w->b.len - 1] != ' ') {
        cm_buf_append(&w->b, " ", 1);
    }
    w->pending_nl = 0;
    w->pending_space = 0;
}

static void put_text(writer_t *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!w->pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) {
            w->pending_space = 1;
            continue;
        }
        if (w->pre && c == '\r')
            continue;
        flush_pending(w);
        cm_buf_append(&w->b, s + i, 1);
    }
}

static void block_break(writer_t *w, int n)
{
    if (w->pending_nl < n)
        w->pending_nl = n;
}

static const struct {
    const char *name;
    unsigned cp;
} entities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},    {"nbsp", ' '},
    {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122}, {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026},
    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bull", 0x2022},  {"middot", 0xB7},
    {"laquo", 0xAB},   {"raquo", 0xBB},   {"euro", 0x20AC},  {"pound", 0xA3},   {"yen", 0xA5},     {"cent", 0xA2},
    {"sect", 0xA7},    {"deg", 0xB0},     {"times", 0xD7},   {"divide", 0xF7},  {"eacute", 0xE9},  {"egrave", 0xE8},
    {"agrave", 0xE0},  {"auml", 0xE4},    {"ouml", 0xF6},    {"uuml", 0xFC},    {"Auml", 0xC4},    {"Ouml", 0xD6},
    {"Uuml", 0xDC},    {"szlig", 0xDF},   {"ccedil", 0xE7},  {"ntilde", 0xF1},  {"zwnj", 0x200C},  {"zwj", 0x200D},
    {"shy", 0xAD},     {"ensp", ' '},     {"emsp", ' '},     {"thinsp", ' '},
};

size_t mcp_html_entity(const char *s, size_t len, char *out, size_t *out_len)
{
    if (len < 3 || s[0] != '&')
        return 0;
    size_t i = 1;
    unsigned long cp = 0;
    if (s[1] == '#') {
        int hex = len > 2 && (s[2] == 'x' || s[2] == 'X');
        i = hex ? 3 : 2;
        size_t start = i;
        while (i < len && i - start < 8 && (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]))) {
            int c = (unsigned char)s[i];
            cp = cp * (hex ? 16 : 10) + (unsigned long)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
            i++;
        }
        if (i == start)
            return 0;
        if (i < len && s[i] == ';')
            i++;
        if (cp == 0 || cp > 0x10FFFF)
            cp = 0xFFFD;
    } else {
        while (i < len && i < 10 && isalnum((unsigned char)s[i]))
            i++;
        if (i >= len || s[i] != ';')
            return 0;
        size_t n = i - 1;
        int found = 0;
        for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
            if (strlen(entities[k].name) == n && memcmp(entities[k].name, s + 1, n) == 0) {
                cp = entities[k].cp;
                found = 1;
                break;
            }
        }
        if (!found)
            return 0;
        i++;
    }
    *out_len = (cp == 0x200C || cp == 0x200D || cp == 0xAD) ? 0 : mcp__utf8_put((uint32_t)cp, out);
    return i;
}

/* Value of attribute name in the tag text t (between '<' and '>'), entity-decoded; malloc'ed or NULL. */
static char *attr_value(const char *t, size_t n, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl < n; i++) {
        if (strncasecmp(t + i, name, nl) != 0 || (i > 0 && !isspace((unsigned char)t[i - 1])))
            continue;
        size_t j = i + nl;
        while (j < n && isspace((unsigned char)t[j]))
            j++;
        if (j >= n || t[j] != '=')
            continue;
        j++;
        while (j < n && isspace((unsigned char)t[j]))
            j++;
        char q = (j < n && (t[j] == '"' || t[j] == '\'')) ? t[j++] : 0;
        size_t e = j;
        while (e < n && (q ? t[e] != q : !isspace((unsigned char)t[e]) && t[e] != '>'))
            e++;
        cm_buf_t b = {0};
        cm_buf_append(&b, "", 0);
        for (size_t k = j; k < e;) {
            char u[8];
            size_t ul = 0, used = mcp_html_entity(t + k, e - k, u, &ul);
            if (used) {
                cm_buf_append(&b, u, ul);
                k += used;
            } else {
                cm_buf_append(&b, t + k++, 1);
            }
        }
        return cm_buf_take(&b);
    }
    return NULL;
}

static int tag_is(const char *name, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && strncasecmp(name, *list, n) == 0)
            return 1;
    return 0;
}

static void on_link_end(writer_t *w)
{
    if (w->href == NULL)
        return;
    const char *h = w->href;
    size_t tl = w->b.len - w->link_start;
    const char *text = w->b.data ? w->b.data + w->link_start : "";
    const char *shown = strncasecmp(h, "mailto:", 7) == 0 ? h + 7 : h;
    int useful = h[0] != '\0' && h[0] != '#' && strncasecmp(h, "javascript:", 11) != 0;
    int same = tl == strlen(shown) && strncmp(text, shown, tl) == 0;
    if (useful && !same) {
        put_text(w, " (", 2);
        w->pending_space = 0;
        cm_buf_appendz(&w->b, shown);
        cm_buf_append(&w->b, ")", 1);
    }
    free(w->href);
    w->href = NULL;
}

/* Handles one tag (t = text between '<' and '>'). */
static void on_tag(writer_t *w, const char *t, size_t n)
{
    static const char *const skip[] = {"script", "style", "head", "title", "noscript", "template", "svg", NULL};
    static const char *const blank[] = {"p",       "h1",         "h2",     "h3", "h4",  "h5", "h6",
                                        "table",   "blockquote", "ul",     "ol", "pre", "hr", "section",
                                        "article", "header",     "footer", "dl", NULL};
    static const char *const line[] = {"div",    "tr",         "br",       "dt",    "dd",   "address",
                                       "center", "form",       "fieldset", "nav",   "main", "aside",
                                       "figure", "figcaption", "caption",  "tbody", NULL};
    int closing = n > 0 && t[0] == '/';
    const char *name = t + closing;
    size_t nl = 0;
    while (nl < n - (size_t)closing && (isalnum((unsigned char)name[nl]) || name[nl] == '-'))
        nl++;
    if (nl == 0)
        return;
    if (tag_is(name, nl, skip)) {
        int self_closing = n > 0 && t[n - 1] == '/';
        if (!closing && !self_closing) {
            w->skip_depth++;
            if (nl == 6 && strncasecmp(name, "script", 6) == 0)
                w->raw = "</script";
            else if (nl == 5 && strncasecmp(name, "style", 5) == 0)
                w->raw = "</style";
        } else if (closing && w->skip_depth > 0)
            w->skip_depth--;
        return;
    }
    if (w->skip_depth > 0)
        return;
    if (tag_is(name, nl, blank)) {
        block_break(w, 2);
        if (nl == 3 && strncasecmp(name, "pre", 3) == 0)
            w->pre = !closing;
    } else if (tag_is(name, nl, line)) {
        block_break(w, 1);
    } else if (nl == 2 && strncasecmp(name, "li", 2) == 0 && !closing) {
        block_break(w, 1);
        flush_pending(w);
        if (w->b.len > 0 && w->b.data[w->b.len - 1] != '\n')
            cm_buf_append(&w->b, "\n", 1);
        cm_buf_appendz(&w->b, "- ");
    } else if (nl == 2 && (strncasecmp(name, "td", 2) == 0 || strncasecmp(name, "th", 2) == 0) && closing) {
        w->pending_space = 1;
    } else if (nl == 1 && (name[0] == 'a' || name[0] == 'A')) {
        if (closing) {
            on_link_end(w);
        } else {
            free(w->href);
            w->href = attr_value(name + 1, n - (size_t)closing - 1, "href");
            flush_pending(w);
            w->link_start = w->b.len;
        }
    } else if (nl == 3 && strncasecmp(name, "img", 3) == 0) {
        char *alt = attr_value(name + 3, n - 3, "alt");
        if (alt != NULL && alt[0] != '\0') {
            w->pending_space = 1;
            put_text(w, alt, strlen(alt));
            w->pending_space = 1;
        }
        free(alt);
    }
}

char *mcp_html_to_text(const char *html, size_t len)
{
    writer_t w = {0};
    cm_buf_append(&w.b, "", 0);
    size_t i = 0;
    while (i < len) {
        char c = html[i];
        if (w.raw != NULL) { /* script/style content: skip to the end tag, whatever it holds */
            size_t rl = strlen(w.raw), k = i;
            while (k + rl <= len && strncasecmp(html + k, w.raw, rl) != 0)
                k++;
            i = k + rl <= len ? k : len;
            w.raw = NULL;
            continue;
        }
        if (c == '<') {
            if (len - i >= 4 && memcmp(html + i, "<!--", 4) == 0) {
                const char *e = NULL;
                for (size_t k = i + 4; k + 3 <= len; k++)
                    if (memcmp(html + k, "-->", 3) == 0) {
                        e = html + k;
                        break;
                    }
                i = e ? (size_t)(e - html) + 3 : len;
                continue;
            }
            size_t k = i + 1;
            char q = 0;
            while (k < len && (q || html[k] != '>')) { /* quoted attribute values may hold '>' */
                if (q && html[k] == q)
                    q = 0;
                else if (!q && (html[k] == '"' || html[k] == '\'') && k > i + 1 && html[k - 1] == '=')
                    q = html[k];
                k++;
            }
            int is_tag = i + 1 < len && (isalpha((unsigned char)html[i + 1]) || html[i + 1] == '/' ||
                                         html[i + 1] == '!' || html[i + 1] == '?');
            if (!is_tag) {
                if (w.skip_depth == 0)
                    put_text(&w, "<", 1);
                i++;
                continue;
            }
            if (html[i + 1] != '!' && html[i + 1] != '?')
                on_tag(&w, html + i + 1, (k < len ? k : len) - i - 1);
            i = k < len ? k + 1 : len;
            continue;
        }
        if (w.skip_depth > 0) {
            i++;
            continue;
        }
        if (c == '&') {
            char u[8];
            size_t ul = 0, used = mcp_html_entity(html + i, len - i, u, &ul);
            if (used) {
                if (ul == 1 && u[0] == ' ' && !w.pre)
                    w.pending_space = 1;
                else
                    put_text(&w, u, ul);
                i += used;
                continue;
            }
        }
        put_text(&w, html + i, 1);
        i++;
    }
    on_link_end(&w);
    /* trim the end */
    while (w.b.len > 0 && (w.b.data[w.b.len - 1] == ' ' || w.b.data[w.b.len - 1] == '\n'))
        w.b.data[--w.b.len] = '\0';
    char *r = cm_buf_take(&w.b);
    if (r == NULL)
        return NULL;
    if (mcp__utf8_valid(r, strlen(r)))
        return r;
    char *u = mcp_mime_to_utf8(r, strlen(r), NULL);
    free(r);
    return u;
}
