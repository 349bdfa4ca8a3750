/*
 * append.c - blocks appended to a page or block in order, as many PATCH /v1/blocks/{id}/children requests as Notion's
 * limits need (nt_blocks_chunk: 100 blocks, 1,000 block elements a request), one after the other from the previous
 * one's callback. With `after`, each request goes after the last block the previous one created, so that the blocks
 * keep their order; without, each goes to the end.
 */
#include "notion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct app {
    char block_id[NT_ID_LEN + 1];
    char after[NT_ID_LEN + 1]; /* "" = at the end */
    char before[96];           /* what the tool did before, for the text of a failure */
    json_t *blocks, *ids;
    size_t from, total, requests;
    nt_append_done_fn done;
    void *arg;
    void (*arg_free)(void *);
} app_t;

static void app_free(void *p)
{
    app_t *a = p;
    if (a->arg_free != NULL)
        a->arg_free(a->arg);
    json_decref(a->blocks);
    json_decref(a->ids);
    free(a);
}

static void send_next(mcp_call_t *c, app_t *a);

static void on_appended(mcp_call_t *c, const mcp_provider_response_t *res, void *p)
{
    app_t *a = p;
    json_t *results = json_object_get(res->json, "results"), *r;
    size_t i, n = nt_blocks_chunk(a->blocks, a->from);
    json_array_foreach(results, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (id != NULL)
            json_array_append_new(a->ids, json_string(id));
    }
    a->from += n;
    a->requests++;
    const char *last = json_string_value(json_object_get(json_array_get(results, json_array_size(results) - 1), "id"));
    if (a->after[0] != '\0' && last != NULL)
        snprintf(a->after, sizeof(a->after), "%s", last);
    if (a->from < a->total) {
        send_next(c, a);
        return;
    }
    a->done(c, a->ids, a->requests, a->arg);
    a->arg_free = NULL; /* done owned arg from here */
    app_free(a);
}

static void send_next(mcp_call_t *c, app_t *a)
{
    size_t n = nt_blocks_chunk(a->blocks, a->from);
    json_t *kids = json_array();
    for (size_t i = a->from; i < a->from + n; i++)
        json_array_append(kids, json_array_get(a->blocks, i));
    json_t *body = json_pack("{s:o}", "children", kids);
    if (body != NULL && a->after[0] != '\0')
        json_object_set_new(body, "after", json_string(a->after));
    char path[64], prefix[512], subject[64];
    snprintf(path, sizeof(path), "/blocks/%s/children", a->block_id);
    snprintf(subject, sizeof(subject), "block %s", a->block_id);
    snprintf(prefix, sizeof(prefix), "%s", a->before);
    if (a->from > 0)
        snprintf(prefix, sizeof(prefix),
                 "%sAppended %zu of %zu blocks (%zu requests) before this error; the rest was not appended. ",
                 a->before, a->from, a->total, a->requests);
    notion_fetch_ex(c, "PATCH", notion_url(path, NULL), body, subject, prefix, on_appended, a, app_free);
}

void nt_append(mcp_call_t *c, const char *block_id, json_t *blocks, size_t from, const char *after, const char *before,
               nt_append_done_fn done, void *arg, void (*arg_free)(void *))
{
    app_t *a = calloc(1, sizeof(*a));
    json_t *ids = json_array();
    if (a == NULL || ids == NULL) {
        free(a);
        json_decref(ids);
        json_decref(blocks);
        if (arg_free != NULL)
            arg_free(arg);
        mcp_call_fail(c, "out of memory");
        return;
    }
    *a = (app_t){.blocks = blocks,
                 .ids = ids,
                 .from = from,
                 .total = json_array_size(blocks),
                 .done = done,
                 .arg = arg,
                 .arg_free = arg_free};
    snprintf(a->block_id, sizeof(a->block_id), "%s", block_id);
    snprintf(a->after, sizeof(a->after), "%s", after ? after : "");
    snprintf(a->before, sizeof(a->before), "%s", before ? before : "");
    if (a->from >= a->total) {
        a->done(c, a->ids, 0, a->arg);
        a->arg_free = NULL;
        app_free(a);
        return;
    }
    send_next(c, a);
}
