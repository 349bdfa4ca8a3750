/*
 * md_blocks.c - markdown-ish text to Notion blocks and rich text, split to fit Notion's request limits
 * (notion_md.h). Notion counts text.content as JavaScript does (UTF-16 code units), so a character outside the
 * Basic Multilingual Plane counts 2; a split never falls inside a character.
 */
#include "common/status.h"
#include "notion_md.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { A_BOLD = 1, A_ITALIC = 2, A_STRIKE = 4, A_CODE = 8 };

/* The byte length of the UTF-8 sequence that starts with ch (1 for a stray continuation byte). */
static size_t u8_len(unsigned char ch)
{
    return ch < 0xC0 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
}

size_t nt_utf16_len(const char *s, size_t len)
{
    size_t units = 0;
    for (size_t i = 0; i < len;) {
        size_t cl = u8_len((unsigned char)s[i]);
        units += cl == 4 ? 2 : 1;
        i += cl;
    }
    return units;
}

/* ---- rich text ---- */

typedef struct inl {
    json_t *arr;
    cm_buf_t seg;
    int ann;
    const char *url; /* the link of the text being read, or NULL */
    size_t url_len;
    int failed;
} inl_t;

/* One rich_text object for s[0..n) (n > 0) with the annotations and link of p. */
static void emit_one(inl_t *p, const char *s, size_t n)
{
    json_t *text = json_pack("{s:s%}", "content", s, n);
    if (text != NULL && p->url != NULL)
        json_object_set_new(text, "link", json_pack("{s:s%}", "url", p->url, p->url_len));
    json_t *o = text ? json_pack("{s:s, s:o}", "type", "text", "text", text) : NULL;
    if (o != NULL && p->ann != 0)
        json_object_set_new(o, "annotations",
                            json_pack("{s:b, s:b, s:b, s:b}", "bold", (p->ann & A_BOLD) != 0, "italic",
                                      (p->ann & A_ITALIC) != 0, "strikethrough", (p->ann & A_STRIKE) != 0, "code",
                                      (p->ann & A_CODE) != 0));
    if (o == NULL || json_array_append_new(p->arr, o) != 0)
        p->failed = 1;
}

/* The pending segment as rich_text objects of at most NT_TEXT_MAX UTF-16 units each. */
static void flush(inl_t *p)
{
    const char *s = p->seg.data;
    size_t n = p->seg.len, off = 0;
    if (p->seg.failed)
        p->failed = 1;
    while (off < n) {
        size_t units = 0, i = off;
        while (i < n) {
            size_t cl = u8_len((unsigned char)s[i]), u = cl == 4 ? 2 : 1;
            if (units + u > NT_TEXT_MAX)
                break;
            units += u;
            i = i + cl > n ? n : i + cl;
        }
        emit_one(p, s + off, i - off);
        off = i;
    }
    p->seg.len = 0;
}

static int is_word(char ch)
{
    return isalnum((unsigned char)ch) || (unsigned char)ch >= 0x80;
}

/* The index of the marker m (mlen bytes) that closes an emphasis opened at s[from - mlen], or 0 when none: the
 * closer follows a non-space, and an underscore closer is not inside a word (snake_case stays text). */
static size_t closer(const char *s, size_t n, size_t from, const char *m, size_t mlen)
{
    for (size_t i = from + 1; i + mlen <= n; i++) {
        if (memcmp(s + i, m, mlen) != 0)
            continue;
        if (m[0] == '`')
            return i;
        if (isspace((unsigned char)s[i - 1]))
            continue;
        if (m[0] == '_' && i + mlen < n && is_word(s[i + mlen]))
            continue;
        return i;
    }
    return 0;
}

/* A link "[text](url)" at s[i]: 1 with the text and url spans, else 0. Only http(s) and mailto URLs of at most
 * NT_URL_MAX characters count (Notion refuses others with 400). */
