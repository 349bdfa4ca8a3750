/*
 * tools_create.c - create_page (POST /v1/pages under a page or in a database; for a database and a title, the
 * database's title property is looked up first with GET /v1/databases/{id}) and append_blocks (PATCH
 * /v1/blocks/{id}/children). Content is markdown turned into blocks before any request (md_blocks.c); what does not
 * fit the create request's 100 children is appended afterwards, in order (append.c).
 */
#include "common/status.h"
#include "notion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cp {
    json_t *body;   /* the create request, without children */
    json_t *blocks; /* all content blocks */
    size_t first;   /* how many of them go with the create request */
    char *title;    /* for a database parent: set on its title property */
    char database_id[NT_ID_LEN + 1];
    json_t *page; /* the created page (its summary) */
} cp_t;

static void cp_free(void *p)
{
    cp_t *s = p;
    json_decref(s->body);
    json_decref(s->blocks);
    json_decref(s->page);
    free(s->title);
    free(s);
}

static void created_done(mcp_call_t *c, json_t *ids, size_t requests, void *arg)
{
    cp_t *s = arg;
    cm_buf_t b = {0};
    (void)ids;
    json_t *page = s->page;
    size_t nblocks = json_array_size(s->blocks);
    cm_buf_printf(&b, "Created page \"%s\" (%s) %s with %zu blocks of content (%zu requests).\n",
                  json_string_value(json_object_get(page, "title")) ?: "",
                  json_string_value(json_object_get(page, "id")) ?: "?",
                  json_string_value(json_object_get(page, "url")) ?: "", nblocks, requests + 1);
    json_object_set_new(page, "blocks", json_integer((json_int_t)nblocks));
    json_object_set_new(page, "requests", json_integer((json_int_t)requests + 1));
    s->page = NULL;
    cp_free(s);
    mcp_tool_finish_buf(c, &b, page);
}

static void on_created(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    cp_t *s = arg;
    const char *id = json_string_value(json_object_get(res->json, "id"));
    char before[96];
    s->page = nt_page_summary(res->json);
    if (!nt_id_ok(id) || s->page == NULL) {
        cp_free(s);
        mcp_call_fail(c, "Notion answered without the new page's id.");
        return;
    }
    snprintf(before, sizeof(before), "Page %s was created. ", id);
    json_t *blocks = json_incref(s->blocks);
    nt_append(c, id, blocks, s->first, NULL, before, created_done, s, cp_free);
}

static void send_create(mcp_call_t *c, cp_t *s)
{
    json_t *kids = json_array();
    for (size_t i = 0; i < s->first; i++)
        json_array_append(kids, json_array_get(s->blocks, i));
    json_object_set_new(s->body, "children", kids);
    json_t *body = json_incref(s->body);
    notion_fetch(c, "POST", notion_url("/pages", NULL), body, NULL, on_created, s, cp_free);
}

/* The database's schema: its title property gets the title, then the page is created. */
static void on_schema(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    cp_t *s = arg;
    const char *name, *title_prop = NULL;
    json_t *v;
    json_object_foreach(json_object_get(res->json, "properties"), name, v)
    {
        const char *type = json_string_value(json_object_get(v, "type"));
        if (type != NULL && strcmp(type, "title") == 0)
            title_prop = name;
    }
    json_t *rt = title_prop ? nt_rich_text(s->title, strlen(s->title), 0) : NULL;
    if (rt == NULL) {
        cp_free(s);
        mcp_call_fail(c, "Database %s has no title property to put the title in.", s->database_id);
        return;
    }
    json_object_set_new(json_object_get(s->body, "properties"), title_prop, json_pack("{s:o}", "title", rt));
    send_create(c, s);
}

