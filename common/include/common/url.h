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

int cm_buf_append(cm_buf_t *b, const char *s, size_t n);
int cm_buf_appendz(cm_buf_t *b, const char *s);
int cm_buf_printf(cm_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the data (ownership to caller, "" when empty) and resets b. NULL when an append failed. */
char *cm_buf_take(cm_buf_t *b);
void cm_buf_free(cm_buf_t *b);

/* Percent-encodes s for a query/form value (RFC 3986 unreserved kept). malloc'ed, NULL on failure. */
char *cm_url_escape(const char *s, size_t len);
/* Decodes %XX and, when plus_is_space, '+' to ' '. malloc'ed NUL-terminated, *outlen; NULL on bad escapes. */
char *cm_url_unescape(const char *s, size_t len, int plus_is_space, size_t *outlen);

/* Appends "name=value" pairs (escaped, '&'-joined) to b; a NULL value skips the pair. */
int cm_form_add(cm_buf_t *b, const char *name, const char *value);

/*
 * Parses application/x-www-form-urlencoded (or a query string) and calls cb for each pair with
 * decoded, NUL-terminated name and value (borrowed for the call). Stops and returns the cb's
 * value when it is non-zero. Returns CM_EINVAL on a malformed escape, CM_OK otherwise.
 */
typedef int (*cm_form_cb)(void *arg, const char *name, const char *value);
int cm_form_parse(const char *s, size_t len, cm_form_cb cb, void *arg);
/* Finds one field in a form/query string; returns malloc'ed decoded value or NULL when absent/invalid. */
char *cm_form_get(const char *s, size_t len, const char *name);

/*
 * Appends query parameters to a base URL (which may already have a query) using curl_url.
 * params is a NULL-terminated array of name, value pairs; NULL values are skipped. Returns a
 * malloc'ed URL or NULL when the base URL is invalid.
 */
char *cm_url_with_query(const char *base, const char *const *params);
/* 1 when s parses as an absolute http(s) URL with a host, else 0. */
int cm_url_is_http(const char *s);

#endif
