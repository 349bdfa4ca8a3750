#include "common/log.h"
#include "common/request_id.h"
#include "common/status.h"
#include "log_internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int log_level = -1;
static int log_format = -1; /* -1 = not read from LOG_FORMAT yet */
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;

static const char *level_names[] = {"debug", "info", "warn", "error"};

/*
 * Flood control: lines of one kind (one call site: level, component and format string, whatever the
 * arguments) print at most once per interval; the ones in between are counted, and the count is printed as
 * one line when the interval is over (at the next line of that kind, or at the next line of any kind, or at
 * cm_log_flush). A failing dependency that makes every request log the same warning costs one line per second
 * instead of thousands. The table is small and fixed: an evicted kind prints its count first.
 */
#define RL_SLOTS 128
#define RL_PROBE 8
#define RL_DEFAULT_MS 1000

typedef struct rl_slot {
    const char *fmt;    /* identity only, never read (a plugin's string may be unloaded); NULL = free */
    char text[160];     /* the start of the format, for the count line */
    char component[48]; /* a copy: callers may pass a buffer */
    int level;
    int64_t window_ms; /* monotonic start of the interval of the last printed line */
    uint64_t folded;   /* lines not printed since */
} rl_slot_t;

static rl_slot_t rl_slots[RL_SLOTS];
static int64_t rl_interval_ms = -1; /* -1 = not read from the environment yet; 0 = off */

int cm_log_level_from_str(const char *s)
{
    if (s == NULL)
        return -1;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, level_names[i]) == 0)
            return i;
    if (strcasecmp(s, "warning") == 0)
        return CM_LOG_WARN;
    return -1;
}

int cm_log_get_level(void)
{
    if (log_level < 0) {
        int l = cm_log_level_from_str(getenv("LOG_LEVEL"));
        log_level = l >= 0 ? l : CM_LOG_INFO;
    }
    return log_level;
}

void cm_log_set_level(int level)
{
    if (level >= CM_LOG_DEBUG && level <= CM_LOG_ERROR)
        log_level = level;
}

int cm_log_format_from_str(const char *s)
{
    if (s == NULL)
        return -1;
    if (strcasecmp(s, "text") == 0)
        return CM_LOG_FORMAT_TEXT;
    if (strcasecmp(s, "json") == 0)
        return CM_LOG_FORMAT_JSON;
    return -1;
}

/* Under log_mutex. */
static int format_locked(void)
{
    if (log_format < 0) {
        int f = cm_log_format_from_str(getenv("LOG_FORMAT"));
        log_format = f >= 0 ? f : CM_LOG_FORMAT_TEXT;
    }
    return log_format;
}

int cm_log_get_format(void)
{
    pthread_mutex_lock(&log_mutex);
    int f = format_locked();
    pthread_mutex_unlock(&log_mutex);
    return f;
}

void cm_log_set_format(int format)
{
    pthread_mutex_lock(&log_mutex);
    log_format = (format == CM_LOG_FORMAT_TEXT || format == CM_LOG_FORMAT_JSON) ? format : -1;
    pthread_mutex_unlock(&log_mutex);
}

void cm_log_set_rate_limit_ms(int ms)
{
    pthread_mutex_lock(&log_mutex);
    rl_interval_ms = ms >= 0 ? ms : -1; /* -1: read LOG_RATE_LIMIT_MS again at the next line */
    pthread_mutex_unlock(&log_mutex);
}

int cm_log_get_rate_limit_ms(void)
{
    pthread_mutex_lock(&log_mutex);
    int ms = (int)rl_interval_ms;
    pthread_mutex_unlock(&log_mutex);
    return ms;
}

/* Under log_mutex. */
static int64_t rl_interval(void)
{
    if (rl_interval_ms < 0) {
        const char *e = getenv("LOG_RATE_LIMIT_MS");
        char *end = NULL;
        long v = e != NULL && *e ? strtol(e, &end, 10) : -1;
        rl_interval_ms = (end != NULL && *end == '\0' && v >= 0 && v <= 3600000) ? v : RL_DEFAULT_MS;
    }
    return rl_interval_ms;
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Under log_mutex. request_id NULL = none. Text: today's line, with " request_id=<id>" at its end when there is
 * one (a well-formed id needs no quoting); JSON: one object (log_json.c). */
static void emit(int level, const char *component, const char *msg, const char *request_id)
{
    char ts[64], sec[32];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts, sizeof(ts), "%s.%03ldZ", sec, now.tv_nsec / 1000000);
    if (format_locked() == CM_LOG_FORMAT_JSON) {
        /* a message is at most 2 KiB; escaped (6 bytes a byte at worst) twice (msg and its fields) it fits */
        static char line[32 * 1024];
        size_t n =
            cm__log_json_line(line, sizeof(line), ts, level_names[level], component ? component : "-", msg, request_id);
        if (n > 0) {
            fwrite(line, 1, n, stderr);
            return;
        }
    }
    if (request_id != NULL)
        fprintf(stderr, "%s level=%s comp=%s %s request_id=%s\n", ts, level_names[level], component ? component : "-",
                msg, request_id);
    else
        fprintf(stderr, "%s level=%s comp=%s %s\n", ts, level_names[level], component ? component : "-", msg);
}