static int link_at(const char *s, size_t n, size_t i, size_t *ts, size_t *te, size_t *us, size_t *ue)
{
    const char *close = memchr(s + i + 1, ']', n - i - 1);
    if (close == NULL || (size_t)(close - s) + 1 >= n || close[1] != '(')
        return 0;
    size_t u = (size_t)(close - s) + 2, e = u;
    while (e < n && s[e] != ')' && !isspace((unsigned char)s[e]))
        e++;
    if (e >= n || s[e] != ')' || e - u > NT_URL_MAX)
        return 0;
    if (strncmp(s + u, "http://", 7) != 0 && strncmp(s + u, "https://", 8) != 0 && strncmp(s + u, "mailto:", 7) != 0)
        return 0;
    *ts = i + 1;
    *te = (size_t)(close - s);
    *us = u;
    *ue = e;
    return 1;
}

static void parse_inline(inl_t *p, const char *s, size_t n)
{
    static const struct {
        const char *m;
        size_t len;
        int ann;
    } marks[] = {{"**", 2, A_BOLD}, {"__", 2, A_BOLD}, {"~~", 2, A_STRIKE}, {"*", 1, A_ITALIC}, {"_", 1, A_ITALIC}};
    for (size_t i = 0; i < n;) {
        char ch = s[i];
        if (p->ann & A_CODE) { /* inside code only the closing backtick is special */
            if (ch == '`') {
                flush(p);
                p->ann &= ~A_CODE;
            } else {
                cm_buf_append(&p->seg, s + i, 1);
            }
            i++;
            continue;
        }
        if (ch == '\\' && i + 1 < n && ispunct((unsigned char)s[i + 1])) {
            cm_buf_append(&p->seg, s + i + 1, 1);
            i += 2;
            continue;
        }
        if (ch == '`' && closer(s, n, i, "`", 1) != 0) {
            flush(p);
            p->ann |= A_CODE;
            i++;
            continue;
        }
        size_t ts, te, us, ue;
        if (ch == '[' && p->url == NULL && link_at(s, n, i, &ts, &te, &us, &ue)) {
            flush(p);
            p->url = s + us;
            p->url_len = ue - us;
            parse_inline(p, s + ts, te - ts);
            flush(p);
            p->url = NULL;
            i = ue + 1;
            continue;
        }
        size_t k = 0;
        for (; k < sizeof(marks) / sizeof(marks[0]); k++)
            if (n - i >= marks[k].len && memcmp(s + i, marks[k].m, marks[k].len) == 0)
                break;
        if (k < sizeof(marks) / sizeof(marks[0])) {
            size_t ml = marks[k].len;
            int on = (p->ann & marks[k].ann) != 0;
            int opens = !on && i + ml < n && !isspace((unsigned char)s[i + ml]) &&
                        !(marks[k].m[0] == '_' && i > 0 && is_word(s[i - 1])) &&
                        closer(s, n, i + ml - 1, marks[k].m, ml);
            if (on || opens) {
                flush(p);
                p->ann ^= marks[k].ann;
                i += ml;
                continue;
            }
        }
        cm_buf_append(&p->seg, s + i, 1);
        i++;
    }
}

json_t *nt_rich_text(const char *s, size_t len, int inline_md)
{
    inl_t p = {.arr = json_array()};
    if (p.arr == NULL)
        return NULL;
    if (inline_md)
        parse_inline(&p, s, len);
    else
        cm_buf_append(&p.seg, s, len);
    flush(&p);
    cm_buf_free(&p.seg);
    if (p.failed) {
        json_decref(p.arr);
        return NULL;
    }
    return p.arr;
}

/* ---- code languages ---- */

