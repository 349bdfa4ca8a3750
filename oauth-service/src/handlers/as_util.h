/*
 * as_util.h - what the authorization server's handlers share: OAuth error answers (RFC 6749 5.2), form bodies,
 * the caller's address, and client authentication at the token, revocation and introspection endpoints.
 */
#ifndef OB_HANDLERS_AS_UTIL_H
#define OB_HANDLERS_AS_UTIL_H

#include "handlers/flow_util.h"

#include "as/as_int.h"

#include <stddef.h>

/* Answers {error, error_description} with Cache-Control: no-store and Pragma: no-cache. */
void ob_as_oauth_error(h2o_req_t *req, int status, const char *error, const char *desc);
/* Answers 200 JSON with Cache-Control: no-store and Pragma: no-cache (takes body). */
void ob_as_respond_no_store(h2o_req_t *req, int status, json_t *body);
/* 404 {"code":"not_found"} when the AS is off (authorization.enabled false). 1 = the AS is on. */
int ob_as_enabled(ob_broker_t *b, h2o_req_t *req);

/*
 * Reads an application/x-www-form-urlencoded body: values[i] gets names[i]'s value (req->pool; NULL when absent).
 * CM_OK, or CM_EINVAL (not a form, malformed, a parameter repeated: RFC 6749 3.2) with *why (static text).
 */
int ob_as_form_read(h2o_req_t *req, const char *const names[], char *values[], const char **why);

/* The caller's address as text into buf ("?" when unknown). */
const char *ob_as_peer(h2o_req_t *req, char *buf, size_t bufsz);

/* The client's credentials as presented (RFC 6749 2.3.1: Basic, or client_id/client_secret in the body). */
typedef struct ob_as_authn {
    char client_id[2049];
    char secret[256];
    int basic;      /* Basic was tried */
    int has_secret; /* a secret was presented */
} ob_as_authn_t;

/* Fills an from the Authorization header and the body's client_id / client_secret. CM_OK, or CM_EINVAL with *why
 * (no client_id; both Basic and a body secret; Basic malformed; ids that differ). */
int ob_as_authn_parse(h2o_req_t *req, const char *body_client_id, const char *body_secret, ob_as_authn_t *an,
                      const char **why);

/* status: CM_OK (authenticated), CM_EPERM (invalid_client), or a database error. */
typedef void (*ob_as_authn_cb)(void *arg, int status);
/*
 * Authenticates an: a client id that is an https URL (Client ID Metadata Document) is a public client and must not
 * present a secret; a stored client with a secret must present it (compared as SHA-256 in constant time), one
 * without must not. Records the use of the client (clients.h touch). CM_OK / CM_EPERM at once, or CM_AGAIN (cb once,
 * later), or an error. an must stay valid until cb.
 */
int ob_as_authn_check(ob_broker_t *b, const ob_as_authn_t *an, ob_as_authn_cb cb, void *arg);
/* 401 invalid_client (with WWW-Authenticate: Basic when Basic was tried). */
void ob_as_invalid_client(h2o_req_t *req, const ob_as_authn_t *an, const char *desc);

/* The value of the cookie name in req's Cookie headers (in req->pool), or NULL. */
char *ob_as_cookie(h2o_req_t *req, const char *name);

#endif
