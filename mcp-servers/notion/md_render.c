/*
 * md_render.c - Notion blocks (as GET /v1/blocks/{id}/children returns them, children attached) to markdown
 * (notion_md.h). A block's text is rendered first and then written line by line behind the indentation of its
 * level, so that multi-line paragraphs, quotes and code inside list items stay inside them.
 */
#include "notion_md.h"

#include <string.h>

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

void nt_plain_text(cm_buf_t *b, json_t *rich_text)
{
    size_t i;
    json_t *t;
    json_array_foreach(rich_text, i, t)
    {
        const char *s = str(t, "plain_text");
        if (s == NULL)
            s = str(json_object_get(t, "text"), "content");
        if (s != NULL)
            cm_buf_appendz(b, s);
    }
}

void nt_md_rich_text(cm_buf_t *b, json_t *rich_text)
{
    size_t i;
    json_t *t;
    json_array_foreach(rich_text, i, t)
    {
        const char *type = str(t, "type");
        const char *s = str(t, "plain_text");
        if (type != NULL && strcmp(type, "equation") == 0) {
            cm_buf_printf(b, "$%s$", str(json_object_get(t, "equation"), "expression") ?: (s ? s : ""));
            continue;
        }
        if (s == NULL)
            s = str(json_object_get(t, "text"), "content");
        if (s == NULL || s[0] == '\0')
            continue;
        json_t *a = json_object_get(t, "annotations");
        const char *href = str(t, "href");
        if (href == NULL)
            href = str(json_object_get(json_object_get(t, "text"), "link"), "url");
        int code = json_is_true(json_object_get(a, "code")), bold = json_is_true(json_object_get(a, "bold"));
        int italic = json_is_true(json_object_get(a, "italic"));
        int strike = json_is_true(json_object_get(a, "strikethrough"));
        if (href != NULL)
            cm_buf_appendz(b, "[");
        cm_buf_appendz(b, strike ? "~~" : "");
        cm_buf_appendz(b, bold ? "**" : "");
        cm_buf_appendz(b, italic ? "*" : "");
        cm_buf_appendz(b, code ? "`" : "");
        cm_buf_appendz(b, s);
        cm_buf_appendz(b, code ? "`" : "");
        cm_buf_appendz(b, italic ? "*" : "");
        cm_buf_appendz(b, bold ? "**" : "");
        cm_buf_appendz(b, strike ? "~~" : "");
        if (href != NULL)
            cm_buf_printf(b, "](%s)", href);
    }
}

/* Appends text behind first (its first line) and prefix (the following lines), then a line break. */
static void put_lines(cm_buf_t *b, const char *first, const char *prefix, const char *text, size_t len)
{
    cm_buf_appendz(b, first);
    for (size_t i = 0; i < len; i++) {
        cm_buf_append(b, text + i, 1);
        if (text[i] == '\n')
            cm_buf_appendz(b, prefix);
    }
    cm_buf_append(b, "\n", 1);
}

/* https://www.notion.so/<id without hyphens> (Notion resolves it for whoever may see the page). */
static void notion_link(cm_buf_t *b, const char *label, const char *title, const char *id)
{
    cm_buf_printf(b, "[%s%s](https://www.notion.so/", label, title && title[0] ? title : "Untitled");
    for (const char *p = id ? id : ""; *p; p++)
        if (*p != '-')
            cm_buf_append(b, p, 1);
    cm_buf_appendz(b, ")");
}

/* The URL of a file-like block body (external or Notion-hosted). */
static const char *file_url(json_t *body)
{
    const char *u = str(json_object_get(body, "external"), "url");
    return u ? u : str(json_object_get(body, "file"), "url");
}

static void render_level(cm_buf_t *b, json_t *blocks, const char *indent);

