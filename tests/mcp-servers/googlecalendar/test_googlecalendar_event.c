/* test_googlecalendar_event.c - the Google Calendar service's own logic without the network: RFC 3339 instants and
 * dates that must exist, calendar ids, time windows, tool arguments to events.insert / events.patch bodies (all-day
 * vs timed, recurrence needing a time zone, reminders, Meet requests) and event resources to summaries. */
#include "cu.h"
#include "googlecalendar.h"

#include <stdlib.h>
#include <string.h>

static void test_rfc3339(void)
{
    long long t = 0;
    CU_ASSERT_TRUE(gc_rfc3339("1970-01-01T00:00:00Z", &t));
    CU_ASSERT_EQUAL(t, 0);
    CU_ASSERT_TRUE(gc_rfc3339("2026-01-05T10:00:00+01:00", &t));
    CU_ASSERT_EQUAL(t, 1767603600LL); /* 09:00 UTC */
    CU_ASSERT_TRUE(gc_rfc3339("2026-01-05T09:00:00.123456789Z", NULL));
    CU_ASSERT_TRUE(gc_rfc3339("2024-02-29T23:59:60-05:30", NULL)); /* leap day, leap second */
    CU_ASSERT_FALSE(gc_rfc3339("2025-02-29T00:00:00Z", NULL));
    CU_ASSERT_FALSE(gc_rfc3339("2026-04-31T00:00:00Z", NULL));
    CU_ASSERT_FALSE(gc_rfc3339("2026-13-01T00:00:00Z", NULL));
    CU_ASSERT_FALSE(gc_rfc3339("2026-01-05T24:00:00Z", NULL));
    CU_ASSERT_FALSE(gc_rfc3339("2026-01-05T10:00:00", NULL));       /* no offset */
    CU_ASSERT_FALSE(gc_rfc3339("2026-01-05T10:00:00+1:00", NULL));  /* short offset */
    CU_ASSERT_FALSE(gc_rfc3339("2026-01-05T10:00:00+01:60", NULL)); /* offset minutes */
    CU_ASSERT_FALSE(gc_rfc3339("2026-01-05T10:00:00.Z", NULL));
    CU_ASSERT_FALSE(gc_rfc3339("2026-01-05T10:00:00Zjunk", NULL));
    CU_ASSERT_FALSE(gc_rfc3339("2026-01-05", NULL));
    CU_ASSERT_FALSE(gc_rfc3339(NULL, NULL));
    int off = 1;
    CU_ASSERT_TRUE(gc_datetime("2026-01-05T10:00:00", &off, &t));
    CU_ASSERT_EQUAL(off, 0);
    CU_ASSERT_TRUE(gc_datetime("2026-01-05T10:00:00-01:00", &off, NULL));
    CU_ASSERT_EQUAL(off, 1);
    CU_ASSERT_FALSE(gc_datetime("2026-01-05T10:00", &off, NULL));
}

static void test_dates_ids_windows(void)
{
    long long d = 0;
    char err[256];
    CU_ASSERT_TRUE(gc_date("1970-01-02", &d));
    CU_ASSERT_EQUAL(d, 1);
    CU_ASSERT_TRUE(gc_date("2000-02-29", NULL));
    CU_ASSERT_FALSE(gc_date("1900-02-29", NULL));
    CU_ASSERT_FALSE(gc_date("2026-01-5", NULL));
    CU_ASSERT_FALSE(gc_date("2026-01-05T00:00:00Z", NULL));
    CU_ASSERT_TRUE(gc_calendar_id_ok("primary"));
    CU_ASSERT_TRUE(gc_calendar_id_ok("en.german#holiday@group.v.calendar.google.com"));
    CU_ASSERT_FALSE(gc_calendar_id_ok(".."));
    CU_ASSERT_FALSE(gc_calendar_id_ok("a b"));
    CU_ASSERT_FALSE(gc_calendar_id_ok("a\nb"));
    CU_ASSERT_FALSE(gc_calendar_id_ok(""));
    CU_ASSERT_TRUE(gc_time_window_ok("2026-01-05T00:00:00Z", "2026-01-05T02:00:00+01:00", "a", "b", err, sizeof(err)));
    CU_ASSERT_TRUE(gc_time_window_ok(NULL, "2026-01-05T00:00:00Z", "a", "b", err, sizeof(err)));
    CU_ASSERT_FALSE(gc_time_window_ok("2026-01-05T00:00:00Z", "2026-01-05T01:00:00+01:00", "a", "b", err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "b must be later than a"));
    CU_ASSERT_FALSE(gc_time_window_ok("2026-02-30T00:00:00Z", NULL, "time_min", "b", err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "time_min must be an RFC 3339"));
}

/* the body of args (JSON text), or NULL with err */
static json_t *body_of(const char *args_json, int patch, int *conference, char *err, size_t errsz)
{
    json_t *args = json_loads(args_json, 0, NULL), *body = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(args);
    if (gc_event_body(args, patch, &body, conference, err, errsz) != 0)
        body = NULL;
    json_decref(args);
    return body;
}

