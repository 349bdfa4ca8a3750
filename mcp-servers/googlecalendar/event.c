/*
 * event.c - Calendar event resources to readable summaries (structuredContent and text), and tool arguments to the
 * events.insert / events.patch body (developers.google.com/calendar/api/v3/reference/events): start/end as date
 * (all-day, end exclusive) or dateTime, attendees, reminders, RRULE recurrence lines, and a Meet link through
 * conferenceData.createRequest.
 */
#include "common/crypto.h"
#include "common/status.h"
#include "googlecalendar.h"

#include <stdio.h>
#include <string.h>

#define EVENT_PARTS                                                                                                    \
    "id,status,summary,description,location,start,end,recurrence,recurringEventId,htmlLink,hangoutLink,"               \
    "organizer(email,displayName,self),attendees(email,displayName,responseStatus,optional,organizer,self),"           \
    "reminders,conferenceData(conferenceId,createRequest(status),entryPoints(entryPointType,uri))"
const char GC_EVENT_FIELDS[] = EVENT_PARTS;
const char GC_EVENT_LIST_FIELDS[] = "nextPageToken,summary,timeZone,items(" EVENT_PARTS ")";

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v != NULL)
        json_object_set_new(o, key, json_string(v));
}

static const char *sget(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* the video entry point of conferenceData, else hangoutLink */
static const char *meet_link(json_t *ev)
{
    json_t *eps = json_object_get(json_object_get(ev, "conferenceData"), "entryPoints"), *ep;
    size_t i;
    json_array_foreach(eps, i, ep) if (strcmp(sget(ep, "entryPointType") ?: "", "video") == 0) return sget(ep, "uri");
    return sget(ev, "hangoutLink");
}

json_t *gc_event_summary(json_t *ev)
{
    json_t *s = json_object(), *start = json_object_get(ev, "start"), *end = json_object_get(ev, "end");
    set_str(s, "id", sget(ev, "id"));
    set_str(s, "status", sget(ev, "status"));
    set_str(s, "summary", sget(ev, "summary"));
    set_str(s, "description", sget(ev, "description"));
    set_str(s, "location", sget(ev, "location"));
    set_str(s, "start", sget(start, "dateTime") ?: sget(start, "date"));
    set_str(s, "end", sget(end, "dateTime") ?: sget(end, "date"));
    json_object_set_new(s, "all_day", json_boolean(sget(start, "date") != NULL));
    set_str(s, "time_zone", sget(start, "timeZone"));
    set_str(s, "recurring_event_id", sget(ev, "recurringEventId"));
    set_str(s, "organizer", sget(json_object_get(ev, "organizer"), "email"));
    set_str(s, "meet_link", meet_link(ev));
    set_str(s, "conference_status",
            sget(json_object_get(json_object_get(json_object_get(ev, "conferenceData"), "createRequest"), "status"),
                 "statusCode"));
    set_str(s, "html_link", sget(ev, "htmlLink"));
    json_t *rec = json_object_get(ev, "recurrence");
    if (json_is_array(rec))
        json_object_set(s, "recurrence", rec);
    json_t *att = json_object_get(ev, "attendees"), *a;
    size_t i;
    if (json_is_array(att)) {
        json_t *list = json_array();
        json_array_foreach(att, i, a)
        {
            json_t *o = json_object();
            set_str(o, "email", sget(a, "email"));
            set_str(o, "display_name", sget(a, "displayName"));
            set_str(o, "response_status", sget(a, "responseStatus"));
            json_object_set_new(o, "optional", json_boolean(json_is_true(json_object_get(a, "optional"))));
            json_object_set_new(o, "organizer", json_boolean(json_is_true(json_object_get(a, "organizer"))));
            json_object_set_new(o, "self", json_boolean(json_is_true(json_object_get(a, "self"))));
            json_array_append_new(list, o);
        }
        json_object_set_new(s, "attendees", list);
    }
    json_t *rem = json_object_get(ev, "reminders");
    if (json_is_object(rem)) {
        json_t *r = json_object(), *ovs = json_array(), *ov;
        json_object_set_new(r, "use_default", json_boolean(json_is_true(json_object_get(rem, "useDefault"))));
        json_array_foreach(json_object_get(rem, "overrides"), i, ov)
            json_array_append_new(ovs, json_pack("{s:s, s:I}", "method", sget(ov, "method") ?: "", "minutes",
                                                 (json_int_t)json_integer_value(json_object_get(ov, "minutes"))));
        json_object_set_new(r, "overrides", ovs);
        json_object_set_new(s, "reminders", r);
    }
    return s;
}

void gc_event_render(cm_buf_t *b, json_t *s, int full)
{
    const char *summary = sget(s, "summary") ?: "(no title)";
    int all_day = json_is_true(json_object_get(s, "all_day"));
    if (!full) {
        cm_buf_printf(b, "- %s -> %s%s: %s (id %s)", sget(s, "start") ?: "?", sget(s, "end") ?: "?",
                      all_day ? " (all day)" : "", summary, sget(s, "id") ?: "?");
        if (sget(s, "location"))
            cm_buf_printf(b, ", at %s", sget(s, "location"));
        if (sget(s, "meet_link"))
            cm_buf_printf(b, ", Meet %s", sget(s, "meet_link"));
        if (sget(s, "recurring_event_id") || json_object_get(s, "recurrence"))
            cm_buf_appendz(b, ", recurring");
        if (strcmp(sget(s, "status") ?: "", "cancelled") == 0)
            cm_buf_appendz(b, " [cancelled]");
        cm_buf_appendz(b, "\n");
        return;
    }
    cm_buf_printf(b, "Event: %s\nID: %s\n", summary, sget(s, "id") ?: "?");
    cm_buf_printf(b, "When: %s -> %s%s", sget(s, "start") ?: "?", sget(s, "end") ?: "?",
                  all_day ? " (all day, end date exclusive)" : "");
    if (sget(s, "time_zone"))
        cm_buf_printf(b, " [%s]", sget(s, "time_zone"));
    cm_buf_appendz(b, "\n");
    if (sget(s, "status"))
        cm_buf_printf(b, "Status: %s\n", sget(s, "status"));
    if (sget(s, "location"))
        cm_buf_printf(b, "Where: %s\n", sget(s, "location"));
    if (sget(s, "organizer"))
        cm_buf_printf(b, "Organizer: %s\n", sget(s, "organizer"));
    json_t *att = json_object_get(s, "attendees"), *a;
    size_t i;
    if (json_array_size(att) > 0) {
        cm_buf_appendz(b, "Attendees:");
        json_array_foreach(att, i, a)
        {
            cm_buf_printf(b, "%s %s (%s%s%s)", i ? "," : "", sget(a, "email") ?: "?",
                          sget(a, "response_status") ?: "needsAction",
                          json_is_true(json_object_get(a, "optional")) ? ", optional" : "",
                          json_is_true(json_object_get(a, "self")) ? ", you" : "");
        }
        cm_buf_appendz(b, "\n");
    }
    json_t *rec = json_object_get(s, "recurrence"), *r;
    json_array_foreach(rec, i, r) cm_buf_printf(b, "Recurrence: %s\n", json_string_value(r) ?: "");
    if (sget(s, "recurring_event_id"))
        cm_buf_printf(b, "Instance of recurring event %s\n", sget(s, "recurring_event_id"));
    if (sget(s, "meet_link"))
        cm_buf_printf(b, "Google Meet: %s\n", sget(s, "meet_link"));
    else if (sget(s, "conference_status"))
        cm_buf_printf(b, "Google Meet: link %s\n", sget(s, "conference_status"));
    json_t *rem = json_object_get(s, "reminders"), *ov;
    if (rem != NULL) {
        if (json_is_true(json_object_get(rem, "use_default")))
            cm_buf_appendz(b, "Reminders: calendar default\n");
        json_array_foreach(json_object_get(rem, "overrides"), i, ov)
            cm_buf_printf(b, "Reminder: %s %lld minutes before\n", sget(ov, "method") ?: "?",
                          (long long)json_integer_value(json_object_get(ov, "minutes")));
    }
    if (sget(s, "html_link"))
        cm_buf_printf(b, "Link: %s\n", sget(s, "html_link"));
    if (sget(s, "description"))
        cm_buf_printf(b, "Description:\n%s\n", sget(s, "description"));
}

/* ---- arguments -> event body ---- */

/* {"date"} or {"dateTime"[, "timeZone"]} of a start/end argument; *all_day set; NULL + err on a bad value */
static json_t *when(const char *name, const char *v, const char *tz, int *all_day, int *local, long long *at, char *err,
                    size_t errsz)
{
    long long days;
    if (gc_date(v, &days)) {
        *all_day = 1;
        *at = days * 86400;
        return json_pack("{s:s}", "date", v);
    }
    int has_offset = 0;
    if (gc_datetime(v, &has_offset, at) && (has_offset || tz != NULL)) {
        *all_day = 0;
        *local = !has_offset;
        json_t *o = json_pack("{s:s}", "dateTime", v);
        if (tz != NULL)
            json_object_set_new(o, "timeZone", json_string(tz));
        return o;
    }
    if (has_offset == 0 && gc_datetime(v, &has_offset, at))
        snprintf(err, errsz,
                 "Invalid arguments: %s has no UTC offset; give time_zone (e.g. Europe/Berlin) or an offset "
                 "(2026-01-05T10:00:00+01:00).",
                 name);
    else
        snprintf(err, errsz,
                 "Invalid arguments: %s must be a date YYYY-MM-DD (all-day event) or an RFC 3339 date-time, e.g. "
                 "2026-01-05T10:00:00+01:00, or 2026-01-05T10:00:00 with time_zone (got \"%.64s\").",
                 name, v);
    return NULL;
}

static int times(json_t *args, json_t *body, char *err, size_t errsz)
{
    const char *start = gc_str(args, "start"), *end = gc_str(args, "end"), *tz = gc_str(args, "time_zone");
    int sd = -1, ed = -1, sl = 0, el = 0;
    long long sa = 0, ea = 0;
    if (tz != NULL && start == NULL && end == NULL) {
        snprintf(err, errsz, "Invalid arguments: time_zone applies to start and end; give them too.");
        return CM_EINVAL;
    }
    if (start != NULL) {
        json_t *w = when("start", start, tz, &sd, &sl, &sa, err, errsz);
        if (w == NULL)
            return CM_EINVAL;
        json_object_set_new(body, "start", w);
    }
    if (end != NULL) {
        json_t *w = when("end", end, tz, &ed, &el, &ea, err, errsz);
        if (w == NULL)
            return CM_EINVAL;
        json_object_set_new(body, "end", w);
    }
    if (start != NULL && end != NULL) {
        if (sd != ed) {
            snprintf(err, errsz,
                     "Invalid arguments: start and end must both be dates (all-day event) or both be "
                     "date-times.");
            return CM_EINVAL;
        }
        /* a local time and one with an offset compare only in the time zone's rules: Google checks those */
        if (sl == el && ea <= sa) {
            snprintf(err, errsz,
                     "Invalid arguments: end must be later than start (the end date of an all-day event "
                     "is exclusive: a one-day event on 2026-01-05 ends 2026-01-06).");
            return CM_EINVAL;
        }
    }
    /* Google expands a recurring timed event in a named time zone and refuses one without it */
    if (json_array_size(json_object_get(args, "recurrence")) > 0 && start != NULL && sd == 0 && tz == NULL) {
        snprintf(err, errsz,
                 "Invalid arguments: a recurring event with date-times needs time_zone (an IANA name "
                 "such as Europe/Berlin) to expand the recurrence in.");
        return CM_EINVAL;
    }
    return CM_OK;
}

static int reminders(json_t *args, json_t *body, char *err, size_t errsz)
{
    json_t *r = json_object_get(args, "reminders");
    if (r == NULL)
        return CM_OK;
    json_t *ovs = json_object_get(r, "overrides"), *use = json_object_get(r, "use_default"), *ov;
    if (json_is_true(use) && json_array_size(ovs) > 0) {
        snprintf(err, errsz,
                 "Invalid arguments: reminders.use_default cannot be true together with "
                 "reminders.overrides.");
        return CM_EINVAL;
    }
    json_t *out = json_object(), *list = json_array();
    size_t i;
    json_object_set_new(out, "useDefault", json_boolean(use != NULL ? json_is_true(use) : json_array_size(ovs) == 0));
    json_array_foreach(ovs, i, ov)
        json_array_append_new(list, json_pack("{s:O, s:O}", "method", json_object_get(ov, "method"), "minutes",
                                              json_object_get(ov, "minutes")));
    if (json_array_size(list) > 0 || !json_is_true(json_object_get(out, "useDefault")))
        json_object_set_new(out, "overrides", list);
    else
        json_decref(list);
    json_object_set_new(body, "reminders", out);
    return CM_OK;
}

static int meet(json_t *body, char *err, size_t errsz)
{
    char id[33];
    /* a fresh requestId per request: Google ignores a create request whose id it has seen */
    if (cm_random_hex(id, sizeof(id), 16) != CM_OK) {
        snprintf(err, errsz, "Could not make a conference request id.");
        return CM_ERR;
    }
    json_object_set_new(body, "conferenceData",
                        json_pack("{s:{s:s, s:{s:s}}}", "createRequest", "requestId", id, "conferenceSolutionKey",
                                  "type", "hangoutsMeet"));
    return CM_OK;
}

int gc_event_body(json_t *args, int patch, json_t **out, int *conference, char *err, size_t errsz)
{
    static const char *const texts[][2] = {
        {"summary", "summary"}, {"description", "description"}, {"location", "location"}};
    json_t *body = json_object(), *v;
    size_t i;
    *conference = 0;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if ((v = json_object_get(args, texts[i][0])) != NULL)
            json_object_set(body, texts[i][1], v); /* "" clears the field in a patch */
    if (times(args, body, err, errsz) != CM_OK || reminders(args, body, err, errsz) != CM_OK)
        goto fail_body;
    json_t *att = json_object_get(args, "attendees"), *a;
    if (att != NULL) {
        json_t *list = json_array();
        json_array_foreach(att, i, a)
        {
            json_t *o = json_pack("{s:O}", "email", json_object_get(a, "email"));
            if (gc_str(a, "display_name"))
                json_object_set(o, "displayName", json_object_get(a, "display_name"));
            if (json_is_true(json_object_get(a, "optional")))
                json_object_set_new(o, "optional", json_true());
            json_array_append_new(list, o);
        }
        json_object_set_new(body, "attendees", list);
    }
    if ((v = json_object_get(args, "recurrence")) != NULL)
        json_object_set(body, "recurrence", v);
    if (json_is_true(json_object_get(args, "add_meet_link"))) {
        if (meet(body, err, errsz) != CM_OK)
            goto fail_body;
        *conference = 1;
    }
    if (patch && json_object_size(body) == 0) {
        snprintf(err, errsz,
                 "Invalid arguments: nothing to change; give at least one of summary, description, "
                 "location, start, end, attendees, reminders, recurrence, add_meet_link.");
        goto fail_body;
    }
    *out = body;
    return CM_OK;
fail_body:
    json_decref(body);
    return CM_EINVAL;
}
