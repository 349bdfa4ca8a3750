/*
 * tools_search.c - search (POST /v1/search), query_database (POST /v1/databases/{id}/query) and get_database
 * (GET /v1/databases/{id}). Lists page by Notion's start_cursor / next_cursor, exposed as cursor / next_cursor.
 */
#include "notion.h"

#include <stdio.h>
#include <string.h>

/* start_cursor and page_size of the arguments into body. */
static void paging(json_t *body, json_t *args)
{
    const char *cursor = nt_str(args, "cursor");
    if (cursor != NULL)
        json_object_set_new(body, "start_cursor", json_string(cursor));
    json_object_set(body, "page_size", json_object_get(args, "page_size"));
}

/* A result list (search or query): one line each plus {results, next_cursor}. arg: "database" for a query (pages
 * with their properties), else a search. */
static void on_list(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    int query = arg != NULL;
    json_t *results = json_object_get(res->json, "results"), *r;
    if (!json_is_array(results)) {
        mcp_call_fail(c, "Notion answered without a result list.");
        return;
    }
    cm_buf_t b = {0};
    json_t *list = json_array();
    size_t i;
    size_t n = json_array_size(results);
    cm_buf_printf(&b, "%zu %s%s:\n", n, query ? "page" : "result", n == 1 ? "" : "s");
    json_array_foreach(results, i, r)
    {
        const char *object = json_string_value(json_object_get(r, "object"));
        nt_result_line(&b, r);
        if (object != NULL && strcmp(object, "page") == 0) {
            json_t *s = nt_page_summary(r);
            if (query) { /* the property values are what a query is for */
                const char *k;
                json_t *v;
                json_object_foreach(json_object_get(s, "properties"), k, v)
                {
                    if (json_string_length(v) > 0)
                        cm_buf_printf(&b, "    %s: %s\n", k, json_string_value(v));
                }
            }
            json_object_set_new(s, "object", json_string("page"));
            json_array_append_new(list, s);
        } else {
            cm_buf_t t = {0};
            nt_title(&t, r);
            json_array_append_new(list,
                                  json_pack("{s:s, s:s*, s:s, s:s*, s:s*, s:b}", "object", object ? object : "?", "id",
                                            json_string_value(json_object_get(r, "id")), "title", t.data ? t.data : "",
                                            "url", json_string_value(json_object_get(r, "url")), "last_edited_time",
                                            json_string_value(json_object_get(r, "last_edited_time")), "archived",
                                            json_is_true(json_object_get(r, "archived"))));
            cm_buf_free(&t);
        }
    }
    json_t *out = json_pack("{s:o}", "results", list);
    const char *next = json_string_value(json_object_get(res->json, "next_cursor"));
    if (json_is_true(json_object_get(res->json, "has_more")) && next != NULL && next[0] != '\0') {
        cm_buf_printf(&b, "More: call again with cursor=%s\n", next);
        json_object_set_new(out, "next_cursor", json_string(next));
    }
    mcp_tool_finish_buf(c, &b, out);
}

void nt_search(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    json_t *body = json_object();
    const char *query = nt_str(args, "query"), *filter = nt_str(args, "filter"), *sort = nt_str(args, "sort");
    if (query != NULL)
        json_object_set_new(body, "query", json_string(query));
    if (filter != NULL)
        json_object_set_new(body, "filter", json_pack("{s:s, s:s}", "property", "object", "value", filter));
    if (sort != NULL)
        json_object_set_new(body, "sort",
                            json_pack("{s:s, s:s}", "timestamp", "last_edited_time", "direction",
                                      strcmp(sort, "last_edited_ascending") == 0 ? "ascending" : "descending"));
    paging(body, args);
    notion_fetch(c, "POST", notion_url("/search", NULL), body, NULL, on_list, NULL, NULL);
}

void nt_query_database(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char id[NT_ID_LEN + 1], path[64], subject[64];
    if (nt_id_arg(c, args, "database_id", id) != 0)
        return;
    char *url = NULL;
    snprintf(path, sizeof(path), "/databases/%s/query", id);
    if (nt_url_props(c, path, args, &url) != 0)
        return;
    json_t *body = json_object();
    json_t *filter = json_object_get(args, "filter"), *sorts = json_object_get(args, "sorts");
    if (filter != NULL) /* its shape was checked against the filter schema (schemas/query_database.input.json) */
        json_object_set(body, "filter", filter);
    if (json_array_size(sorts) > 0)
        json_object_set(body, "sorts", sorts);
    paging(body, args);
    snprintf(subject, sizeof(subject), "database %s", id);
    notion_fetch(c, "POST", url, body, subject, on_list, "database", NULL);
}

static void on_database(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *db = res->json, *props, *v;
    cm_buf_t b = {0}, t = {0};
    const char *name;
    if (!json_is_string(json_object_get(db, "id"))) {
        mcp_call_fail(c, "Notion answered without a database.");
        return;
    }
    props = json_array();
    nt_title(&t, db);
    cm_buf_printf(&b, "Database: %s (%s)\n%s\nProperties:\n", t.len ? t.data : "Untitled",
                  json_string_value(json_object_get(db, "id")) ?: "?",
                  json_string_value(json_object_get(db, "url")) ?: "");
    json_object_foreach(json_object_get(db, "properties"), name, v)
    {
        const char *type = json_string_value(json_object_get(v, "type"));
        json_t *opts = type ? json_object_get(json_object_get(v, type), "options") : NULL; /* select, status */
        const char *pid = json_string_value(json_object_get(v, "id"));
        json_t *p = json_pack("{s:s, s:s, s:s*}", "name", name, "type", type ? type : "?", "id", pid);
        cm_buf_printf(&b, "- %s (%s", name, type ? type : "?");
        if (json_is_array(opts)) {
            json_t *names = json_array(), *o;
            size_t i;
            json_array_foreach(opts, i, o)
            {
                const char *on = json_string_value(json_object_get(o, "name"));
                cm_buf_printf(&b, "%s%s", i ? ", " : ": ", on ? on : "?");
                json_array_append_new(names, json_string(on ? on : "?"));
            }
            json_object_set_new(p, "options", names);
        }
        cm_buf_printf(&b, ")%s%s\n", pid ? " id " : "", pid ? pid : "");
        json_array_append_new(props, p);
    }
    json_t *out = json_pack("{s:s*, s:s, s:s*, s:b, s:o}", "id", json_string_value(json_object_get(db, "id")), "title",
                            t.data ? t.data : "", "url", json_string_value(json_object_get(db, "url")), "archived",
                            json_is_true(json_object_get(db, "archived")), "properties", props);
    cm_buf_free(&t);
    mcp_tool_finish_buf(c, &b, out);
}

void nt_get_database(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char id[NT_ID_LEN + 1], path[64], subject[64];
    if (nt_id_arg(c, args, "database_id", id) != 0)
        return;
    snprintf(path, sizeof(path), "/databases/%s", id);
    snprintf(subject, sizeof(subject), "database %s", id);
    notion_fetch(c, "GET", notion_url(path, NULL), NULL, subject, on_database, NULL, NULL);
}
