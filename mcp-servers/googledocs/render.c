/*
 * render.c - a Google Docs document resource (documents.get) rendered as markdown for a model to read
 * (googledocs.h: gd_render_markdown). Structure: developers.google.com/docs/api/concepts/structure.
 *
 * The body is a list of structural elements: paragraphs (elements of text runs and other inline items, a
 * paragraphStyle with namedStyleType, and a bullet when the paragraph is a list item), tables (rows of cells, each
 * cell a list of structural elements), section breaks and tables of contents. Whether a list is numbered is not on
 * the paragraph: it is the glyphType of the list's nesting level, in the document's lists map.
 */
#include "common/status.h"
#include "googledocs.h"

#include <stdio.h>
#include <string.h>

#define MAX_LEVELS 9 /* Docs lists have nesting levels 0..8 */

typedef enum block { B_NONE, B_PARA, B_LIST, B_TABLE } block_t;

typedef struct rctx {
    json_t *lists;    /* the document's lists (borrowed) */
    json_t *counters; /* listId -> [count per level] for numbered items (owned) */
    cm_buf_t *out;
    block_t prev;
} rctx_t;

size_t gd_utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Text as markdown: the characters markdown would read as markup are escaped; a vertical tab (a line break inside a
 * paragraph, Shift+Enter) becomes a newline, or <br> in a table cell; the paragraph's final newline is dropped. */
static void put_text(cm_buf_t *b, const char *s, size_t n, int in_cell)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\n' || ch == '\r')
            continue;
        if (ch == '\v') {
            cm_buf_appendz(b, in_cell ? "<br>" : "\n");
            continue;
        }
        if (strchr("\\*`[]", ch) != NULL || (in_cell && ch == '|'))
            cm_buf_append(b, "\\", 1);
        cm_buf_append(b, &ch, 1);
    }
}

/* One span of equal style: whitespace kept outside the emphasis marks (markdown does not close "**a **"). */
static void put_span(cm_buf_t *b, const char *s, size_t n, int bold, int italic, const char *url, int in_cell)
{
    size_t lead = 0, trail = 0;
    while (lead < n && strchr(" \t\n\v", s[lead]) != NULL)
        lead++;
    while (trail < n - lead && strchr(" \t\n\v", s[n - 1 - trail]) != NULL)
        trail++;
    const char *mark = bold && italic ? "***" : bold ? "**" : italic ? "*" : "";
    put_text(b, s, lead, in_cell);
    if (lead < n) {
        if (url != NULL)
            cm_buf_append(b, "[", 1);
        cm_buf_appendz(b, mark);
        put_text(b, s + lead, n - lead - trail, in_cell);
        cm_buf_appendz(b, mark);
        if (url != NULL) {
            cm_buf_append(b, "](", 2);
            for (const char *u = url; *u; u++) {
                if (*u == ' ' || *u == '(' || *u == ')' || (unsigned char)*u < 0x20)
                    cm_buf_printf(b, "%%%02X", (unsigned char)*u);
                else
                    cm_buf_append(b, u, 1);
            }
            cm_buf_append(b, ")", 1);
        }
        put_text(b, s + n - trail, trail, in_cell);
    }
}

/* The inline markdown of a paragraph's elements, adjacent runs of the same style joined. *hr set when the paragraph
 * holds a horizontal rule or a page break. */
