/* server_internal.h - the server record shared by server.c, http*.c, health.c, push_http.c, auth.c. */
#ifndef MCP_SERVER_INTERNAL_H
#define MCP_SERVER_INTERNAL_H

#include "common/httpd.h"
#include "dispatch/protocol.h"
#include "tokens/push.h"
#include "tokens/versions.h"
#include "mcp/server.h"
#include "protocol/session.h"
#include "util/clock.h"

#include <stdint.h>

typedef struct mcp_auth mcp_auth_t;
typedef struct mcp_token_client mcp_token_client_t;
typedef struct mcp_usage mcp_usage_t;
typedef struct mcp_broker mcp_broker_t;
typedef struct mcp_jwks mcp_jwks_t;
struct mcp_http_req;
struct mcp_lru;
struct mcp_sse_session;

typedef struct mcp_stats {
    uint64_t requests, notifications, errors, tool_calls, sse_responses;
    uint64_t sse_dropped, cancelled; /* slow readers dropped; calls ended by notifications/cancelled */
    uint64_t auth_ok, auth_failed, pushes_ok, pushes_rejected;
    uint64_t push_events_ignored; /* older (lower version) than the cached state */
} mcp_stats_t;

struct mcp_server {
    char *service, *version, *name; /* name = "mcp-<service>" */
    char *host, *public_url;
    int port;
    mcp_auth_mode_t auth_mode;
    char **allowed_hosts;   /* NULL-terminated; NULL pointer = any */
    char **allowed_origins; /* NULL-terminated; NULL pointer = any */
    int any_host, any_origin;
    size_t max_body;
    cm_server_t *httpd;
    mcp_tools_t *tools;
    mcp_protocol_t *proto;
    mcp_sessions_t *sessions;
    mcp_push_verifier_t *push; /* NULL without a service secret */
    char service_bearer_hex[CM_BP_BEARER_HEX_LEN];
    int have_secret;
    mcp_broker_t *broker; /* NULL without broker_url */
    mcp_auth_t *auth;
    mcp_jwks_t *jwks;              /* the broker's signing keys (access tokens); NULL without broker_url */
    char *issuer;                  /* the "iss" access tokens must carry; NULL without broker_url */
    struct mcp_verified *verified; /* access tokens verified before (tokens/verified.h) */
    mcp_token_client_t *tokens;
    struct cm_mem_trim *trim; /* gives memory freed by a burst back (common/mem_trim.h) */
    mcp_versions_t *versions; /* last versions of instances evicted from auth and tokens (tokens/versions.h) */
    mcp_usage_t *usage;
    cm_http_client_t *http; /* outbound HTTP (broker, providers) */
    char *user_agent;
    h2o_timeout_t tick_timeout; /* maintenance tick */
    h2o_timeout_t tool_timeout; /* deadline of a pending tools/call */
    int tool_timeout_ms;
    h2o_timeout_entry_t tick_entry;
    int tick_linked;
    int64_t last_flush_ms;
    struct { /* GET {broker}/health, probed from the maintenance tick (health.c) */
        int inflight;
        int64_t started_ms; /* monotonic; 0 = never */
        int status;         /* HTTP status of the last answer, 0 = unreachable, -1 = none yet */
        int64_t at;         /* unix s of the last answer (or failure) */
    } probe;
    /* event streams (sse.h): open GET writers, their count per instance, every session's stream state */
    struct mcp_http_req *get_writers;
    size_t sse_open;
    struct mcp_lru *sse_per_instance; /* instance -> size_t open GET streams */
    struct mcp_sse_session *sse_sessions;
    uint32_t sse_next_key;     /* keys of sessionless streams */
    mcp_server_options_t opts; /* numbers only; strings above */
    mcp_stats_t stats;
};

/* http.c: route handlers of the MCP endpoint */
int mcp__http_on_mcp(void *data, h2o_req_t *req, const cm_route_match_t *m);
/* The service URL /mcp: the instance is the access token's sub. */
int mcp__http_on_service_mcp(void *data, h2o_req_t *req, const cm_route_match_t *m);
/* Lowercases the scheme and host of an absolute URL in place and drops a default port (":80" for http, ":443" for
 * https): the canonical form of the resource URLs tokens are issued for. */
void mcp__canonical_origin(char *url);
/* http_guard.c */
int mcp__guard_host(mcp_server_t *s, h2o_req_t *req);
int mcp__guard_origin(mcp_server_t *s, h2o_req_t *req);
int mcp__accepts(h2o_req_t *req, int need_json, int need_sse);
int mcp__is_json_content_type(h2o_req_t *req);
/* CORS of the MCP endpoint, for a request whose Origin passed mcp__guard_origin (nothing without an Origin): that
 * origin, never "*", with Vary: Origin, and the response headers a browser client must read exposed
 * (WWW-Authenticate for resource_metadata, Mcp-Session-Id). */
void mcp__cors_endpoint(h2o_req_t *req);
/* 1 when req is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method); it is then answered 204. */
int mcp__cors_preflight(h2o_req_t *req);
/* Header value with surrounding whitespace removed and =?base64?...?= decoded; pool-allocated, NULL when absent
 * or undecodable (*bad set). */
char *mcp__header_value(h2o_req_t *req, const char *lc_name, int *bad);
int mcp__instance_id_valid(const char *s);
/* Sends a JSON-RPC error (id may be NULL) with an HTTP status. */
void mcp__respond_rpc_error(h2o_req_t *req, int status, json_t *id, int code, const char *message, json_t *data);
/* health.c, push_http.c, wellknown in auth_http.c */
int mcp__health_service(void *data, h2o_req_t *req, const cm_route_match_t *m);
int mcp__health_instance(void *data, h2o_req_t *req, const cm_route_match_t *m);
/* From the maintenance tick: starts GET {broker}/health when the last probe is MCP_BROKER_PROBE_MS old (never waits).
 */
void mcp__health_probe(mcp_server_t *s, int64_t now_ms);
#define MCP_BROKER_PROBE_MS 10000
int mcp__cache_tokens(void *data, h2o_req_t *req, const cm_route_match_t *m);
int mcp__protected_resource(void *data, h2o_req_t *req, const cm_route_match_t *m);
/* OPTIONS of the resource metadata documents: public documents, any origin may read them. */
int mcp__protected_resource_preflight(void *data, h2o_req_t *req, const cm_route_match_t *m);
/* Adds WWW-Authenticate (the resource metadata of the instance URL of instance_id, or of the service URL when NULL)
 * and answers 401. */
void mcp__respond_unauthorized(mcp_server_t *s, h2o_req_t *req, const char *instance_id, const char *message);
/* The same with 403 and error="insufficient_scope". */
void mcp__respond_insufficient_scope(mcp_server_t *s, h2o_req_t *req, const char *instance_id, json_t *id,
                                     const char *message);
/* The resource URL of instance_id's instance URL, or of the service URL when NULL, into out. 0, or -1 when too long. */
int mcp__resource_url(const mcp_server_t *s, const char *instance_id, char *out, size_t outsz);

#endif
