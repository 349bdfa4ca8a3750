/*
 * log.h - leveled logging to stderr, one line per event.
 *
 * Lines look like `2026-11-25T10:00:00Z level=info comp=broker msg="..."`. Never pass a secret
 * (token, client secret, key) to these functions; use cm_log_redact() for an identifier that
 * must be recognisable but not usable.
 *
 * Flood control: lines of one kind (one call site: level, component and format string, whatever the
 * arguments) are printed at most once per interval (default 1000 ms, env LOG_RATE_LIMIT_MS, 0 = off); the
 * lines of that kind in between are counted and reported as one line
 * `level=<level> comp=<comp> folded=<n> lines like "<format>" in the last <ms> ms` once the interval is over
 * (printed with the next line of any kind, or by cm_log_flush). Thread-safe.
 *
 * Format (cm_log_set_format, env LOG_FORMAT=text|json, default text): text is the line above, with
 * ` request_id=<id>` appended when the calling thread has a current request id (common/request_id.h); json is one
 * object per line: {"ts","level","comp","msg","request_id" (when there is one), and each key=value word of the
 * message as a string member}, control characters escaped and bytes that are not UTF-8 replaced by U+FFFD.
 * docs/logging.md describes both.
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

enum cm_log_format { CM_LOG_FORMAT_TEXT = 0, CM_LOG_FORMAT_JSON = 1 };

/* Parses "text", "json"; returns -1 when unknown. */
int cm_log_format_from_str(const char *s);
/* Sets the line format; any other value goes back to LOG_FORMAT or the default (text). */
void cm_log_set_format(int format);
int cm_log_get_format(void);

/* Sets the flood-control interval in ms (0 = every line is printed); overrides LOG_RATE_LIMIT_MS. A negative ms
 * goes back to LOG_RATE_LIMIT_MS or the default. */
void cm_log_set_rate_limit_ms(int ms);
/* The setting of cm_log_set_rate_limit_ms (-1: LOG_RATE_LIMIT_MS or the default), to put it back after a stretch of
 * lines that must all be printed. */
int cm_log_get_rate_limit_ms(void);
/* Prints the counts of folded lines still pending (at shutdown) and flushes stderr. */
void cm_log_flush(void);

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
