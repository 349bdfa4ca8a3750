/*
 * check.c - argument checks the JSON schemas cannot express: RFC 3339 instants that exist (the schema pattern only
 * checks the shape), calendar dates, calendar ids that stay one path segment, and time windows in order. Google
 * answers 400 to all of these; checking first keeps a model's mistake from costing a request.
 */
#include "googlecalendar.h"

#include <stdio.h>
#include <string.h>

/* n digits at s as a number, or -1 */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil) */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD at s (exactly 10 characters read); 1 and *days when it is a real date */
static int date_at(const char *s, long long *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1)
        return 0;
    if (d > mdays[m - 1] + (m == 2 && leap(y)))
        return 0;
    if (days != NULL)
        *days = days_from_civil(y, m, d);
    return 1;
}

int gc_date(const char *s, long long *days)
{
    return s != NULL && strlen(s) == 10 && date_at(s, days);
}

int gc_datetime(const char *s, int *has_offset, long long *epoch)
{
    long long days;
    if (s == NULL || strlen(s) < 19 || !date_at(s, &days) || (s[10] != 'T' && s[10] != 't'))
        return 0;
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    /* 60: a leap second is valid RFC 3339 */
    if (h < 0 || h > 23 || s[13] != ':' || mi < 0 || mi > 59 || s[16] != ':' || sec < 0 || sec > 60)
        return 0;
    const char *p = s + 19;
    if (*p == '.') {
        size_t n = strspn(p + 1, "0123456789");
        if (n < 1 || n > 9)
            return 0;
        p += 1 + n;
    }
    long long off = 0;
    *has_offset = *p != '\0';
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0')) {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return 0;
        off = (*p == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
    } else {
        return 0;
    }
    if (epoch != NULL)
        *epoch = days * 86400 + h * 3600LL + mi * 60LL + sec - off;
    return 1;
}

int gc_rfc3339(const char *s, long long *epoch)
{
    int has_offset = 0;
    return gc_datetime(s, &has_offset, epoch) && has_offset;
}

int gc_calendar_id_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0 || n > 1024 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

int gc_calendar_arg_ok(mcp_call_t *c, const char *id)
{
    if (!gc_calendar_id_ok(id)) {
        mcp_call_fail(c, "Invalid arguments: calendar_id must be \"primary\" or a calendar id from list_calendars.");
        return 0;
    }
    return 1;
}

int gc_time_window_ok(const char *min, const char *max, const char *min_name, const char *max_name, char *err,
                      size_t errsz)
{
    long long a = 0, b = 0;
    if (min != NULL && !gc_rfc3339(min, &a)) {
        snprintf(err, errsz,
                 "Invalid arguments: %s must be an RFC 3339 date-time with an offset, e.g. "
                 "2026-01-05T09:00:00Z or 2026-01-05T10:00:00+01:00 (got \"%.64s\").",
                 min_name, min);
        return 0;
    }
    if (max != NULL && !gc_rfc3339(max, &b)) {
        snprintf(err, errsz,
                 "Invalid arguments: %s must be an RFC 3339 date-time with an offset, e.g. "
                 "2026-01-05T18:00:00Z (got \"%.64s\").",
                 max_name, max);
        return 0;
    }
    if (min != NULL && max != NULL && b <= a) {
        snprintf(err, errsz, "Invalid arguments: %s must be later than %s.", max_name, min_name);
        return 0;
    }
    return 1;
}

const char *gc_str(json_t *args, const char *key)
{
    const char *s = json_string_value(json_object_get(args, key));
    return s && s[0] ? s : NULL;
}
