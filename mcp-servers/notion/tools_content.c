/*
 * tools_content.c - get_page_content: the block tree of a page (GET /v1/blocks/{id}/children, start_cursor paging),
 * level by level down to max_depth, within a budget of max_blocks blocks and NT_MAX_CONTENT_REQUESTS requests, one
 * request at a time (each started from the previous one's callback: Notion averages 3 requests a second per
 * integration), rendered as markdown (md_render.c). Child pages and databases are links, not descended into; a block
 * whose children were left out is marked in the text.
 */
#include "notion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pending {
    json_t *target; /* the children array to fill (borrowed from the tree) */
    json_t *block;  /* the block whose children they are (borrowed), NULL for the page */
    char id[NT_ID_LEN + 1];
    int depth;
} pending_t;

typedef struct gc {
    char page_id[NT_ID_LEN + 1];
    json_t *root;
    pending_t *queue;
    size_t head, len, cap;
    char cursor[128]; /* of the item at head, "" for its first page */
    size_t blocks, max_blocks, requests;
    int max_depth, truncated;
    char stopped[1600]; /* the error that ended the reading early, "" when none */
} gc_t;

static void gc_free(void *p)
{
    gc_t *g = p;
    json_decref(g->root);
    free(g->queue);
    free(g);
}

static int enqueue(gc_t *g, json_t *target, json_t *block, const char *id, int depth)
{
    if (g->len == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        pending_t *q = realloc(g->queue, cap * sizeof(*q));
        if (q == NULL)
            return -1;
        g->queue = q;
        g->cap = cap;
    }
    pending_t *e = &g->queue[g->len++];
    *e = (pending_t){.target = target, .block = block, .depth = depth};
    snprintf(e->id, sizeof(e->id), "%s", id);
    return 0;
}

static void finish(mcp_call_t *c, gc_t *g)
{
    cm_buf_t b = {0}, md = {0};
    for (size_t i = g->head; i < g->len; i++) { /* what the budget left out */
        if (g->queue[i].block != NULL)
            json_object_set_new(g->queue[i].block, "_children_omitted", json_true());
        g->truncated = 1;
    }
    nt_md_render(&md, g->root);
    cm_buf_printf(
        &b, "Content of page %s: %zu blocks, %zu requests, depth up to %d%s%s%s.\n\n", g->page_id, g->blocks,
        g->requests, g->max_depth, g->stopped[0] ? "; truncated, reading stopped at an error: " : "", g->stopped,
        g->truncated && !g->stopped[0]
            ? "; truncated (the block or request budget ran out: raise max_blocks, or read a nested block with "
              "get_page_content on its id)"
            : "");
    if (md.len > 0)
        cm_buf_append(&b, md.data, md.len);
    else
        cm_buf_appendz(&b, "(no content)\n");
    json_t *out =
        json_pack("{s:s, s:s, s:I, s:I, s:b}", "page_id", g->page_id, "markdown", md.data ? md.data : "", "blocks",
                  (json_int_t)g->blocks, "requests", (json_int_t)g->requests, "truncated", g->truncated);
    cm_buf_free(&md);
    gc_free(g);
    mcp_tool_finish_buf(c, &b, out);
}

static void fetch_next(mcp_call_t *c, gc_t *g);

/* A failed children request after some content was read: the answer is what was read, marked truncated with the
 * error (a rate limit halfway down a large page should not throw the rest away). */
static int on_failed(mcp_call_t *c, const char *text, void *arg)
{
    gc_t *g = arg;
    if (g->blocks == 0)
        return 0;
    snprintf(g->stopped, sizeof(g->stopped), "%s", text);
    g->truncated = 1;
    finish(c, g);
    return 1;
}

static void on_children(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    gc_t *g = arg;
    pending_t *e = &g->queue[g->head];
    json_t *results = json_object_get(res->json, "results"), *blk;
    size_t i;
    g->requests++;
    json_array_foreach(results, i, blk)
    {
        if (g->blocks >= g->max_blocks) {
            g->truncated = 1;
            break;
        }
        const char *type = json_string_value(json_object_get(blk, "type"));
        const char *id = json_string_value(json_object_get(blk, "id"));
        json_array_append(e->target, blk);
        g->blocks++;
        int nested = json_is_true(json_object_get(blk, "has_children")) && type != NULL &&
                     strcmp(type, "child_page") != 0 && strcmp(type, "child_database") != 0;
        if (!nested)
            continue;
        json_t *kids = json_array();
        if (e->depth < g->max_depth && nt_id_ok(id) && kids != NULL &&
            json_object_set_new(blk, "children", kids) == 0) {
            if (enqueue(g, kids, blk, id, e->depth + 1) != 0) {
                gc_free(g);
                mcp_call_fail(c, "out of memory");
                return;
            }
            e = &g->queue[g->head]; /* the queue may have moved */
        } else {
            json_decref(kids);
            json_object_set_new(blk, "_children_omitted", json_true());
        }
    }
    const char *next = json_string_value(json_object_get(res->json, "next_cursor"));
    if (json_is_true(json_object_get(res->json, "has_more")) && next != NULL && next[0] != '\0' &&
        strlen(next) < sizeof(g->cursor) && g->blocks < g->max_blocks) {
        snprintf(g->cursor, sizeof(g->cursor), "%s", next);
    } else {
        if (json_is_true(json_object_get(res->json, "has_more"))) {
            g->truncated = 1;
            if (e->block != NULL)
                json_object_set_new(e->block, "_children_omitted", json_true());
        }
        g->cursor[0] = '\0';
        g->head++;
    }
    fetch_next(c, g);
}

static void fetch_next(mcp_call_t *c, gc_t *g)
{
    if (g->head >= g->len || g->blocks >= g->max_blocks || g->requests >= NT_MAX_CONTENT_REQUESTS) {
        finish(c, g);
        return;
    }
    pending_t *e = &g->queue[g->head];
    char path[64], size[16], subject[64];
    size_t left = g->max_blocks - g->blocks;
    snprintf(size, sizeof(size), "%zu", left < 100 ? left : 100);
    const char *q[] = {"page_size", size, "start_cursor", g->cursor[0] ? g->cursor : NULL, NULL};
    snprintf(path, sizeof(path), "/blocks/%s/children", e->id);
    snprintf(subject, sizeof(subject), "%s %s", e->block ? "block" : "page", e->id);
    notion_fetch_partial(c, notion_url(path, q), subject, on_children, on_failed, g, gc_free);
}

void nt_get_page_content(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    gc_t *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    if (nt_id_arg(c, args, "page_id", g->page_id) != 0) {
        free(g);
        return;
    }
    g->root = json_array();
    g->max_depth = (int)json_integer_value(json_object_get(args, "max_depth"));
    g->max_blocks = (size_t)json_integer_value(json_object_get(args, "max_blocks"));
    if (g->root == NULL || enqueue(g, g->root, NULL, g->page_id, 1) != 0) {
        gc_free(g);
        mcp_call_fail(c, "out of memory");
        return;
    }
    fetch_next(c, g);
}
