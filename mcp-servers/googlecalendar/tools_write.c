/*
 * tools_write.c - the changing tools: create_event (events.insert), update_event (events.patch: only what is given
 * changes), delete_event (events.delete), respond_to_event (events.get, then events.patch of the attendee list with
 * the caller's own responseStatus) and quick_add (events.quickAdd). sendUpdates is passed through; a Meet link asks
 * for conferenceDataVersion=1, without which Google ignores conferenceData.
 */
#include "googlecalendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "/calendars/<cal>/events[/<id>][tail]" and "Event <id> in calendar <cal>" (both malloc'ed, NULL on no memory) */
static char *event_path(const char *cal, const char *id, const char *tail)
{
    cm_buf_t p = {0};
    cm_buf_printf(&p, "/events%s%s%s", id ? "/" : "", id ? id : "", tail ? tail : "");
    char *suffix = cm_buf_take(&p);
    char *path = suffix ? gc_calendar_path(cal, suffix) : NULL;
    free(suffix);
    return path;
}

static char *event_what(const char *cal, const char *id)
{
    cm_buf_t w = {0};
    cm_buf_printf(&w, "Event %s in calendar %s", id, cal);
    return cm_buf_take(&w);
}

/* the event answer of insert / patch / quickAdd, with a verb ("Created", "Updated") */
static void on_saved(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    const char *verb = arg;
    cm_buf_t b = {0};
    json_t *s = gc_event_summary(res->json);
    cm_buf_printf(&b, "%s event %s.\n", verb, json_string_value(json_object_get(s, "id")) ?: "?");
    gc_event_render(&b, s, 1);
    mcp_tool_finish_buf(c, &b, s);
}

/* insert (id NULL) or patch the event */
static void save(mcp_call_t *c, json_t *args, const char *id)
{
    const char *cal = gc_str(args, "calendar_id");
    json_t *body = NULL;
    int conference = 0;
    char err[512];
    if (!gc_calendar_arg_ok(c, cal))
        return;
    if (gc_event_body(args, id != NULL, &body, &conference, err, sizeof(err)) != 0) {
        mcp_call_fail(c, "%s", err);
        return;
    }
    const char *q[] = {"sendUpdates",
                       gc_str(args, "send_updates"),
                       "conferenceDataVersion",
                       conference ? "1" : NULL,
                       "fields",
                       GC_EVENT_FIELDS,
                       NULL};
    char *path = event_path(cal, id, NULL), *what = id ? event_what(cal, id) : NULL;
    gc_fetch(c, id ? "PATCH" : "POST", path ? gc_url(path, q) : NULL, body, GC_SCOPE_EVENTS, what, on_saved,
             id ? "Updated" : "Created", NULL);
    free(path);
    free(what);
}

void gc_create_event(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    save(c, args, NULL);
}

void gc_update_event(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    save(c, args, gc_str(args, "event_id"));
}

void gc_quick_add(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *cal = gc_str(args, "calendar_id");
    if (!gc_calendar_arg_ok(c, cal))
        return;
    const char *q[] = {"text",   gc_str(args, "text"), "sendUpdates", gc_str(args, "send_updates"),
                       "fields", GC_EVENT_FIELDS,      NULL};
    char *path = event_path(cal, "quickAdd", NULL);
    gc_fetch(c, "POST", path ? gc_url(path, q) : NULL, NULL, GC_SCOPE_EVENTS, NULL, on_saved, "Created", NULL);
    free(path);
}

/* ---- delete_event ---- */

typedef struct deleted {
    char id[1100], cal[1100];
} deleted_t;

static void on_deleted(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    deleted_t *d = arg;
    (void)res;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Deleted event %s from calendar %s.", d->id, d->cal);
    mcp_tool_finish_buf(c, &b, json_pack("{s:b, s:s, s:s}", "deleted", 1, "event_id", d->id, "calendar_id", d->cal));
    free(d);
}

void gc_delete_event(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *cal = gc_str(args, "calendar_id"), *id = gc_str(args, "event_id");
    if (!gc_calendar_arg_ok(c, cal))
        return;
    deleted_t *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    snprintf(d->id, sizeof(d->id), "%s", id);
    snprintf(d->cal, sizeof(d->cal), "%s", cal);
    const char *q[] = {"sendUpdates", gc_str(args, "send_updates"), NULL};
    char *path = event_path(cal, id, NULL), *what = event_what(cal, id);
    gc_fetch(c, "DELETE", path ? gc_url(path, q) : NULL, NULL, GC_SCOPE_EVENTS, what, on_deleted, d, free);
    free(path);
    free(what);
}

/* ---- respond_to_event: read the attendees, patch them back with the caller's answer ---- */

typedef struct respond {
    char *path, *what;
    json_t *args; /* the tool's arguments (a reference) */
} respond_t;

static void respond_free(void *p)
{
    respond_t *r = p;
    free(r->path);
    free(r->what);
    json_decref(r->args);
    free(r);
}

static void on_responded(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    respond_t *r = arg;
    json_t *s = gc_event_summary(res->json);
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Answered %s to event %s.\n", gc_str(r->args, "response"),
                  json_string_value(json_object_get(s, "id")) ?: "?");
    gc_event_render(&b, s, 1);
    respond_free(r);
    mcp_tool_finish_buf(c, &b, s);
}

static void on_attendees(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    respond_t *r = arg;
    json_t *att = json_deep_copy(json_object_get(res->json, "attendees")), *a, *self = NULL;
    size_t i;
    json_array_foreach(att, i, a) if (json_is_true(json_object_get(a, "self"))) self = a;
    if (self == NULL) {
        mcp_call_fail(c, "%s has no attendee list that includes you: only an invited attendee can respond.", r->what);
        json_decref(att);
        respond_free(r);
        return;
    }
    json_object_set(self, "responseStatus", json_object_get(r->args, "response"));
    if (gc_str(r->args, "comment"))
        json_object_set(self, "comment", json_object_get(r->args, "comment"));
    const char *q[] = {"sendUpdates", gc_str(r->args, "send_updates"), "fields", GC_EVENT_FIELDS, NULL};
    /* attendees is replaced as a whole by a patch: send every attendee back, only our status changed */
    gc_fetch(c, "PATCH", gc_url(r->path, q), json_pack("{s:o}", "attendees", att), GC_SCOPE_EVENTS, r->what,
             on_responded, r, respond_free);
}

void gc_respond_to_event(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *cal = gc_str(args, "calendar_id"), *id = gc_str(args, "event_id");
    if (!gc_calendar_arg_ok(c, cal))
        return;
    respond_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    r->path = event_path(cal, id, NULL);
    r->what = event_what(cal, id);
    r->args = json_incref(args);
    if (r->path == NULL || r->what == NULL) {
        respond_free(r);
        mcp_call_fail(c, "out of memory");
        return;
    }
    static const char *const q[] = {"fields", "id,attendees", NULL};
    gc_fetch(c, "GET", gc_url(r->path, q), NULL, GC_SCOPE_READ, r->what, on_attendees, r, respond_free);
}
