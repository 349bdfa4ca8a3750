/*
 * http_client_guard.h - the per-request TLS trust and connect-address options of the HTTP client (http_client.h:
 * cm_http_request_t.ca_file, .addr_ok), kept apart from the transfer machinery.
 */
#ifndef COMMON_HTTP_CLIENT_GUARD_H
#define COMMON_HTTP_CLIENT_GUARD_H

#include "common/http_client.h"

#include <curl/curl.h>

typedef struct cm_http_guard {
    cm_http_addr_ok_fn ok;
    void *arg;
    int refused; /* an address was refused (the transfer's error is "address refused") */
} cm_http_guard_t;

/* Applies req's ca_file and addr_ok to e; g (zeroed, lives as long as e) holds the check. */
void cm_http_guard_setup(CURL *e, cm_http_guard_t *g, const cm_http_request_t *req);

#endif