/* Under log_mutex: prints the count of slot's folded lines, if any. */
static void rl_report(rl_slot_t *slot, int64_t now_ms)
{
    if (slot->folded == 0)
        return;
    char msg[640];
    snprintf(msg, sizeof(msg), "folded=%" PRIu64 " lines like \"%s\" in the last %" PRId64 " ms", slot->folded,
             slot->text, now_ms - slot->window_ms);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    emit(slot->level, slot->component, msg, NULL); /* a count spans requests: it belongs to none */
    slot->folded = 0;
}

/* Under log_mutex: 1 when this line is to be printed, 0 when it is folded into its kind's count. */
static int rl_admit(int level, const char *component, const char *fmt, int64_t now_ms)
{
    int64_t interval = rl_interval();
    if (interval == 0)
        return 1;
    /* counts whose interval is over are printed now, not only when their kind comes back */
    for (size_t i = 0; i < RL_SLOTS; i++)
        if (rl_slots[i].folded > 0 && now_ms - rl_slots[i].window_ms >= interval)
            rl_report(&rl_slots[i], now_ms);
    size_t h = (size_t)(((uintptr_t)fmt >> 3) ^ (uintptr_t)level) % RL_SLOTS;
    rl_slot_t *victim = NULL;
    for (size_t k = 0; k < RL_PROBE; k++) {
        rl_slot_t *s = &rl_slots[(h + k) % RL_SLOTS];
        if (s->fmt == fmt && s->level == level && strncmp(s->component, component, sizeof(s->component) - 1) == 0) {
            if (now_ms - s->window_ms < interval) {
                s->folded++;
                return 0;
            }
            s->window_ms = now_ms;
            return 1;
        }
        if (s->fmt == NULL) {
            if (victim == NULL || victim->fmt != NULL)
                victim = s;
        } else if (victim == NULL || (victim->fmt != NULL && s->window_ms < victim->window_ms)) {
            victim = s;
        }
    }
    if (victim->fmt != NULL)
        rl_report(victim, now_ms);
    *victim = (rl_slot_t){.fmt = fmt, .level = level, .window_ms = now_ms};
    snprintf(victim->component, sizeof(victim->component), "%s", component);
    snprintf(victim->text, sizeof(victim->text), "%s", fmt);
    return 1;
}

void cm_log_flush(void)
{
    pthread_mutex_lock(&log_mutex);
    int64_t now_ms = mono_ms();
    for (size_t i = 0; i < RL_SLOTS; i++)
        rl_report(&rl_slots[i], now_ms);
    fflush(stderr);
    pthread_mutex_unlock(&log_mutex);
}

void cm_logv(int level, const char *component, const char *fmt, va_list ap)
{
    if (level < cm_log_get_level() || level < 0 || level > CM_LOG_ERROR || fmt == NULL)
        return;
    pthread_mutex_lock(&log_mutex);
    int admit = rl_admit(level, component ? component : "-", fmt, mono_ms());
    pthread_mutex_unlock(&log_mutex);
    if (!admit)
        return;
    char msg[2048];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    /* keep one event on one line */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    pthread_mutex_lock(&log_mutex);
    emit(level, component, msg, cm_reqid_current());
    pthread_mutex_unlock(&log_mutex);
}

void cm_log(int level, const char *component, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cm_logv(level, component, fmt, ap);
    va_end(ap);
}

char *cm_log_redact(const char *secret, char *out, size_t outsz)
{
    if (outsz == 0)
        return out;
    if (secret == NULL || *secret == '\0') {
        snprintf(out, outsz, "(none)");
        return out;
    }
    size_t len = strlen(secret);
    snprintf(out, outsz, "%.4s...(len=%zu)", len > 8 ? secret : "", len);
    return out;
}

const char *cm_status_str(int status)
{
    switch (status) {
    case CM_OK:
        return "ok";
    case CM_AGAIN:
        return "again";
    case CM_ERR:
        return "error";
    case CM_EINVAL:
        return "invalid argument";
    case CM_ENOMEM:
        return "out of memory";
    case CM_ENOTFOUND:
        return "not found";
    case CM_EIO:
        return "i/o error";
    case CM_ETIMEDOUT:
        return "timed out";
    case CM_ETOOBIG:
        return "too big";
    case CM_EPERM:
        return "not permitted";
    case CM_ECONFLICT:
        return "conflict";
    case CM_EUNAVAIL:
        return "unavailable";
    }
    return "unknown status";
}
