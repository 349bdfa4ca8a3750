/*
 * tools.c - the tool registry and tools/list pagination (see mcp/tools.h).
 */
#include "mcp/tools.h"
#include "common/status.h"
#include "schema/schema.h"
#include "features/features_internal.h"
#include "features/tools_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct mcp_tools {
    mcp_tool_t **items;
    size_t n;
    size_t page_size;
    json_t **pages; /* built lazily, one per page; invalidated by mcp_tools_add */
    size_t npages;
    unsigned generation;
};

static const char default_input_schema[] = "{\"type\":\"object\",\"additionalProperties\":false}";

static void tool_free(mcp_tool_t *t)
{
    if (t == NULL)
        return;
    free(t->name);
    mcp_schema_free(t->input);
    mcp_schema_free(t->output);
    json_decref(t->json);
    free(t);
}

static void drop_pages(mcp_tools_t *r)
{
    for (size_t i = 0; i < r->npages; i++)
        json_decref(r->pages[i]);
    free(r->pages);
    r->pages = NULL;
    r->npages = 0;
}

mcp_tools_t *mcp_tools_new(size_t page_size)
{
    mcp_tools_t *r = calloc(1, sizeof(*r));
    if (r != NULL)
        r->page_size = page_size > 0 ? page_size : 50;
    return r;
}

void mcp_tools_free(mcp_tools_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        tool_free(r->items[i]);
    free(r->items);
    drop_pages(r);
    free(r);
}

static mcp_schema_t *load_schema(const char *text, const char *which, char *err, size_t errsz)
{
    json_error_t jerr;
    char why[200];
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        snprintf(err, errsz, "%s is not valid JSON: %s (line %d)", which, jerr.text, jerr.line);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        snprintf(err, errsz, "%s must be a JSON object", which);
        return NULL;
    }
    mcp_schema_t *s = mcp_schema_compile(doc, why, sizeof(why));
    json_decref(doc);
    if (s == NULL)
        snprintf(err, errsz, "%s: %s", which, why);
    return s;
}

static void set_hint(json_t *ann, const char *key, mcp_hint_t h)
{
    if (h != MCP_HINT_UNSET)
        json_object_set_new(ann, key, json_boolean(h == MCP_HINT_TRUE));
}

/* SEP-2243 x-mcp-header annotations: non-empty token names, primitive types only, unique (case-insensitive). */
static int check_param_headers(json_t *in, const char *tool, char *err, size_t errsz)
{
    json_t *props = json_object_get(in, "properties");
    const char *key, *k2;
    json_t *prop, *p2;
    json_object_foreach(props, key, prop)
    {
        json_t *h = json_object_get(prop, "x-mcp-header");
        if (h == NULL)
            continue;
        const char *name = json_string_value(h);
        const char *type = json_string_value(json_object_get(prop, "type"));
        if (name == NULL || name[0] == '\0' || strlen(name) > 100 ||
            strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name)) {
            snprintf(err, errsz, "tool %s: x-mcp-header of %s must be a non-empty header token", tool, key);
            return -1;
        }
        if (type == NULL || !(strcmp(type, "string") == 0 || strcmp(type, "number") == 0 ||
                              strcmp(type, "integer") == 0 || strcmp(type, "boolean") == 0)) {
            snprintf(err, errsz, "tool %s: x-mcp-header is allowed on primitive properties only (%s)", tool, key);
            return -1;
        }
        json_object_foreach(props, k2, p2)
        {
            const char *other = json_string_value(json_object_get(p2, "x-mcp-header"));
            if (p2 != prop && other != NULL && strcasecmp(other, name) == 0) {
                snprintf(err, errsz, "tool %s: x-mcp-header %s is used twice", tool, name);
                return -1;
            }
        }
    }
    return 0;
}

