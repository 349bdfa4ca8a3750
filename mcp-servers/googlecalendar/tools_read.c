/*
 * tools_read.c - the reading tools: list_calendars (calendarList.list), list_events (events.list with a time window,
 * recurring events expanded and ordered by start, free text), get_event (events.get) and find_free_busy
 * (freeBusy.query over several calendars). Lists page with Google's pageToken, exposed as cursor / next_cursor.
 */
#include "apis/google.h"
#include "googlecalendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "More: ..." line and next_cursor of a list answer */
static void next_cursor(cm_buf_t *b, json_t *out, json_t *page)
{
    const char *next = json_string_value(json_object_get(page, "nextPageToken"));
    if (next != NULL && next[0] != '\0') {
        cm_buf_printf(b, "More results: call again with cursor=%s\n", next);
        json_object_set_new(out, "next_cursor", json_string(next));
    }
}

/* the cursor argument, checked; 0 (call failed) when it cannot be a Google page token */
static int cursor_ok(mcp_call_t *c, json_t *args, const char **cursor)
{
    *cursor = gc_str(args, "cursor");
    if (*cursor != NULL && !mcp_google_page_token_ok(*cursor)) {
        mcp_call_fail(c, "Invalid arguments: cursor must be the next_cursor of a previous answer.");
        return 0;
    }
    return 1;
}

/* ---- list_calendars ---- */

static void on_calendars(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *items = json_object_get(res->json, "items"), *it, *list = json_array();
    size_t i;
    cm_buf_t b = {0};
    json_array_foreach(items, i, it)
    {
        const char *id = json_string_value(json_object_get(it, "id")) ?: "?";
        const char *name = json_string_value(json_object_get(it, "summary")) ?: "(no name)";
        const char *role = json_string_value(json_object_get(it, "accessRole")) ?: "?";
        const char *tz = json_string_value(json_object_get(it, "timeZone"));
        int primary = json_is_true(json_object_get(it, "primary"));
        cm_buf_printf(&b, "- %s%s: id %s, access %s%s%s\n", name, primary ? " (primary)" : "", id, role,
                      tz ? ", time zone " : "", tz ? tz : "");
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:b}", "id", id, "summary", name, "access_role", role, "primary", primary);
        if (tz != NULL)
            json_object_set_new(o, "time_zone", json_string(tz));
        const char *desc = json_string_value(json_object_get(it, "description"));
        if (desc != NULL)
            json_object_set_new(o, "description", json_string(desc));
        json_array_append_new(list, o);
    }
    if (json_array_size(list) == 0)
        cm_buf_appendz(&b, "No calendars on this page.\n");
    json_t *out = json_pack("{s:o, s:I}", "calendars", list, "count", (json_int_t)json_array_size(items));
    next_cursor(&b, out, res->json);
    mcp_tool_finish_buf(c, &b, out);
}

void gc_list_calendars(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *cursor;
    char max[24];
    if (!cursor_ok(c, args, &cursor))
        return;
    snprintf(max, sizeof(max), "%lld", (long long)json_integer_value(json_object_get(args, "max_results")));
    const char *q[] = {"maxResults",
                       max,
                       "pageToken",
                       cursor,
                       "minAccessRole",
                       gc_str(args, "min_access_role"),
                       "showHidden",
                       json_is_true(json_object_get(args, "show_hidden")) ? "true" : NULL,
                       "fields",
                       "nextPageToken,items(id,summary,description,timeZone,accessRole,primary)",
                       NULL};
    gc_fetch(c, "GET", gc_url("/users/me/calendarList", q), NULL, GC_SCOPE_READ, NULL, on_calendars, NULL, NULL);
}

/* ---- list_events ---- */

