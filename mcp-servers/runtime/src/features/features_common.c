/*
 * features_common.c - what the prompt and resource registries share: paged lists, completion sources, names.
 */
#include "common/status.h"
#include "features/features_internal.h"
#include "util/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STATIC_COMPLETIONS 10000

int mcp__feature_name_valid(const char *name)
{
    return mcp__name_valid(name, 128, "_-.");
}

/* ------------------------------------------------------------------ completion sources */

int mcp__completer_init(mcp__completer_t *c, const mcp_completer_t *def, char *err, size_t errsz)
{
    memset(c, 0, sizeof(*c));
    if (def == NULL)
        return CM_OK;
    c->fn = def->fn;
    c->data = def->data;
    if (def->values == NULL)
        return CM_OK;
    if ((c->values = json_array()) == NULL)
        goto out_nomem;
    for (size_t i = 0; def->values[i] != NULL; i++) {
        if (i >= MAX_STATIC_COMPLETIONS) {
            snprintf(err, errsz, "more than %d completion values", MAX_STATIC_COMPLETIONS);
            mcp__completer_clear(c);
            return CM_EINVAL;
        }
        json_t *v = json_string(def->values[i]);
        if (v == NULL) {
            snprintf(err, errsz, "completion value %zu is not valid UTF-8", i);
            mcp__completer_clear(c);
            return CM_EINVAL;
        }
        if (json_array_append_new(c->values, v) != 0)
            goto out_nomem;
    }
    return CM_OK;

out_nomem:
    snprintf(err, errsz, "out of memory");
    mcp__completer_clear(c);
    return CM_ENOMEM;
}

void mcp__completer_clear(mcp__completer_t *c)
{
    json_decref(c->values);
    memset(c, 0, sizeof(*c));
}

int mcp__completer_present(const mcp__completer_t *c)
{
    return c != NULL && (c->values != NULL || c->fn != NULL);
}

/* ------------------------------------------------------------------ paged lists */

int mcp__pager_init(mcp__pager_t *pg, size_t page_size)
{
    memset(pg, 0, sizeof(*pg));
    pg->page_size = page_size > 0 ? page_size : 50;
    pg->items = json_array();
    return pg->items != NULL ? CM_OK : CM_ENOMEM;
}

static void drop_pages(mcp__pager_t *pg)
{
    for (size_t i = 0; i < pg->npages; i++)
        json_decref(pg->pages[i]);
    free(pg->pages);
    pg->pages = NULL;
    pg->npages = 0;
}

void mcp__pager_clear(mcp__pager_t *pg)
{
    drop_pages(pg);
    json_decref(pg->items);
    pg->items = NULL;
}

void mcp__pager_set_page_size(mcp__pager_t *pg, size_t page_size)
{
    drop_pages(pg);
    pg->page_size = page_size > 0 ? page_size : 50;
}

int mcp__pager_add(mcp__pager_t *pg, json_t *entry)
{
    if (entry == NULL || json_array_append_new(pg->items, entry) != 0)
        return CM_ENOMEM;
    drop_pages(pg);
    return CM_OK;
}

/* Cursor = "p" + page index (>= 1, no leading zero). Opaque to clients; anything else is rejected. */
int mcp__cursor_parse(const char *cursor, size_t *page)
{
    size_t v = 0;
    if (cursor[0] != 'p' || cursor[1] == '\0' || strlen(cursor) > 10)
        return -1;
    for (const char *p = cursor + 1; *p; p++) {
        if (*p < '0' || *p > '9' || (p == cursor + 1 && *p == '0'))
            return -1;
        v = v * 10 + (size_t)(*p - '0');
    }
    *page = v;
    return 0;
}

int mcp__pager_page(mcp__pager_t *pg, const char *key, const char *cursor, json_t **out)
{
    size_t n = json_array_size(pg->items);
    size_t page = 0, npages = n == 0 ? 1 : (n + pg->page_size - 1) / pg->page_size;
    if (cursor != NULL && (mcp__cursor_parse(cursor, &page) != 0 || page >= npages))
        return CM_EINVAL;
    if (pg->pages == NULL) {
        if ((pg->pages = calloc(npages, sizeof(*pg->pages))) == NULL)
            return CM_ENOMEM;
        pg->npages = npages;
    }
    if (pg->pages[page] == NULL) {
        json_t *res = json_object(), *arr = json_array();
        if (res == NULL || arr == NULL || json_object_set_new(res, key, arr) != 0) {
            json_decref(res);
            return CM_ENOMEM;
        }
        for (size_t i = page * pg->page_size; i < n && i < (page + 1) * pg->page_size; i++)
            json_array_append(arr, json_array_get(pg->items, i));
        if (page + 1 < npages) {
            char next[24];
            snprintf(next, sizeof(next), "p%zu", page + 1);
            json_object_set_new(res, "nextCursor", json_string(next));
        }
        pg->pages[page] = res;
    }
    *out = json_incref(pg->pages[page]);
    return CM_OK;
}