static void test_event_body(void)
{
    char err[512];
    int conf = 0;
    json_t *b =
        body_of("{\"summary\":\"S\",\"start\":\"2026-01-05\",\"end\":\"2026-01-06\"}", 0, &conf, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(b, "start"), "date")), "2026-01-05");
    CU_ASSERT_PTR_NULL(json_object_get(b, "conferenceData"));
    CU_ASSERT_EQUAL(conf, 0);
    json_decref(b);

    b = body_of("{\"start\":\"2026-01-05T10:00:00Z\",\"end\":\"2026-01-05T11:00:00Z\",\"time_zone\":\"UTC\","
                "\"recurrence\":[\"RRULE:FREQ=DAILY;COUNT=2\"],\"add_meet_link\":true,"
                "\"reminders\":{\"overrides\":[{\"method\":\"popup\",\"minutes\":5}]},"
                "\"attendees\":[{\"email\":\"a@example.com\",\"optional\":true}]}",
                0, &conf, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(conf, 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(b, "end"), "timeZone")), "UTC");
    json_t *cr = json_object_get(json_object_get(b, "conferenceData"), "createRequest");
    CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(cr, "requestId")) ?: ""), 32);
    CU_ASSERT_TRUE(json_is_false(json_object_get(json_object_get(b, "reminders"), "useDefault")));
    CU_ASSERT_TRUE(json_is_true(json_object_get(json_array_get(json_object_get(b, "attendees"), 0), "optional")));
    json_decref(b);

    /* refusals */
    const char *bad[] = {
        "{\"start\":\"2026-01-05\",\"end\":\"2026-01-05\"}",           /* empty all-day */
        "{\"start\":\"2026-01-05\",\"end\":\"2026-01-05T11:00:00Z\"}", /* mixed kinds */
        "{\"start\":\"2026-01-05T10:00:00Z\",\"end\":\"2026-01-05T11:00:00Z\",\"recurrence\":[\"RRULE:FREQ=DAILY\"]}",
        "{\"start\":\"2026-01-05T10:00:00Z\",\"end\":\"2026-01-05T11:00:00Z\",\"reminders\":{\"use_default\":true,"
        "\"overrides\":[{\"method\":\"popup\",\"minutes\":5}]}}",
        "{\"start\":\"2026-02-30\",\"end\":\"2026-03-01\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        CU_ASSERT_PTR_NULL(body_of(bad[i], 0, &conf, err, sizeof(err)));
        CU_ASSERT_TRUE(strncmp(err, "Invalid arguments: ", 19) == 0);
    }
    /* a local date-time needs time_zone */
    CU_ASSERT_PTR_NULL(
        body_of("{\"start\":\"2026-01-05T10:00:00\",\"end\":\"2026-01-05T11:00:00\"}", 0, &conf, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "start has no UTC offset"));
    b = body_of("{\"start\":\"2026-01-05T10:00:00\",\"end\":\"2026-01-05T11:00:00\",\"time_zone\":\"Asia/Tokyo\"}", 0,
                &conf, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(b, "start"), "dateTime")),
                           "2026-01-05T10:00:00");
    json_decref(b);
    /* a patch: only what is given; nothing is an error; a recurring all-day event needs no time zone */
    b = body_of("{\"event_id\":\"e\",\"description\":\"\"}", 1, &conf, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(json_object_size(b), 1);
    json_decref(b);
    CU_ASSERT_PTR_NULL(body_of("{\"event_id\":\"e\"}", 1, &conf, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "nothing to change"));
    b = body_of("{\"start\":\"2026-01-05\",\"end\":\"2026-01-06\",\"recurrence\":[\"RRULE:FREQ=WEEKLY;COUNT=3\"]}", 1,
                &conf, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL(b);
    json_decref(b);
}

static void test_event_summary(void)
{
    json_t *ev = json_loads(
        "{\"id\":\"e1\",\"summary\":\"Review\",\"start\":{\"dateTime\":\"2026-01-07T13:00:00Z\",\"timeZone\":\"UTC\"},"
        "\"end\":{\"dateTime\":\"2026-01-07T14:00:00Z\"},\"hangoutLink\":\"https://meet.google.com/old\","
        "\"conferenceData\":{\"entryPoints\":[{\"entryPointType\":\"phone\",\"uri\":\"tel:+1\"},"
        "{\"entryPointType\":\"video\",\"uri\":\"https://meet.google.com/abc\"}]},"
        "\"attendees\":[{\"email\":\"me@example.com\",\"self\":true,\"responseStatus\":\"accepted\"}],"
        "\"reminders\":{\"useDefault\":true}}",
        0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    json_t *s = gc_event_summary(ev);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "meet_link")), "https://meet.google.com/abc");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "time_zone")), "UTC");
    CU_ASSERT_TRUE(json_is_false(json_object_get(s, "all_day")));
    cm_buf_t b = {0};
    gc_event_render(&b, s, 1);
    char *t = cm_buf_take(&b);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Attendees: me@example.com (accepted, you)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Reminders: calendar default\n"));
    free(t);
    gc_event_render(&b, s, 0);
    t = cm_buf_take(&b);
    CU_ASSERT_STRING_EQUAL(t, "- 2026-01-07T13:00:00Z -> 2026-01-07T14:00:00Z: Review (id e1), Meet "
                              "https://meet.google.com/abc\n");
    free(t);
    json_decref(s);
    json_decref(ev);
}

void tests_register(void)
{
    CU_SUITE("googlecalendar", NULL, NULL, {"RFC 3339 instants", test_rfc3339},
             {"dates, calendar ids, windows", test_dates_ids_windows}, {"event bodies", test_event_body},
             {"event summaries", test_event_summary});
}