static void put_elements(cm_buf_t *line, json_t *elements, int in_cell, int *hr)
{
    cm_buf_t span = {0};
    int bold = 0, italic = 0;
    const char *url = NULL;
    size_t i;
    json_t *el;
#define FLUSH()                                                                                                        \
    do {                                                                                                               \
        if (span.len)                                                                                                  \
            put_span(line, span.data, span.len, bold, italic, url, in_cell);                                           \
        span.len = 0;                                                                                                  \
    } while (0)
    json_array_foreach(elements, i, el)
    {
        json_t *run = json_object_get(el, "textRun");
        if (run != NULL) {
            json_t *st = json_object_get(run, "textStyle");
            const char *content = json_string_value(json_object_get(run, "content"));
            int b = json_is_true(json_object_get(st, "bold")), it = json_is_true(json_object_get(st, "italic"));
            const char *u = json_string_value(json_object_get(json_object_get(st, "link"), "url"));
            if (span.len && (b != bold || it != italic || (u == NULL) != (url == NULL) || (u && strcmp(u, url))))
                FLUSH();
            bold = b, italic = it, url = u;
            if (content != NULL)
                cm_buf_appendz(&span, content);
            continue;
        }
        FLUSH();
        if (json_object_get(el, "horizontalRule") != NULL || json_object_get(el, "pageBreak") != NULL)
            *hr = 1;
        else if (json_object_get(el, "inlineObjectElement") != NULL)
            cm_buf_appendz(line, "[image]");
        else if (json_object_get(el, "footnoteReference") != NULL)
            cm_buf_printf(line, "[^%s]",
                          json_string_value(json_object_get(json_object_get(el, "footnoteReference"), "footnoteNumber"))
                              ?: "?");
        else if (json_object_get(el, "person") != NULL) {
            json_t *pp = json_object_get(json_object_get(el, "person"), "personProperties");
            const char *name = json_string_value(json_object_get(pp, "name"));
            const char *email = json_string_value(json_object_get(pp, "email"));
            put_text(line, name ? name : email ? email : "", strlen(name ? name : email ? email : ""), in_cell);
        } else if (json_object_get(el, "richLink") != NULL) {
            json_t *rp = json_object_get(json_object_get(el, "richLink"), "richLinkProperties");
            const char *t = json_string_value(json_object_get(rp, "title"));
            const char *u = json_string_value(json_object_get(rp, "uri"));
            if (t != NULL || u != NULL)
                put_span(line, t ? t : u, strlen(t ? t : u), 0, 0, u, in_cell);
        }
    }
    FLUSH();
#undef FLUSH
    cm_buf_free(&span);
}

static int ordered_glyph(const char *g)
{
    static const char *const numbered[] = {"DECIMAL", "ZERO_DECIMAL", "UPPER_ALPHA", "ALPHA", "UPPER_ROMAN", "ROMAN"};
    for (size_t i = 0; g != NULL && i < sizeof(numbered) / sizeof(numbered[0]); i++)
        if (strcmp(g, numbered[i]) == 0)
            return 1;
    return 0;
}

/* The list marker of a list item ("- " or "N. "), numbered per list and level; deeper levels restart. */
static void put_marker(rctx_t *x, cm_buf_t *b, const char *list_id, int level)
{
    json_t *lv = json_array_get(
        json_object_get(json_object_get(json_object_get(x->lists, list_id), "listProperties"), "nestingLevels"),
        (size_t)level);
    if (!ordered_glyph(json_string_value(json_object_get(lv, "glyphType")))) {
        cm_buf_appendz(b, "- ");
        return;
    }
    json_t *cnt = json_object_get(x->counters, list_id);
    if (cnt == NULL) {
        cnt = json_array();
        for (int i = 0; i < MAX_LEVELS; i++)
            json_array_append_new(cnt, json_integer(0));
        json_object_set_new(x->counters, list_id, cnt);
    }
    json_int_t n = json_integer_value(json_array_get(cnt, (size_t)level)) + 1;
    json_array_set_new(cnt, (size_t)level, json_integer(n));
    for (int i = level + 1; i < MAX_LEVELS; i++)
        json_array_set_new(cnt, (size_t)i, json_integer(0));
    cm_buf_printf(b, "%lld. ", (long long)n);
}

static int heading_level(const char *style)
{
    if (style == NULL)
        return 0;
    if (strcmp(style, "TITLE") == 0)
        return 1;
    if (strcmp(style, "SUBTITLE") == 0)
        return 2;
    if (strncmp(style, "HEADING_", 8) == 0 && style[8] >= '1' && style[8] <= '6' && style[9] == '\0')
        return style[8] - '0';
    return 0;
}

/* A plain paragraph starting with what markdown would read as a heading, quote, list or rule: escaped. */
static void escape_line_start(cm_buf_t *b, const char *s, size_t n)
{
    size_t d = 0;
    while (d < n && s[d] >= '0' && s[d] <= '9')
        d++;
    if (n > 0 && strchr("#>-+=", s[0]) != NULL)
        cm_buf_append(b, "\\", 1);
    else if (d > 0 && d < n && (s[d] == '.' || s[d] == ')')) {
        cm_buf_append(b, s, d);
        cm_buf_append(b, "\\", 1);
        s += d, n -= d;
    }
    cm_buf_append(b, s, n);
}

static void separate(rctx_t *x, block_t kind)
{
    if (x->prev != B_NONE)
        cm_buf_appendz(x->out, x->prev == B_LIST && kind == B_LIST ? "\n" : "\n\n");
    x->prev = kind;
}

