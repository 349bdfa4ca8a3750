/*
 * flow_util.h - what the instance, OAuth and MCP-facing handlers share: per-request async contexts,
 * admin and service authentication, query and body parsing, and the answers they give alike (registry lookups
 * and URLs are the context's: core/broker.h).
 */
#ifndef OB_HANDLERS_FLOW_UTIL_H
#define OB_HANDLERS_FLOW_UTIL_H

#include "core/broker.h"

#include <stdint.h>

/*
 * Async request context: embed as the FIRST member of a handler's context struct. req becomes NULL
 * when the client goes away (pool dispose hook); the context itself is malloc'ed and outlives the
 * request until the handler's last callback frees it with ob_async_free.
 */
typedef struct ob_async {
    ob_broker_t *b;
    h2o_req_t *req;
    struct ob_async_ref *ref;
} ob_async_t;

/* Allocates a zeroed context of `size` bytes (>= sizeof(ob_async_t)) bound to req. NULL (after a 500
 * answer) on allocation failure. Caller owns it (ob_async_free). */
void *ob_async_new(ob_broker_t *b, h2o_req_t *req, size_t size);
/* Detaches from the request (if still there) and frees the context. Wipe secrets in it before. */
void ob_async_free(void *ctx);

/* Checks "Authorization: Bearer <admin key>". 1 = allowed; 0 = answered (401 unauthorized, or 503 when no
 * admin key is configured). */
int ob_require_admin(ob_broker_t *b, h2o_req_t *req);

/* Checks X-MCP-Service + "Authorization: Bearer <service bearer>". Returns the service name (in req->pool), or
 * NULL after answering 401 invalid_service_credentials. */
const char *ob_require_service(ob_broker_t *b, h2o_req_t *req);

/* Sends an HTML page of the browser flow (oauth/pages.h) whose popup messages go to the broker's own origin
 * and the origins of the allowed return URLs. */
struct ob_page;
void ob_send_page(const ob_broker_t *b, h2o_req_t *req, const struct ob_page *p);
/* Shorthand for an error page. */
void ob_send_error_page(const ob_broker_t *b, h2o_req_t *req, int status, const char *code, const char *message,
                        const char *instance_id, int popup);

/*
 * Parses req's query string once: values[i] gets the value of names[i] (NULL-terminated list; values in req->pool,
 * NULL when absent). RFC 6749 3.1: no parameter, named in the list or not, may appear twice. Returns CM_OK, or
 * CM_EINVAL when the query is malformed, repeats a parameter or has more than OB_QUERY_MAX_PARAMS of them.
 */
#define OB_QUERY_MAX_PARAMS 64
int ob_query_parse_once(h2o_req_t *req, const char *const names[], char *values[]);

/* Reads {"instance_id": "<uuid>"} from a JSON body: lowercase copy in id, the parsed body in *body_out (caller
 * decrefs; body_out may be NULL). 1 on success; 0 after answering 400. */
int ob_body_instance_id(h2o_req_t *req, json_t **body_out, char id[37]);

/* The admin route's instance id (route param 0): needs the admin key and a UUID. The lowercase id (in req->pool),
 * or NULL after answering (401/503, or 400 invalid_instance_id). */
char *ob_admin_instance_id(ob_broker_t *b, h2o_req_t *req, const cm_route_match_t *m);

/* The MCP-facing route's instance id (route param 0) and the calling service: needs the service credentials and a
 * UUID. The lowercase id (in req->pool) with *service set, or NULL after answering (401, or 404 instance_not_found:
 * the id is not a UUID). */
char *ob_service_instance_id(ob_broker_t *b, h2o_req_t *req, const cm_route_match_t *m, const char **service);

/* An instance load (store/instance_cache.h) ended with status: 1 when it loaded (CM_OK); else 0 after answering
 * 404 instance_not_found or the database error (what names the work for the log). */
int ob_instance_loaded(h2o_req_t *req, int status, const char *what);

/* A route param that must be a UUID: lowercase copy in req->pool, or NULL when malformed. */
char *ob_match_uuid(h2o_req_t *req, const cm_route_match_t *m, size_t i);

/* ob_text_ok() lives in instance_validate.h (pure). */
#include "handlers/instance_validate.h"

/* Answers a failed database call: 503 database_unavailable (pool error / timeout) or 500 database_error
 * (statement failed; the server log gets the PostgreSQL message, the client never does). */
void ob_respond_db_error(h2o_req_t *req, int status, const PGresult *res, const char *what);
/* 503 refresh_in_progress with Retry-After (seconds, rounded up from retry_ms, at least 1): a refresh of the instance
 * is in flight in another broker process (refresh intent marker, refresh/intent.c); nothing was changed. */
void ob_respond_refresh_in_progress(h2o_req_t *req, int64_t retry_ms);
/* 503 {code, message, error?, retry_after_s} with Retry-After (seconds, rounded up from retry_ms, at least 1):
 * try again then. error (may be NULL) is a further code (the provider's error). */
void ob_respond_retry_later(h2o_req_t *req, int64_t retry_ms, const char *code, const char *message, const char *error);
/* 1 when the pool call succeeded and res has the given PGRES_* status. */
int ob_pg_ok(int status, const PGresult *res, ExecStatusType want);

#endif