/* The content argument as blocks into *blocks (NULL content: none). 0, or -1 with the call failed. */
static int content_blocks(mcp_call_t *c, json_t *args, json_t **blocks)
{
    const char *md = json_string_value(json_object_get(args, "content"));
    char err[160];
    int rc = nt_md_to_blocks(md ? md : "", NT_MAX_BLOCKS, blocks, err, sizeof(err));
    if (rc == CM_EINVAL)
        mcp_call_fail(c, "Invalid argument 'content': %s.", err);
    else if (rc != CM_OK)
        mcp_call_fail(c, "out of memory");
    return rc == CM_OK ? 0 : -1;
}

void nt_create_page(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char id[NT_ID_LEN + 1];
    const char *title = nt_str(args, "title"), *emoji = nt_str(args, "icon_emoji");
    int in_db = json_object_get(args, "database_id") != NULL;
    json_t *props = json_object_get(args, "properties");
    if (in_db == (json_object_get(args, "parent_page_id") != NULL)) {
        mcp_call_fail(c, "Invalid arguments: give exactly one of parent_page_id and database_id.");
        return;
    }
    if (!in_db && json_object_size(props) > 0) {
        mcp_call_fail(c, "Invalid argument 'properties': a page under a page has only a title (use 'title'); "
                         "properties are for pages in a database.");
        return;
    }
    if (nt_id_arg(c, args, in_db ? "database_id" : "parent_page_id", id) != 0)
        return;
    cp_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    if (content_blocks(c, args, &s->blocks) != 0) {
        cp_free(s);
        return;
    }
    s->first = nt_blocks_chunk(s->blocks, 0);
    json_t *p = props ? nt_props_from_args(props) : json_object();
    s->body = p ? json_pack("{s:{s:s}, s:o}", "parent", in_db ? "database_id" : "page_id", id, "properties", p) : NULL;
    if (s->body != NULL && !in_db && title != NULL)
        json_object_set_new(p, "title", json_pack("{s:o}", "title", nt_rich_text(title, strlen(title), 0)));
    if (s->body != NULL && emoji != NULL)
        json_object_set_new(s->body, "icon", json_pack("{s:s, s:s}", "type", "emoji", "emoji", emoji));
    if (s->body == NULL) {
        cp_free(s);
        mcp_call_fail(c, "out of memory");
        return;
    }
    if (!in_db || title == NULL) {
        send_create(c, s);
        return;
    }
    char path[64], subject[64];
    s->title = strdup(title);
    snprintf(s->database_id, sizeof(s->database_id), "%s", id);
    snprintf(path, sizeof(path), "/databases/%s", id);
    snprintf(subject, sizeof(subject), "database %s", id);
    notion_fetch(c, "GET", notion_url(path, NULL), NULL, subject, on_schema, s, cp_free);
}

static void appended(mcp_call_t *c, json_t *ids, size_t requests, void *arg)
{
    json_t *out = arg; /* {block_id, blocks} */
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Appended %zu blocks to %s in %zu requests.\n",
                  (size_t)json_integer_value(json_object_get(out, "blocks")),
                  json_string_value(json_object_get(out, "block_id")), requests);
    json_object_set(out, "block_ids", ids);
    json_object_set_new(out, "requests", json_integer((json_int_t)requests));
    mcp_tool_finish_buf(c, &b, out);
}

static void json_free(void *p)
{
    json_decref(p);
}

void nt_append_blocks(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char id[NT_ID_LEN + 1], after[NT_ID_LEN + 1];
    json_t *blocks = NULL;
    int has_after = json_object_get(args, "after") != NULL;
    if (nt_id_arg(c, args, "block_id", id) != 0 || (has_after && nt_id_arg(c, args, "after", after) != 0) ||
        content_blocks(c, args, &blocks) != 0)
        return;
    if (json_array_size(blocks) == 0) {
        json_decref(blocks);
        mcp_call_fail(c, "Invalid argument 'content': it makes no blocks.");
        return;
    }
    json_t *out = json_pack("{s:s, s:I}", "block_id", id, "blocks", (json_int_t)json_array_size(blocks));
    nt_append(c, id, blocks, 0, has_after ? after : NULL, NULL, appended, out, json_free);
}