/* A table block's rows (its table_row children) as a markdown table, the first row as the header. */
static void render_table(cm_buf_t *b, json_t *rows, const char *indent)
{
    size_t i, j, width = 0;
    json_t *row, *cell;
    json_array_foreach(rows, i, row)
    {
        json_t *cells = json_object_get(json_object_get(row, "table_row"), "cells");
        cm_buf_appendz(b, indent);
        cm_buf_appendz(b, "|");
        json_array_foreach(cells, j, cell)
        {
            cm_buf_t c = {0};
            nt_md_rich_text(&c, cell);
            cm_buf_appendz(b, " ");
            for (size_t k = 0; k < c.len; k++) {
                if (c.data[k] == '\n' || c.data[k] == '|')
                    cm_buf_appendz(b, c.data[k] == '\n' ? "<br>" : "\\|"); /* a cell is one line, | ends it */
                else
                    cm_buf_append(b, c.data + k, 1);
            }
            cm_buf_appendz(b, " |");
            cm_buf_free(&c);
        }
        cm_buf_appendz(b, "\n");
        if (i == 0) {
            width = json_array_size(cells);
            cm_buf_appendz(b, indent);
            cm_buf_appendz(b, "|");
            for (j = 0; j < width; j++)
                cm_buf_appendz(b, " --- |");
            cm_buf_appendz(b, "\n");
        }
    }
}