static void on_events(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *items = json_object_get(res->json, "items"), *it, *list = json_array();
    size_t i;
    cm_buf_t b = {0};
    const char *tz = json_string_value(json_object_get(res->json, "timeZone"));
    const char *name = json_string_value(json_object_get(res->json, "summary"));
    cm_buf_printf(&b, "Events of %s%s%s%s:\n", name ? name : "the calendar", tz ? " (time zone " : "", tz ? tz : "",
                  tz ? ")" : "");
    json_array_foreach(items, i, it)
    {
        json_t *s = gc_event_summary(it);
        gc_event_render(&b, s, 0);
        json_array_append_new(list, s);
    }
    if (json_array_size(list) == 0)
        cm_buf_appendz(&b, "No events on this page.\n");
    json_t *out = json_pack("{s:o, s:I}", "events", list, "count", (json_int_t)json_array_size(list));
    if (tz != NULL)
        json_object_set_new(out, "time_zone", json_string(tz));
    next_cursor(&b, out, res->json);
    mcp_tool_finish_buf(c, &b, out);
}

void gc_list_events(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *cal = gc_str(args, "calendar_id"), *cursor, *order = gc_str(args, "order_by");
    const char *tmin = gc_str(args, "time_min"), *tmax = gc_str(args, "time_max");
    int single = json_is_true(json_object_get(args, "single_events"));
    char err[256], max[24];
    if (!gc_calendar_arg_ok(c, cal) || !cursor_ok(c, args, &cursor))
        return;
    if (!gc_time_window_ok(tmin, tmax, "time_min", "time_max", err, sizeof(err))) {
        mcp_call_fail(c, "%s", err);
        return;
    }
    /* Google refuses orderBy=startTime on unexpanded recurring events (400) */
    if (order != NULL && strcmp(order, "startTime") == 0 && !single) {
        mcp_call_fail(c, "Invalid arguments: order_by startTime needs single_events true (recurring events "
                         "expanded into instances).");
        return;
    }
    if (order == NULL && single)
        order = "startTime";
    snprintf(max, sizeof(max), "%lld", (long long)json_integer_value(json_object_get(args, "max_results")));
    const char *q[] = {"timeMin",
                       tmin,
                       "timeMax",
                       tmax,
                       "q",
                       gc_str(args, "query"),
                       "singleEvents",
                       single ? "true" : "false",
                       "orderBy",
                       order,
                       "timeZone",
                       gc_str(args, "time_zone"),
                       "showDeleted",
                       json_is_true(json_object_get(args, "show_deleted")) ? "true" : NULL,
                       "maxResults",
                       max,
                       "pageToken",
                       cursor,
                       "fields",
                       GC_EVENT_LIST_FIELDS,
                       NULL};
    char *path = gc_calendar_path(cal, "/events");
    char what[1100];
    snprintf(what, sizeof(what), "Calendar %s", cal);
    gc_fetch(c, "GET", path ? gc_url(path, q) : NULL, NULL, GC_SCOPE_READ, what, on_events, NULL, NULL);
    free(path);
}

/* ---- get_event ---- */

static void on_event(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    cm_buf_t b = {0};
    json_t *s = gc_event_summary(res->json);
    gc_event_render(&b, s, 1);
    mcp_tool_finish_buf(c, &b, s);
}

void gc_get_event(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *cal = gc_str(args, "calendar_id"), *id = gc_str(args, "event_id");
    if (!gc_calendar_arg_ok(c, cal))
        return;
    const char *q[] = {"timeZone", gc_str(args, "time_zone"), "fields", GC_EVENT_FIELDS, NULL};
    cm_buf_t p = {0}, w = {0};
    cm_buf_printf(&p, "/events/%s", id); /* the schema allows [A-Za-z0-9_-] only */
    cm_buf_printf(&w, "Event %s in calendar %s", id, cal);
    char *suffix = cm_buf_take(&p), *what = cm_buf_take(&w);
    char *path = suffix ? gc_calendar_path(cal, suffix) : NULL;
    gc_fetch(c, "GET", path ? gc_url(path, q) : NULL, NULL, GC_SCOPE_READ, what, on_event, NULL, NULL);
    free(path);
    free(suffix);
    free(what);
}

