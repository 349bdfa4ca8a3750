/*
 * listing.c - messages.list / drafts.list give ids only: list, then get each item (format=metadata, one after
 * the other, so that a failure can finish the call exactly once), then answer with a readable list plus
 * structuredContent and the next page token. An item deleted in between (404) is skipped.
 */
#include "gmail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct listing {
    mcp_call_t *c;
    gm_listing_spec_t spec;
    char *query_text;
    json_t *ids;   /* [{id, message_id?}] */
    json_t *items; /* summaries */
    json_t *next_page_token, *estimate;
    size_t idx;
} listing_t;

static void listing_free(void *arg)
{
    listing_t *st = arg;
    free(st->spec.list_url);
    free(st->query_text);
    json_decref(st->ids);
    json_decref(st->items);
    json_decref(st->next_page_token);
    json_decref(st->estimate);
    free(st);
}

static void finish(listing_t *st)
{
    cm_buf_t b = {0};
    size_t n = json_array_size(st->items), i;
    json_t *it;
    if (n == 0)
        cm_buf_printf(&b, "No %s found", st->spec.what);
    else
        cm_buf_printf(&b, "%zu %s", n, st->spec.what);
    if (st->query_text)
        cm_buf_printf(&b, " for query \"%s\"", st->query_text);
    if (json_integer_value(st->estimate) > (json_int_t)n)
        cm_buf_printf(&b, " (about %lld in total)", (long long)json_integer_value(st->estimate));
    cm_buf_appendz(&b, n ? ":\n" : ".\n");
    json_array_foreach(st->items, i, it)
    {
        const char *did = json_string_value(json_object_get(it, "draft_id"));
        cm_buf_printf(&b, "%zu. %s%s | From: %s | To: %s | Subject: %s\n", i + 1,
                      json_is_true(json_object_get(it, "unread")) ? "[unread] " : "",
                      json_string_value(json_object_get(it, "date")) ?: "(no date)",
                      json_string_value(json_object_get(it, "from")) ?: "",
                      json_string_value(json_object_get(it, "to")) ?: "",
                      json_string_value(json_object_get(it, "subject")) ?: "(no subject)");
        if (did)
            cm_buf_printf(&b, "   draft_id: %s, ", did);
        else
            cm_buf_appendz(&b, "   ");
        cm_buf_printf(&b, "message_id: %s, thread_id: %s\n", json_string_value(json_object_get(it, "id")) ?: "",
                      json_string_value(json_object_get(it, "threadId")) ?: "");
        const char *snip = json_string_value(json_object_get(it, "snippet"));
        if (snip && snip[0])
            cm_buf_printf(&b, "   %s\n", snip);
    }
    if (json_is_string(st->next_page_token))
        cm_buf_printf(&b, "More results: call again with page_token \"%s\".\n", json_string_value(st->next_page_token));
    json_t *out = json_object();
    json_object_set(out, st->spec.list_key, st->items);
    json_object_set_new(out, "count", json_integer((json_int_t)n));
    if (json_is_string(st->next_page_token))
        json_object_set(out, "next_page_token", st->next_page_token);
    if (json_is_integer(st->estimate))
        json_object_set(out, "result_size_estimate", st->estimate);
    mcp_call_t *c = st->c;
    listing_free(st);
    mcp_tool_finish_buf(c, &b, out);
}

static void fetch_next(listing_t *st);

static void on_item(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    listing_t *st = arg;
    if (res->status == 404) { /* gone since the list was made */
        st->idx++;
        fetch_next(st);
        return;
    }
    if (res->status < 200 || res->status >= 300) {
        char msg[512];
        mcp_provider_error_text("Gmail", res->status, res->retry_after_s, 0, NULL, msg, sizeof(msg));
        listing_free(st);
        mcp_call_fail(c, "%s", msg);
        return;
    }
    json_t *msg = st->spec.drafts ? json_object_get(res->json, "message") : res->json;
    json_t *sum = gm_message_summary(msg, 0, 0);
    if (st->spec.drafts)
        json_object_set(sum, "draft_id", json_object_get(res->json, "id") ?: json_null());
    json_array_append_new(st->items, sum);
    st->idx++;
    fetch_next(st);
}

static void fetch_next(listing_t *st)
{
    if (st->idx >= json_array_size(st->ids)) {
        finish(st);
        return;
    }
    const char *id = json_string_value(json_object_get(json_array_get(st->ids, st->idx), "id"));
    if (id == NULL || strlen(id) > 200 || strpbrk(id, "/?#%") != NULL) {
        st->idx++;
        fetch_next(st);
        return;
    }
    char path[256];
    snprintf(path, sizeof(path), "/%s/%s", st->spec.drafts ? "drafts" : "messages", id);
    static const char *const q[] = {"format",          "metadata", "metadataHeaders", "From",
                                    "metadataHeaders", "To",       "metadataHeaders", "Subject",
                                    "metadataHeaders", "Date",     NULL};
    gm_fetch_ex(st->c, "GET", gm_url(path, q), NULL, GM_SCOPE_READ, MCP_PROVIDER_ALL_STATUSES, on_item, st,
                listing_free);
}

static void on_list(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    listing_t *st = arg;
    (void)c;
    json_t *ids = json_object_get(res->json, st->spec.list_key);
    st->ids = json_is_array(ids) ? json_incref(ids) : json_array();
    st->next_page_token = json_incref(json_object_get(res->json, "nextPageToken"));
    st->estimate = json_incref(json_object_get(res->json, "resultSizeEstimate"));
    fetch_next(st);
}

void gm_listing_start(mcp_call_t *c, gm_listing_spec_t *spec)
{
    listing_t *st = calloc(1, sizeof(*st));
    if (st == NULL || spec->list_url == NULL) {
        free(spec->list_url);
        free(st);
        mcp_call_fail(c, "out of memory");
        return;
    }
    st->c = c;
    st->spec = *spec;
    st->query_text = spec->query_text ? strdup(spec->query_text) : NULL;
    st->spec.query_text = NULL;
    st->items = json_array();
    char *url = strdup(spec->list_url);
    gm_fetch(c, "GET", url, NULL, GM_SCOPE_READ, on_list, st, listing_free);
}
