/*
 * httpd_internal.h (private to common/src/httpd*.c) - what the server glue's files share.
 */
#ifndef COMMON_HTTPD_INTERNAL_H
#define COMMON_HTTPD_INTERNAL_H

#include "common/httpd.h"

/* The JSON text {"code":code,"message":message[,"field":field]}; malloc'ed (caller frees), NULL when out of memory. */
char *cm__error_text(const char *code, const char *field, const char *message);

/* Makes the errors libh2o sends itself, before any handler ran (a body over max_request_entity_size: 413, a broken
 * Content-Length / Transfer-Encoding: 400, an unknown Expect: 417, a path outside "/": 404), JSON error bodies like
 * every other error of the server. host is the server's only host; max_body is the limit the 413 names. */
void cm__httpd_json_early_errors(h2o_hostconf_t *host, size_t max_body);

#endif
