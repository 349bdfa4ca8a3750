/*
 * request_id.h - the request id that ties together the log lines of one user action, across processes.
 *
 * A well-formed id is 1..128 characters of [A-Za-z0-9._-]: it is safe in a header, in a text log line and in a JSON
 * string without escaping. An incoming X-Request-Id that is not well-formed is replaced by a generated one (128
 * random bits, 32 lowercase hex characters), never echoed.
 *
 * The "current" request id is per thread: the HTTP server sets it around a handler, and the asynchronous parts of
 * common (HTTP client, PostgreSQL queue, timers) remember the id current when a call starts and set it again around
 * its callback, so lines logged later for the same request carry its id. Every log line carries the current id.
 */
#ifndef COMMON_REQUEST_ID_H
#define COMMON_REQUEST_ID_H

#include <stddef.h>

#define CM_REQID_MAX 128
#define CM_REQID_HEADER "X-Request-Id"

/* An id, or "" for none. Plain data: copy it by value. */
typedef struct cm_reqid {
    char s[CM_REQID_MAX + 1];
} cm_reqid_t;

/* 1 when s[0..len) is a well-formed request id, else 0. */
int cm_reqid_valid(const char *s, size_t len);
/* Writes a fresh id (32 hex characters) into out. Returns CM_OK, or an error of the random source. */
int cm_reqid_generate(cm_reqid_t *out);
/* Makes out the incoming id s[0..len) when well-formed, else a fresh one. Returns CM_OK or an error as above. */
int cm_reqid_from_header(const char *s, size_t len, cm_reqid_t *out);

/* The calling thread's current request id; NULL when there is none. Borrowed: valid until the next change. */
const char *cm_reqid_current(void);
/* Makes id (NULL or "" = none) the calling thread's current id and stores the previous one in saved, for
 * cm_reqid_restore; an id that is not well-formed clears the current id. */
void cm_reqid_enter(const char *id, cm_reqid_t *saved);
/* cm_reqid_enter for an id that is well-formed by construction (from cm_reqid_from_header, cm_reqid_generate or
 * cm_reqid_capture; "" = none): not checked again, it is set on every request and every asynchronous callback. */
void cm_reqid_switch(const cm_reqid_t *id, cm_reqid_t *saved);
/* Makes saved (from cm_reqid_enter or cm_reqid_switch) the current id again. */
void cm_reqid_restore(const cm_reqid_t *saved);
/* Copies the current id into out ("" when none): what an asynchronous call keeps for its callback. */
void cm_reqid_capture(cm_reqid_t *out);

#endif
