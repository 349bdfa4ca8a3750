/*
 * url.h - URL and form helpers built on libcurl's URL API (curl_url_*, curl_easy_escape).
 */
#ifndef COMMON_URL_H
#define COMMON_URL_H

#include <stddef.h>

/* A growable string buffer. Zero-initialise; free with cm_buf_free. */
typedef struct cm_buf {
    char *data; /* NUL-terminated while len > 0 or after any append */
    size_t len;
    size_t cap;
    int failed; /* sticky allocation failure */
} cm_buf_t;

/* Appends return CM_OK or a negative status; a failure is sticky (later appends fail, cm_buf_take gives NULL).
 * Replaced and freed blocks are wiped: buffers may carry secrets. */
int cm_buf_append(cm_buf_t *b, const char *s, size_t n);
int cm_buf_appendz(cm_buf_t *b, const char *s);
int cm_buf_printf(cm_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the data (ownership to caller, "" when empty) and resets b. NULL when an append failed. */
char *cm_buf_take(cm_buf_t *b);
void cm_buf_free(cm_buf_t *b);

/* Percent-encodes s for a query/form value (RFC 3986 unreserved kept). malloc'ed, NULL on failure. */
char *cm_url_escape(const char *s, size_t len);
/* Decodes %XX and, when plus_is_space, '+' to ' '. malloc'ed NUL-terminated, *outlen (may be NULL; %00 decodes to a
 * NUL counted in *outlen); NULL on bad escapes ("%G1", truncated "%4"). */
char *cm_url_unescape(const char *s, size_t len, int plus_is_space, size_t *outlen);

/* Appends "name=value" pairs (escaped, '&'-joined) to b; a NULL value skips the pair. */
int cm_form_add(cm_buf_t *b, const char *name, const char *value);

/*
 * Parses application/x-www-form-urlencoded (or a query string) and calls cb for each pair with
 * decoded, NUL-terminated name and value (borrowed for the call). Stops and returns the cb's
 * value when it is non-zero. Returns CM_EINVAL on a malformed escape or an escaped NUL (%00), checked
 * before the first callback; CM_OK otherwise. Empty segments ("a=1&&b=2") are skipped; a segment
 * without '=' yields value "". Every occurrence of a repeated name is delivered, in order.
 */
typedef int (*cm_form_cb)(void *arg, const char *name, const char *value);
int cm_form_parse(const char *s, size_t len, cm_form_cb cb, void *arg);
/* Finds one field in a form/query string; returns malloc'ed decoded value of its first occurrence or NULL when
 * absent/invalid. Callers that must reject repeated parameters (RFC 6749 3.1) use cm_form_parse. */
char *cm_form_get(const char *s, size_t len, const char *name);

/*
 * Appends query parameters to a base URL (which may already have a query) using curl_url.
 * params is a NULL-terminated array of name, value pairs; NULL values are skipped. Returns a
 * malloc'ed URL or NULL when the base URL is invalid. Only schemes libcurl knows are accepted (curl would
 * rewrite private-use schemes such as "com.example.app:/cb"); the path is kept as is; a fragment stays last;
 * percent-escapes come out in uppercase ("%2F").
 */
char *cm_url_with_query(const char *base, const char *const *params);
/* 1 when s parses as an absolute http(s) URL with a host ("scheme://host..."), else 0. */
int cm_url_is_http(const char *s);

#endif
