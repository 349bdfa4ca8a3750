/*
 * listing.c - messages.list / drafts.list give ids only: list, then get each item (format=metadata) with at most
 * GM_LIST_CONCURRENCY requests in flight on the loop, then answer with a readable list (in the list's order) plus
 * structuredContent and the next page token. An item deleted in between (404) is skipped. The item requests use
 * MCP_PROVIDER_DELIVER_ERRORS, so that no request finishes the call while others are in flight: the first failure
 * (with the Gmail hook's text: missing scope, re-authorize URL) is kept, nothing new is started, and the call fails
 * with it once the last request in flight has answered.
 */
#include "gmail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GM_LIST_CONCURRENCY 8

typedef struct listing {
    mcp_call_t *c;
    gm_listing_spec_t spec;
    char *query_text;
    json_t *ids;    /* [{id, message_id?}] */
    json_t **slots; /* summary per id (NULL: skipped), in list order */
    size_t n, next, inflight;
    int pumping;
    char *error; /* the first item failure */
    json_t *next_page_token, *estimate;
} listing_t;

typedef struct item {
    listing_t *st;
    size_t idx;
} item_t;

static void listing_free(void *arg)
{
    listing_t *st = arg;
    for (size_t i = 0; st->slots != NULL && i < st->n; i++)
        json_decref(st->slots[i]);
    free(st->slots);
    free(st->spec.list_url);
    free(st->query_text);
    free(st->error);
    json_decref(st->ids);
    json_decref(st->next_page_token);
    json_decref(st->estimate);
    free(st);
}

static void finish(listing_t *st)
{
    cm_buf_t b = {0};
    json_t *items = json_array();
    for (size_t k = 0; k < st->n; k++)
        if (st->slots[k] != NULL)
            json_array_append(items, st->slots[k]);
    size_t n = json_array_size(items), i;
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
    json_array_foreach(items, i, it)
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
    json_object_set_new(out, st->spec.list_key, items);
    json_object_set_new(out, "count", json_integer((json_int_t)n));
    if (json_is_string(st->next_page_token))
        json_object_set(out, "next_page_token", st->next_page_token);
    if (json_is_integer(st->estimate))
        json_object_set(out, "result_size_estimate", st->estimate);
    mcp_call_t *c = st->c;
    listing_free(st);
    mcp_tool_finish_buf(c, &b, out);
}

static void pump(listing_t *st);

static void on_item(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    item_t *it = arg;
    listing_t *st = it->st;
    (void)c;
    st->inflight--;
    if (res->status == 404) {
        /* gone since the list was made: skipped */
    } else if (res->error != NULL || res->status < 200 || res->status >= 300) {
        if (st->error == NULL)
            st->error = strdup(res->error ? res->error : "Gmail could not be reached; try again later.");
    } else {
        json_t *msg = st->spec.drafts ? json_object_get(res->json, "message") : res->json;
        json_t *sum = gm_message_summary(msg, 0, 0);
        if (st->spec.drafts)
            json_object_set(sum, "draft_id", json_object_get(res->json, "id") ?: json_null());
        st->slots[it->idx] = sum;
    }
    free(it);
    pump(st);
}

/* Starts the request of item idx (or skips a malformed id). */
static void start_item(listing_t *st, size_t idx)
{
    const char *id = json_string_value(json_object_get(json_array_get(st->ids, idx), "id"));
    if (id == NULL || strlen(id) > 200 || strpbrk(id, "/?#%") != NULL)
        return;
    item_t *it = malloc(sizeof(*it));
    if (it == NULL) {
        if (st->error == NULL)
            st->error = strdup("out of memory");
        return;
    }
    *it = (item_t){st, idx};
    char path[256];
    snprintf(path, sizeof(path), "/%s/%s", st->spec.drafts ? "drafts" : "messages", id);
    static const char *const q[] = {"format",
                                    "metadata",
                                    "metadataHeaders",
                                    "From",
                                    "metadataHeaders",
                                    "To",
                                    "metadataHeaders",
                                    "Subject",
                                    "metadataHeaders",
                                    "Date",
                                    NULL};
    st->inflight++;
    gm_fetch_ex(st->c, "GET", gm_url(path, q), NULL, GM_SCOPE_READ, MCP_PROVIDER_DELIVER_ERRORS, on_item, it, NULL);
}

/* Keeps up to GM_LIST_CONCURRENCY requests in flight; when none is left to run, finishes the call. Re-entrant: an
 * item that fails up front calls back into here from inside start_item. */
static void pump(listing_t *st)
{
    if (st->pumping)
        return;
    st->pumping = 1;
    while (st->error == NULL && st->next < st->n && st->inflight < GM_LIST_CONCURRENCY)
        start_item(st, st->next++);
    st->pumping = 0;
    if (st->inflight > 0 || (st->error == NULL && st->next < st->n))
        return;
    if (st->error != NULL) {
        mcp_call_t *c = st->c;
        char *e = st->error;
        st->error = NULL;
        listing_free(st);
        mcp_call_fail(c, "%s", e ? e : "out of memory");
        free(e);
        return;
    }
    finish(st);
}

static void on_list(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    listing_t *st = arg;
    (void)c;
    json_t *ids = json_object_get(res->json, st->spec.list_key);
    st->ids = json_is_array(ids) ? json_incref(ids) : json_array();
    st->next_page_token = json_incref(json_object_get(res->json, "nextPageToken"));
    st->estimate = json_incref(json_object_get(res->json, "resultSizeEstimate"));
    st->n = json_array_size(st->ids);
    st->slots = calloc(st->n ? st->n : 1, sizeof(*st->slots));
    if (st->slots == NULL) {
        listing_free(st);
        mcp_call_fail(c, "out of memory");
        return;
    }
    pump(st);
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
    char *url = strdup(spec->list_url);
    gm_fetch(c, "GET", url, NULL, GM_SCOPE_READ, on_list, st, listing_free);
}
