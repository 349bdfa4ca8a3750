/*
 * log_internal.h - the pieces of common/src/log.c kept in their own files.
 */
#ifndef COMMON_LOG_INTERNAL_H
#define COMMON_LOG_INTERNAL_H

#include <stddef.h>

/* Writes one event as a JSON object and a newline into out (NUL-terminated); request_id NULL or "" = none. Returns
 * the length written, 0 when it does not fit in outsz. */
size_t cm__log_json_line(char *out, size_t outsz, const char *ts, const char *level, const char *comp, const char *msg,
                         const char *request_id);

#endif
