/*
 * googlecalendar.h - the Google Calendar service's internal contract: API access (base URL, URLs, requests with the
 * scope each needs and errors naming the item), argument checks (RFC 3339 times, ids, cursors), events to readable
 * summaries and tool arguments to event bodies, and the tool handlers.
 */
#ifndef MCP_GOOGLECALENDAR_H
#define MCP_GOOGLECALENDAR_H

#include "common/url.h"
#include "mcp/provider_http.h"
#include "mcp/result.h"
#include "mcp/server.h"

#include <jansson.h>

#define GC_PROVIDER "Google Calendar" /* the API's name in tool errors */
/* freeBusy.query: calendarExpansionMax is 50 (Calendar v3 reference); schemas/find_free_busy.input.json repeats it
 * as maxItems of calendars. */
#define GC_MAX_FREEBUSY_CALENDARS 50

/* The OAuth scope a call needs, named in 403 errors. */
typedef enum gc_scope {
    GC_SCOPE_READ = 0, /* calendar.readonly (calendar list, events, free/busy) */
    GC_SCOPE_EVENTS,   /* calendar.events (create, change, delete events) */
} gc_scope_t;

/* ---- api.c ---- */
/* API base (env GOOGLECALENDAR_API_BASE, default https://www.googleapis.com) + "/calendar/v3". CM_OK, or CM_EINVAL
 * (logged) when the variable is not a usable URL: the service does not start then. */
int gc_api_init(void);
/* base + "/calendar/v3" + path (already escaped, starts with '/') + query pairs (NULL-terminated name, value list;
 * NULL values skipped; may be NULL). malloc'ed (caller frees) or NULL. */
char *gc_url(const char *path, const char *const *query);
/* "/calendars/<calendar id escaped>" + suffix (may be NULL; already escaped). malloc'ed or NULL. */
char *gc_calendar_path(const char *calendar_id, const char *suffix);
/* Sends a request for the call's instance (url_owned freed, body stolen and sent as JSON, GET when method is NULL
 * and body NULL). cb gets only 2xx answers. A failure finishes the call with a tool error: the missing scope on
 * 403 (with the re-authorize URL), the usage limit with Retry-After on 403 *LimitExceeded / 429, Google's message;
 * a 404 / 410 names `what` (copied, e.g. "Event abc in calendar primary"; NULL = the runtime's text). arg_free (may
 * be NULL) frees arg when cb never runs. Touch the call no more after this returns. */
void gc_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gc_scope_t scope, const char *what,
              mcp_provider_cb cb, void *arg, void (*arg_free)(void *));

/* ---- check.c: argument checks the schemas cannot express ---- */
/* A string argument, or NULL when absent or empty; borrowed from args. */
const char *gc_str(json_t *args, const char *key);
/* 1 when s is an RFC 3339 date-time with an offset (2026-01-05T10:00:00Z, ...+02:00, fractions allowed) naming a
 * real instant (month, day of month, hour, minute, second, offset in range); *epoch (may be NULL) gets it in Unix
 * seconds. Else 0. */
int gc_rfc3339(const char *s, long long *epoch);
/* The same, the offset optional: a local date-time (2026-01-05T10:00:00) is valid, *has_offset tells (*epoch is then
 * the wall-clock time read as UTC). */
int gc_datetime(const char *s, int *has_offset, long long *epoch);
/* 1 when s is a real calendar date YYYY-MM-DD; *days (may be NULL) gets it as days since 1970-01-01. Else 0. */
int gc_date(const char *s, long long *days);
/* 1 for a usable calendar id ("primary", an address): 1..1024 printable ASCII without spaces, not "." or "..". */
int gc_calendar_id_ok(const char *s);
/* gc_calendar_id_ok for a tool's calendar argument: 1, or 0 with the call failed (a tool error naming calendar_id). */
int gc_calendar_arg_ok(mcp_call_t *c, const char *id);
/* Checks time_min < time_max when both are set (each already RFC 3339-checked by the caller through this too):
 * writes the tool error into err and returns 0 on a bad time or order, else 1. Names the arguments min_name and
 * max_name. */
int gc_time_window_ok(const char *min, const char *max, const char *min_name, const char *max_name, char *err,
                      size_t errsz);

/* ---- event.c: events ---- */
/* The `fields` selector of one event (events.get/insert/patch/quickAdd) and of an events.list page. */
extern const char GC_EVENT_FIELDS[];
extern const char GC_EVENT_LIST_FIELDS[];
/* A summary object of a Calendar event resource: id, status, summary, description, location, start, end, all_day,
 * time_zone, attendees [{email, display_name, response_status, optional, organizer, self}], recurrence,
 * recurring_event_id, organizer, meet_link, conference_status, html_link, reminders. New reference. */
json_t *gc_event_summary(json_t *ev);
/* Appends a readable rendering of a summary (one header line, then details when full). */
void gc_event_render(cm_buf_t *b, json_t *summary, int full);
/* The events.insert / events.patch body of a tool's arguments (summary, description, location, start, end,
 * time_zone, attendees, reminders, recurrence, add_meet_link). patch: only what is given. CM_OK with *out (new
 * reference) and *conference (1 when a Meet link is asked for: the request needs conferenceDataVersion=1), or
 * CM_EINVAL with the tool error in err. */
int gc_event_body(json_t *args, int patch, json_t **out, int *conference, char *err, size_t errsz);

/* ---- tool handlers ---- */
void gc_list_calendars(mcp_call_t *c, json_t *args, void *data);
void gc_list_events(mcp_call_t *c, json_t *args, void *data);
void gc_get_event(mcp_call_t *c, json_t *args, void *data);
void gc_find_free_busy(mcp_call_t *c, json_t *args, void *data);
void gc_create_event(mcp_call_t *c, json_t *args, void *data);
void gc_update_event(mcp_call_t *c, json_t *args, void *data);
void gc_delete_event(mcp_call_t *c, json_t *args, void *data);
void gc_respond_to_event(mcp_call_t *c, json_t *args, void *data);
void gc_quick_add(mcp_call_t *c, json_t *args, void *data);

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int gc_register_tools(mcp_server_t *s);

#endif
