#include "common/log.h"
#include "common/status.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int log_level = -1;
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;

static const char *level_names[] = {"debug", "info", "warn", "error"};

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

void cm_logv(int level, const char *component, const char *fmt, va_list ap)
{
    if (level < cm_log_get_level() || level < 0 || level > CM_LOG_ERROR)
        return;
    char msg[2048];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    /* keep one event on one line */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    char ts[32];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    pthread_mutex_lock(&log_mutex);
    fprintf(stderr, "%s.%03ldZ level=%s comp=%s %s\n", ts, now.tv_nsec / 1000000, level_names[level],
            component ? component : "-", msg);
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