/* One block (not a table) with its children. *number is the running number of a numbered list at this level. */
static void render_block(cm_buf_t *b, json_t *block, const char *indent, int *number)
{
    const char *type = str(block, "type");
    json_t *body = type ? json_object_get(block, type) : NULL;
    json_t *kids = json_object_get(block, "children");
    cm_buf_t text = {0}, first = {0}, next = {0};
    int children_inside = 0; /* the block renders its own children (toggle) */
    if (type == NULL)
        return;
    nt_md_rich_text(&text, json_object_get(body, "rich_text"));
    cm_buf_appendz(&first, indent);
    cm_buf_appendz(&next, indent);
    const char *t = text.data ? text.data : "";
    if (strcmp(type, "numbered_list_item") != 0)
        *number = 0;
    if (strncmp(type, "heading_", 8) == 0 && type[8] >= '1' && type[8] <= '3' && type[9] == '\0') {
        cm_buf_appendz(&first, type[8] == '1' ? "# " : type[8] == '2' ? "## " : "### ");
        put_lines(b, first.data ?: "", next.data ?: "", t, text.len);
    } else if (strcmp(type, "paragraph") == 0) {
        put_lines(b, first.data ?: "", next.data ?: "", t, text.len);
    } else if (strcmp(type, "bulleted_list_item") == 0) {
        cm_buf_appendz(&first, "- ");
        cm_buf_appendz(&next, "  ");
        put_lines(b, first.data ?: "", next.data ?: "", t, text.len);
    } else if (strcmp(type, "numbered_list_item") == 0) {
        cm_buf_printf(&first, "%d. ", ++*number);
        cm_buf_appendz(&next, "   ");
        put_lines(b, first.data ?: "", next.data ?: "", t, text.len);
    } else if (strcmp(type, "to_do") == 0) {
        cm_buf_appendz(&first, json_is_true(json_object_get(body, "checked")) ? "- [x] " : "- [ ] ");
        cm_buf_appendz(&next, "      ");
        put_lines(b, first.data ?: "", next.data ?: "", t, text.len);
    } else if (strcmp(type, "quote") == 0 || strcmp(type, "callout") == 0) {
        cm_buf_appendz(&first, "> ");
        cm_buf_appendz(&next, "> ");
        const char *emoji = str(json_object_get(body, "icon"), "emoji");
        if (strcmp(type, "callout") == 0)
            cm_buf_printf(&first, "%s ", emoji ? emoji : "💡");
        put_lines(b, first.data ?: "", next.data ?: "", t, text.len);
    } else if (strcmp(type, "toggle") == 0) {
        cm_buf_appendz(&first, "<details><summary>");
        cm_buf_appendz(b, first.data ?: "");
        cm_buf_append(b, t, text.len);
        cm_buf_appendz(b, "</summary>\n\n");
        render_level(b, kids, indent);
        cm_buf_printf(b, "%s</details>\n", indent);
        children_inside = 1;
    } else if (strcmp(type, "code") == 0) {
        const char *lang = str(body, "language");
        cm_buf_t code = {0};
        nt_plain_text(&code, json_object_get(body, "rich_text"));
        cm_buf_printf(b, "%s```%s\n", indent, lang && strcmp(lang, "plain text") != 0 ? lang : "");
        put_lines(b, indent, indent, code.data ? code.data : "", code.len);
        cm_buf_printf(b, "%s```\n", indent);
        cm_buf_free(&code);
    } else if (strcmp(type, "divider") == 0) {
        cm_buf_printf(b, "%s---\n", indent);
    } else if (strcmp(type, "child_page") == 0 || strcmp(type, "child_database") == 0) {
        cm_buf_appendz(b, indent);
        notion_link(b, type[6] == 'p' ? "📄 " : "🗃️ ", str(body, "title"), str(block, "id"));
        cm_buf_appendz(b, "\n");
    } else if (strcmp(type, "link_to_page") == 0) {
        const char *id = str(body, "page_id");
        cm_buf_appendz(b, indent);
        notion_link(b, "↗ ", id ? "Linked page" : "Linked database", id ? id : str(body, "database_id"));
        cm_buf_appendz(b, "\n");
    } else if (strcmp(type, "equation") == 0) {
        cm_buf_printf(b, "%s$$%s$$\n", indent, str(body, "expression") ?: "");
    } else if (strcmp(type, "image") == 0 || strcmp(type, "video") == 0 || strcmp(type, "file") == 0 ||
               strcmp(type, "pdf") == 0 || strcmp(type, "audio") == 0 || strcmp(type, "bookmark") == 0 ||
               strcmp(type, "embed") == 0 || strcmp(type, "link_preview") == 0) {
        const char *url = str(body, "url") ?: file_url(body);
        cm_buf_t cap = {0};
        nt_md_rich_text(&cap, json_object_get(body, "caption"));
        cm_buf_printf(b, "%s%s[%s](%s)\n", indent, strcmp(type, "image") == 0 ? "!" : "",
                      cap.len ? cap.data : (strcmp(type, "bookmark") == 0 || !url ? (url ? url : type) : type),
                      url ? url : "");
        cm_buf_free(&cap);
    } else if (strcmp(type, "table") == 0) {
        render_table(b, kids, indent);
        children_inside = 1;
    } else if (strcmp(type, "column_list") == 0 || strcmp(type, "column") == 0 || strcmp(type, "synced_block") == 0) {
        render_level(b, kids, indent); /* containers: their content at the same level */
        children_inside = 1;
    } else if (strcmp(type, "table_of_contents") != 0 && strcmp(type, "breadcrumb") != 0) {
        cm_buf_printf(b, "%s[%s block]\n", indent, type);
    }
    if (!children_inside && json_array_size(kids) > 0) {
        cm_buf_t deeper = {0};
        cm_buf_printf(&deeper, "%s  ", indent);
        render_level(b, kids, deeper.data ? deeper.data : "  ");
        cm_buf_free(&deeper);
    }
    if (json_is_true(json_object_get(block, "_children_omitted")))
        cm_buf_printf(b, "%s  … (nested content not loaded: depth or block limit)\n", indent);
    cm_buf_free(&text);
    cm_buf_free(&first);
    cm_buf_free(&next);
}

static int is_list(const char *type)
{
    return type && (strcmp(type, "bulleted_list_item") == 0 || strcmp(type, "numbered_list_item") == 0 ||
                    strcmp(type, "to_do") == 0);
}

/* Blocks of one level; a blank line between two of them unless both are list items, so that the markdown reads
 * back as the same blocks (adjacent lines would join into one paragraph or quote). */
static void render_level(cm_buf_t *b, json_t *blocks, const char *indent)
{
    size_t i;
    json_t *block;
    int number = 0;
    const char *prev = NULL;
    json_array_foreach(blocks, i, block)
    {
        const char *type = str(block, "type");
        if (prev != NULL && !(is_list(prev) && is_list(type)))
            cm_buf_appendz(b, "\n");
        render_block(b, block, indent, &number);
        prev = type ? type : "";
    }
}

void nt_md_render(cm_buf_t *b, json_t *blocks)
{
    render_level(b, blocks, "");
}