static void put_paragraph(rctx_t *x, json_t *para)
{
    cm_buf_t line = {0};
    int hr = 0;
    put_elements(&line, json_object_get(para, "elements"), 0, &hr);
    json_t *bullet = json_object_get(para, "bullet");
    const char *list_id = json_string_value(json_object_get(bullet, "listId"));
    int level = (int)json_integer_value(json_object_get(bullet, "nestingLevel"));
    int heading =
        heading_level(json_string_value(json_object_get(json_object_get(para, "paragraphStyle"), "namedStyleType")));
    size_t blank = 0;
    while (blank < line.len && strchr(" \t\n", line.data[blank]) != NULL)
        blank++;
    if (blank == line.len) { /* empty paragraphs only space the document out */
        /* nothing */
    } else if (list_id != NULL) {
        level = level < 0 ? 0 : level >= MAX_LEVELS ? MAX_LEVELS - 1 : level;
        separate(x, B_LIST);
        for (int i = 0; i < level; i++)
            cm_buf_appendz(x->out, "    ");
        put_marker(x, x->out, list_id, level);
        cm_buf_append(x->out, line.data, line.len);
    } else if (heading > 0) {
        separate(x, B_PARA);
        cm_buf_printf(x->out, "%.*s %.*s", heading, "######", (int)(line.len - blank), line.data + blank);
    } else {
        separate(x, B_PARA);
        escape_line_start(x->out, line.data, line.len);
    }
    if (hr) { /* after the paragraph's text: a page break ends the page the text is on */
        separate(x, B_PARA);
        cm_buf_appendz(x->out, "---");
    }
    cm_buf_free(&line);
}

/* A cell: its paragraphs' inline markdown joined with <br> (a pipe table row is one line). */
static void put_cell(cm_buf_t *b, json_t *content)
{
    size_t i;
    json_t *se;
    int first = 1;
    json_array_foreach(content, i, se)
    {
        json_t *para = json_object_get(se, "paragraph");
        cm_buf_t line = {0};
        int hr = 0;
        if (json_object_get(se, "table") != NULL)
            cm_buf_appendz(&line, "[table]");
        else if (para != NULL)
            put_elements(&line, json_object_get(para, "elements"), 1, &hr);
        if (line.len > 0) {
            if (!first)
                cm_buf_appendz(b, "<br>");
            if (json_object_get(para, "bullet") != NULL)
                cm_buf_appendz(b, "• ");
            cm_buf_append(b, line.data, line.len);
            first = 0;
        }
        cm_buf_free(&line);
    }
}

static void put_table(rctx_t *x, json_t *table)
{
    json_t *rows = json_object_get(table, "tableRows"), *row;
    size_t cols = (size_t)json_integer_value(json_object_get(table, "columns")), r;
    json_array_foreach(rows, r, row) if (json_array_size(json_object_get(row, "tableCells")) > cols) cols =
        json_array_size(json_object_get(row, "tableCells"));
    if (cols == 0 || json_array_size(rows) == 0)
        return;
    separate(x, B_TABLE);
    json_array_foreach(rows, r, row)
    {
        json_t *cells = json_object_get(row, "tableCells");
        if (r > 0)
            cm_buf_append(x->out, "\n", 1);
        cm_buf_append(x->out, "|", 1);
        for (size_t ci = 0; ci < cols; ci++) {
            cm_buf_append(x->out, " ", 1);
            put_cell(x->out, json_object_get(json_array_get(cells, ci), "content"));
            cm_buf_appendz(x->out, " |");
        }
        if (r == 0) {
            cm_buf_append(x->out, "\n|", 2);
            for (size_t ci = 0; ci < cols; ci++)
                cm_buf_appendz(x->out, " --- |");
        }
    }
}

static void put_content(rctx_t *x, json_t *content)
{
    size_t i;
    json_t *se;
    json_array_foreach(content, i, se)
    {
        if (json_object_get(se, "paragraph") != NULL)
            put_paragraph(x, json_object_get(se, "paragraph"));
        else if (json_object_get(se, "table") != NULL)
            put_table(x, json_object_get(se, "table"));
        else if (json_object_get(se, "tableOfContents") != NULL)
            put_content(x, json_object_get(json_object_get(se, "tableOfContents"), "content"));
    }
}

int gd_render_markdown(json_t *doc, cm_buf_t *out)
{
    rctx_t x = {.lists = json_object_get(doc, "lists"), .counters = json_object(), .out = out, .prev = B_NONE};
    if (x.counters == NULL)
        return CM_ENOMEM;
    put_content(&x, json_object_get(json_object_get(doc, "body"), "content"));
    if (x.prev != B_NONE)
        cm_buf_append(out, "\n", 1);
    json_decref(x.counters);
    return out->failed ? CM_ENOMEM : CM_OK;
}