const char *nt_code_language(const char *lang, size_t len)
{
    /* Notion's code.language values (2022-06-28) */
    static const char *const names[] = {
        "abap",       "arduino", "bash",        "basic",        "c",           "clojure",  "coffeescript", "c++",
        "c#",         "css",     "dart",        "diff",         "docker",      "elixir",   "elm",          "erlang",
        "flow",       "fortran", "f#",          "gherkin",      "glsl",        "go",       "graphql",      "groovy",
        "haskell",    "html",    "java",        "javascript",   "json",        "julia",    "kotlin",       "latex",
        "less",       "lisp",    "livescript",  "lua",          "makefile",    "markdown", "markup",       "matlab",
        "mermaid",    "nix",     "objective-c", "ocaml",        "pascal",      "perl",     "php",          "plain text",
        "powershell", "prolog",  "protobuf",    "python",       "r",           "reason",   "ruby",         "rust",
        "sass",       "scala",   "scheme",      "scss",         "shell",       "sql",      "swift",        "typescript",
        "vb.net",     "verilog", "vhdl",        "visual basic", "webassembly", "xml",      "yaml"};
    static const char *const alias[][2] = {{"js", "javascript"},
                                           {"jsx", "javascript"},
                                           {"ts", "typescript"},
                                           {"tsx", "typescript"},
                                           {"py", "python"},
                                           {"sh", "shell"},
                                           {"zsh", "shell"},
                                           {"console", "shell"},
                                           {"cpp", "c++"},
                                           {"cc", "c++"},
                                           {"cxx", "c++"},
                                           {"h", "c"},
                                           {"cs", "c#"},
                                           {"csharp", "c#"},
                                           {"fsharp", "f#"},
                                           {"yml", "yaml"},
                                           {"rb", "ruby"},
                                           {"rs", "rust"},
                                           {"md", "markdown"},
                                           {"kt", "kotlin"},
                                           {"golang", "go"},
                                           {"objc", "objective-c"},
                                           {"dockerfile", "docker"},
                                           {"ps1", "powershell"},
                                           {"tex", "latex"},
                                           {"make", "makefile"},
                                           {"proto", "protobuf"},
                                           {"text", "plain text"},
                                           {"txt", "plain text"},
                                           {"plain", "plain text"},
                                           {"plaintext", "plain text"},
                                           {"wasm", "webassembly"},
                                           {"vb", "visual basic"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == len && strncasecmp(names[i], lang, len) == 0)
            return names[i];
    for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (strlen(alias[i][0]) == len && strncasecmp(alias[i][0], lang, len) == 0)
            return alias[i][1];
    return "plain text";
}

/* ---- blocks ---- */

typedef struct mdp {
    json_t *blocks;
    json_t *list_body; /* the type object of the last top-level list item or to-do (nesting target), or NULL */
    cm_buf_t para, quote;
    size_t count, max;
    int failed, too_many;
} mdp_t;

static size_t children_count(json_t *block);

size_t nt_blocks_count(json_t *blocks)
{
    size_t n = 0, i;
    json_t *b;
    json_array_foreach(blocks, i, b) n += 1 + children_count(b);
    return n;
}

static size_t children_count(json_t *block)
{
    const char *type = json_string_value(json_object_get(block, "type"));
    json_t *kids = type ? json_object_get(json_object_get(block, type), "children") : NULL;
    return kids ? nt_blocks_count(kids) : 0;
}

/*
 * Appends blocks of type with the rich text of text[0..len) (inline markdown read when inline_md) to target (the
 * top level when NULL), each with a copy of extra's members in its type object (extra borrowed, may be NULL). More
 * than NT_RICH_TEXT_MAX rich_text objects go on in further blocks of the same type. Returns the type object of the
 * last block added (borrowed), or NULL.
 */
static json_t *add_block(mdp_t *p, json_t *target, const char *type, const char *text, size_t len, int inline_md,
                         json_t *extra)
{
    json_t *rt = nt_rich_text(text, len, inline_md), *body = NULL;
    if (rt == NULL) {
        p->failed = 1;
        return NULL;
    }
    size_t total = json_array_size(rt), from = 0;
    do {
        json_t *part = json_array();
        for (size_t i = from; i < total && i < from + NT_RICH_TEXT_MAX; i++)
            json_array_append(part, json_array_get(rt, i));
        body = json_pack("{s:o}", "rich_text", part);
        if (body != NULL && extra != NULL)
            json_object_update(body, extra);
        json_t *block = body ? json_pack("{s:s, s:s, s:o}", "object", "block", "type", type, type, body) : NULL;
        if (block == NULL || json_array_append_new(target ? target : p->blocks, block) != 0) {
            p->failed = 1;
            body = NULL;
            break;
        }
        if (++p->count > p->max)
            p->too_many = 1;
        from += NT_RICH_TEXT_MAX;
    } while (from < total);
    json_decref(rt);
    return body;
}

static void flush_text(mdp_t *p)
{
    if (p->para.len > 0)
        add_block(p, NULL, "paragraph", p->para.data, p->para.len, 1, NULL);
    if (p->quote.len > 0)
        add_block(p, NULL, "quote", p->quote.data, p->quote.len, 1, NULL);
    if (p->para.failed || p->quote.failed)
        p->failed = 1;
    p->para.len = p->quote.len = 0;
    if (p->para.data)
        p->para.data[0] = '\0';
    if (p->quote.data)
        p->quote.data[0] = '\0';
}

/* Appends a line to a pending paragraph or quote, joined with a line break. */
static void add_line(cm_buf_t *b, const char *s, size_t n)
{
    if (b->len > 0)
        cm_buf_append(b, "\n", 1);
    cm_buf_append(b, s, n);
}

/* A list item at line (n bytes): 1 with its type ("bulleted_list_item", "numbered_list_item", "to_do"), *checked,
 * and the text after the marker, else 0. */
static int list_item(const char *s, size_t n, const char **type, int *checked, size_t *text)
{
    size_t i = 0;
    if (n >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') {
        i = 2;
        if (n >= 5 && s[2] == '[' && (s[3] == ' ' || s[3] == 'x' || s[3] == 'X') && s[4] == ']' &&
            (n == 5 || s[5] == ' ')) {
            *type = "to_do";
            *checked = s[3] != ' ';
            *text = n == 5 ? 5 : 6;
            return 1;
        }
        *type = "bulleted_list_item";
        *text = i;
        return 1;
    }
    while (i < n && i < 9 && isdigit((unsigned char)s[i]))
        i++;
    if (i > 0 && i + 1 < n && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ') {
        *type = "numbered_list_item";
        *text = i + 2;
        return 1;
    }
    return 0;
}

static int is_divider(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n < 3 || (s[0] != '-' && s[0] != '*' && s[0] != '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (s[i] != s[0])
            return 0;
    return 1;
}

/* A fenced code block starting at *pos (its opening line is line[0..n)): the block, *pos moved past the closing
 * fence (or to the end). */
static void code_block(mdp_t *p, const char *md, size_t *pos, const char *line, size_t n)
{
    size_t ls = 3;
    while (ls < n && line[ls] == ' ')
        ls++;
    size_t le = ls;
    while (le < n && !isspace((unsigned char)line[le]))
        le++;
    json_t *extra = json_pack("{s:s}", "language", nt_code_language(line + ls, le - ls));
    cm_buf_t code = {0};
    const char *s = md + *pos;
    int first = 1;
    while (*s != '\0') {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        const char *next = e ? e + 1 : s + len;
        size_t t = len > 0 && s[len - 1] == '\r' ? len - 1 : len;
        size_t ind = 0;
        while (ind < t && ind < 3 && s[ind] == ' ')
            ind++;
        if (t - ind >= 3 && strncmp(s + ind, "```", 3) == 0) {
            s = next;
            break;
        }
        if (!first)
            cm_buf_append(&code, "\n", 1);
        cm_buf_append(&code, s, t);
        first = 0;
        s = next;
    }
    if (extra == NULL || code.failed)
        p->failed = 1;
    else
        add_block(p, NULL, "code", code.data ? code.data : "", code.len, 0, extra);
    json_decref(extra);
    cm_buf_free(&code);
    *pos = (size_t)(s - md);
}

static void one_line(mdp_t *p, const char *md, size_t *pos, const char *s, size_t n)
{
    size_t ind = 0;
    while (ind < n && s[ind] == ' ')
        ind++;
    const char *t = s + ind, *type = NULL;
    size_t tn = n - ind, text = 0;
    int checked = 0;
    if (tn == 0) {
        flush_text(p);
        return;
    }
    if (ind < 4 && tn >= 3 && strncmp(t, "```", 3) == 0) {
        flush_text(p);
        p->list_body = NULL;
        code_block(p, md, pos, t, tn);
        return;
    }
    if (ind < 4 && t[0] == '#') {
        size_t h = 0;
        while (h < tn && t[h] == '#')
            h++;
        if (h <= 6 && h < tn && t[h] == ' ') {
            static const char *const hn[] = {"heading_1", "heading_2", "heading_3"};
            flush_text(p);
            p->list_body = NULL;
            add_block(p, NULL, hn[h > 3 ? 2 : h - 1], t + h + 1, tn - h - 1, 1, NULL);
            return;
        }
    }
    if (ind < 4 && is_divider(t, tn)) {
        flush_text(p);
        p->list_body = NULL;
        json_t *d = json_pack("{s:s, s:s, s:{}}", "object", "block", "type", "divider", "divider");
        if (d == NULL || json_array_append_new(p->blocks, d) != 0)
            p->failed = 1;
        if (++p->count > p->max)
            p->too_many = 1;
        return;
    }
    if (list_item(t, tn, &type, &checked, &text)) {
        flush_text(p);
        json_t *extra = strcmp(type, "to_do") == 0 ? json_pack("{s:b}", "checked", checked) : NULL;
        json_t *target = NULL, *kids = p->list_body ? json_object_get(p->list_body, "children") : NULL;
        if (ind >= 2 && p->list_body != NULL && json_array_size(kids) < NT_CHILDREN_MAX) {
            if (kids == NULL) {
                kids = json_array();
                json_object_set_new(p->list_body, "children", kids);
            }
            target = kids;
        }
        json_t *body = add_block(p, target, type, t + text, tn - text, 1, extra);
        if (target == NULL)
            p->list_body = body;
        json_decref(extra);
        return;
    }
    p->list_body = NULL;
    if (t[0] == '>') {
        size_t q = tn > 1 && t[1] == ' ' ? 2 : 1;
        if (p->para.len > 0)
            flush_text(p);
        add_line(&p->quote, t + q, tn - q);
        return;
    }
    if (p->quote.len > 0)
        flush_text(p);
    add_line(&p->para, t, tn);
}

int nt_md_to_blocks(const char *md, size_t max_blocks, json_t **out, char *err, size_t errsz)
{
    mdp_t p = {.blocks = json_array(), .max = max_blocks};
    size_t pos = 0;
    *out = NULL;
    if (p.blocks == NULL)
        return CM_ENOMEM;
    while (md[pos] != '\0' && !p.failed && !p.too_many) {
        const char *s = md + pos, *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        pos += e ? len + 1 : len;
        if (len > 0 && s[len - 1] == '\r')
            len--;
        one_line(&p, md, &pos, s, len);
    }
    if (!p.failed && !p.too_many)
        flush_text(&p);
    cm_buf_free(&p.para);
    cm_buf_free(&p.quote);
    if (p.failed || p.too_many) {
        json_decref(p.blocks);
        if (p.too_many) {
            snprintf(err, errsz, "the content makes more than %zu blocks; send it in parts", max_blocks);
            return CM_EINVAL;
        }
        return CM_ENOMEM;
    }
    *out = p.blocks;
    return CM_OK;
}

size_t nt_blocks_chunk(json_t *blocks, size_t from)
{
    size_t n = 0, elems = 0, bytes = 0, size = json_array_size(blocks);
    while (from + n < size && n < NT_CHILDREN_MAX) {
        json_t *b = json_array_get(blocks, from + n);
        size_t e = 1 + children_count(b), by = json_dumpb(b, NULL, 0, JSON_COMPACT);
        if (n > 0 && (elems + e > NT_REQUEST_BLOCKS || bytes + by > NT_REQUEST_BYTES))
            break;
        elems += e;
        bytes += by;
        n++;
    }
    return n;
}