/* ---- find_free_busy ---- */

static void on_freebusy(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    json_t *asked = arg, *cals = json_object_get(res->json, "calendars"), *list = json_array(), *id;
    size_t i, j;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Busy times from %s to %s:\n", json_string_value(json_object_get(res->json, "timeMin")) ?: "?",
                  json_string_value(json_object_get(res->json, "timeMax")) ?: "?");
    /* in the order asked for; Google keys the answer by calendar id */
    json_array_foreach(asked, i, id)
    {
        const char *cid = json_string_value(id);
        json_t *cal = json_object_get(cals, cid), *busy = json_object_get(cal, "busy"), *iv, *e;
        json_t *o = json_pack("{s:s, s:[], s:[]}", "id", cid, "busy", "errors");
        json_array_foreach(json_object_get(cal, "errors"), j, e) json_array_append_new(
            json_object_get(o, "errors"), json_string(json_string_value(json_object_get(e, "reason")) ?: "unknown"));
        if (cal == NULL)
            json_array_append_new(json_object_get(o, "errors"), json_string("notInAnswer"));
        cm_buf_printf(&b, "- %s:", cid);
        if (json_array_size(json_object_get(o, "errors")) > 0) {
            cm_buf_appendz(&b, " could not be read (");
            json_array_foreach(json_object_get(o, "errors"), j, e)
                cm_buf_printf(&b, "%s%s", j ? ", " : "", json_string_value(e));
            cm_buf_appendz(&b, ")\n");
        } else if (json_array_size(busy) == 0) {
            cm_buf_appendz(&b, " free for the whole window\n");
        } else {
            cm_buf_appendz(&b, " busy");
            json_array_foreach(busy, j, iv)
            {
                const char *s = json_string_value(json_object_get(iv, "start")) ?: "?";
                const char *en = json_string_value(json_object_get(iv, "end")) ?: "?";
                cm_buf_printf(&b, "%s %s -> %s", j ? "," : "", s, en);
                json_array_append_new(json_object_get(o, "busy"), json_pack("{s:s, s:s}", "start", s, "end", en));
            }
            cm_buf_appendz(&b, "\n");
        }
        json_array_append_new(list, o);
    }
    json_t *out =
        json_pack("{s:s, s:s, s:o}", "time_min", json_string_value(json_object_get(res->json, "timeMin")) ?: "",
                  "time_max", json_string_value(json_object_get(res->json, "timeMax")) ?: "", "calendars", list);
    json_decref(asked);
    mcp_tool_finish_buf(c, &b, out);
}

static void free_json(void *p)
{
    json_decref(p);
}

void gc_find_free_busy(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *tmin = gc_str(args, "time_min"), *tmax = gc_str(args, "time_max");
    json_t *cals = json_object_get(args, "calendar_ids"), *id;
    char err[256];
    size_t i;
    if (!gc_time_window_ok(tmin, tmax, "time_min", "time_max", err, sizeof(err))) {
        mcp_call_fail(c, "%s", err);
        return;
    }
    json_array_foreach(cals, i, id) if (!gc_calendar_arg_ok(c, json_string_value(id))) return;
    json_t *items = json_array();
    json_array_foreach(cals, i, id) json_array_append_new(items, json_pack("{s:O}", "id", id));
    json_t *body = json_pack("{s:s, s:s, s:o}", "timeMin", tmin, "timeMax", tmax, "items", items);
    if (gc_str(args, "time_zone"))
        json_object_set(body, "timeZone", json_object_get(args, "time_zone"));
    static const char *const q[] = {"fields", "timeMin,timeMax,calendars", NULL};
    gc_fetch(c, "POST", gc_url("/freeBusy", q), body, GC_SCOPE_READ, NULL, on_freebusy, json_incref(cals), free_json);
}
