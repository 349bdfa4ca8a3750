/*
 * log.h - leveled logging to stderr, one line per event.
 *
 * Lines look like `2026-11-25T10:00:00Z level=info comp=broker msg="..."`. Never pass a secret
 * (token, client secret, key) to these functions; use cm_log_redact() for an identifier that
 * must be recognisable but not usable.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum cm_log_level { CM_LOG_DEBUG = 0, CM_LOG_INFO = 1, CM_LOG_WARN = 2, CM_LOG_ERROR = 3 };

/* Sets the minimum level that is printed (default INFO; env LOG_LEVEL=debug|info|warn|error). */
void cm_log_set_level(int level);
/* Parses "debug", "info", "warn", "error"; returns -1 when unknown. */
int cm_log_level_from_str(const char *s);
int cm_log_get_level(void);

void cm_log(int level, const char *component, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cm_logv(int level, const char *component, const char *fmt, va_list ap);

#define cm_debug(comp, ...) cm_log(CM_LOG_DEBUG, comp, __VA_ARGS__)
#define cm_info(comp, ...) cm_log(CM_LOG_INFO, comp, __VA_ARGS__)
#define cm_warn(comp, ...) cm_log(CM_LOG_WARN, comp, __VA_ARGS__)
#define cm_error(comp, ...) cm_log(CM_LOG_ERROR, comp, __VA_ARGS__)

/*
 * Writes a log-safe form of a secret into out: its first 4 characters and its length
 * ("ya29...(len=183)"), or "(none)". out is always NUL-terminated. Returns out.
 */
char *cm_log_redact(const char *secret, char *out, size_t outsz);

#endif