int mcp_tools_add(mcp_tools_t *r, const mcp_tool_def_t *def, char *err, size_t errsz)
{
    if (def == NULL || !mcp__feature_name_valid(def->name) || def->fn == NULL) {
        snprintf(err, errsz, "tool needs a name of 1..128 characters [A-Za-z0-9_.-] and a handler");
        return CM_EINVAL;
    }
    if (mcp_tools_find(r, def->name) != NULL) {
        snprintf(err, errsz, "tool %s is registered twice", def->name);
        return CM_ECONFLICT;
    }
    mcp_tool_t *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->name = strdup(def->name)) == NULL)
        goto out_nomem;
    t->fn = def->fn;
    t->data = def->data;
    t->task_support = def->task_support;
    t->confirm = def->confirm || def->annotations.destructive == MCP_HINT_TRUE;
    t->input = load_schema(def->input_schema ? def->input_schema : default_input_schema, "inputSchema", err, errsz);
    if (t->input == NULL)
        goto out_invalid;
    json_t *in = mcp_schema_json(t->input);
    if (!json_is_string(json_object_get(in, "type")) ||
        strcmp(json_string_value(json_object_get(in, "type")), "object")) {
        snprintf(err, errsz, "tool %s: inputSchema must have \"type\": \"object\"", def->name);
        goto out_invalid;
    }
    if (check_param_headers(in, def->name, err, errsz) != 0)
        goto out_invalid;
    if (def->output_schema != NULL && (t->output = load_schema(def->output_schema, "outputSchema", err, errsz)) == NULL)
        goto out_invalid;

    t->json = json_object();
    if (t->json == NULL)
        goto out_nomem;
    json_object_set_new(t->json, "name", json_string(def->name));
    if (def->title)
        json_object_set_new(t->json, "title", json_string(def->title));
    if (def->description)
        json_object_set_new(t->json, "description", json_string(def->description));
    json_object_set(t->json, "inputSchema", in);
    if (t->output)
        json_object_set(t->json, "outputSchema", mcp_schema_json(t->output));
    const mcp_tool_annotations_t *a = &def->annotations;
    if (a->read_only || a->destructive || a->idempotent || a->open_world) {
        json_t *ann = json_object();
        set_hint(ann, "readOnlyHint", a->read_only);
        set_hint(ann, "destructiveHint", a->destructive);
        set_hint(ann, "idempotentHint", a->idempotent);
        set_hint(ann, "openWorldHint", a->open_world);
        json_object_set_new(t->json, "annotations", ann);
    }
    if (def->task_support == MCP_TASK_OPTIONAL || def->task_support == MCP_TASK_REQUIRED)
        json_object_set_new(
            t->json, "execution",
            json_pack("{s:s}", "taskSupport", def->task_support == MCP_TASK_REQUIRED ? "required" : "optional"));
    mcp_tool_t **grown = realloc(r->items, (r->n + 1) * sizeof(*grown));
    if (grown == NULL)
        goto out_nomem;
    r->items = grown;
    r->items[r->n++] = t;
    r->generation++;
    drop_pages(r);
    return CM_OK;

out_nomem:
    snprintf(err, errsz, "out of memory");
    tool_free(t);
    return CM_ENOMEM;
out_invalid:
    tool_free(t);
    return CM_EINVAL;
}

size_t mcp_tools_count(const mcp_tools_t *r)
{
    return r->n;
}

int mcp_tools_task_capable(const mcp_tools_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i]->task_support != MCP_TASK_FORBIDDEN)
            return 1;
    return 0;
}

const mcp_tool_t *mcp_tools_find(const mcp_tools_t *r, const char *name)
{
    /* registries are small (tens of tools); a linear scan beats hashing at this size */
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i]->name, name) == 0)
            return r->items[i];
    return NULL;
}

int mcp_tools_list(mcp_tools_t *r, const char *cursor, json_t **out)
{
    return mcp_tools_list_page(r, cursor, out, NULL, NULL);
}

int mcp_tools_list_page(mcp_tools_t *r, const char *cursor, json_t **out, size_t *page_out, unsigned *generation)
{
    size_t page = 0, npages = r->n == 0 ? 1 : (r->n + r->page_size - 1) / r->page_size;
    if (cursor != NULL && (mcp__cursor_parse(cursor, &page) != 0 || page >= npages))
        return CM_EINVAL;
    if (r->pages == NULL) {
        r->pages = calloc(npages, sizeof(*r->pages));
        if (r->pages == NULL)
            return CM_ENOMEM;
        r->npages = npages;
    }
    if (r->pages[page] == NULL) {
        json_t *res = json_object(), *arr = json_array();
        if (res == NULL || arr == NULL) {
            json_decref(res);
            json_decref(arr);
            return CM_ENOMEM;
        }
        for (size_t i = page * r->page_size; i < r->n && i < (page + 1) * r->page_size; i++)
            json_array_append(arr, r->items[i]->json);
        json_object_set_new(res, "tools", arr);
        if (page + 1 < npages) {
            char next[24];
            snprintf(next, sizeof(next), "p%zu", page + 1);
            json_object_set_new(res, "nextCursor", json_string(next));
        }
        r->pages[page] = res;
    }
    *out = json_incref(r->pages[page]);
    if (page_out != NULL)
        *page_out = page;
    if (generation != NULL)
        *generation = r->generation;
    return CM_OK;
}

const char *mcp_tool_name(const mcp_tool_t *t)
{
    return t->name;
}

json_t *mcp_tool_json(const mcp_tool_t *t)
{
    return t->json;
}
