/*
 * server_options.c - mcp_server_options_t: the defaults and the MCP_* environment variables (mcp/server.h lists them
 * with their ranges); the input request settings are read by input_options.c.
 */
#include "server/input_options.h"
#include "tokens/auth.h"
#include "tokens/jwt.h"
#include "transport/server_internal.h"

#include "common/status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mcp_server_options_defaults(mcp_server_options_t *o, const char *service, const char *version)
{
    memset(o, 0, sizeof(*o));
    o->service = service;
    o->version = version;
    o->host = "127.0.0.1";
    o->max_body = 1024 * 1024;
    o->usage_flush_ms = 10000;
    o->auth_stale_if_error_s = MCP_AUTH_STALE_IF_ERROR_S_DEFAULT;
    o->jwt_leeway_s = MCP_JWT_LEEWAY_S_DEFAULT;
    o->sse_replay_bytes = 256 * 1024;
    o->sse_max_streams = 20000;
    o->sse_max_streams_per_instance = 100;
    o->sse_max_queued_bytes = 1024 * 1024;
    o->sse_idle_s = 300;
}

static int env_long(const char *name, long min, long max, long *out, char *err, size_t errsz)
{
    return mcp__env_long(name, min, max, out, err, errsz);
}

int mcp_server_options_from_env(mcp_server_options_t *o, char *err, size_t errsz)
{
    const char *v;
    long n;
    int rc;
    if ((v = getenv("MCP_HOST")) && *v)
        o->host = v;
    if ((v = getenv("MCP_PUBLIC_URL")) && *v)
        o->public_url = v;
    if ((v = getenv("BROKER_URL")) && *v)
        o->broker_url = v;
    if ((v = getenv("MCP_AUTH_ISSUER")) && *v)
        o->auth_issuer = v;
    if ((v = getenv("MCP_SERVICE_SECRET_FILE")) && *v)
        o->service_secret_file = v;
    if ((v = getenv("MCP_SERVICE_SECRET")) && *v)
        o->service_secret = v;
    if ((v = getenv("MCP_ALLOWED_HOSTS")) && *v)
        o->allowed_hosts = v;
    if ((v = getenv("MCP_ALLOWED_ORIGINS")) && *v)
        o->allowed_origins = v;
    if ((v = getenv("MCP_AUTH")) && *v) {
        if (strcmp(v, "none") == 0)
            o->auth_mode = MCP_AUTH_NONE;
        else if (strcmp(v, "broker") == 0)
            o->auth_mode = MCP_AUTH_BROKER;
        else {
            snprintf(err, errsz, "MCP_AUTH must be broker or none");
            return CM_EINVAL;
        }
    }
    if ((rc = env_long("MCP_PORT", 0, 65535, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->port = (int)n;
    if ((rc = env_long("MCP_MAX_BODY", 1024, 64L * 1024 * 1024, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->max_body = (size_t)n;
    if ((rc = env_long("MCP_SESSION_IDLE_S", 1, 7L * 24 * 3600, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->session_idle_ms = (int64_t)n * 1000;
    if ((rc = env_long("MCP_MAX_SESSIONS", 1, 10000000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->max_sessions = (size_t)n;
    if ((rc = env_long("MCP_MAX_SESSIONS_PER_INSTANCE", 1, 1000000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->max_sessions_per_instance = (size_t)n;
    if ((rc = env_long("MCP_TOOL_TIMEOUT_MS", 100, 3600000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->tool_timeout_ms = (int)n;
    if ((rc = env_long("MCP_TASK_TTL_MS", 1000, 7L * 24 * 3600 * 1000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->task_ttl_ms = n;
    if ((rc = env_long("MCP_MAX_TASKS", 1, 10000000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->max_tasks = (size_t)n;
    if ((rc = env_long("MCP_MAX_TASKS_PER_INSTANCE", 1, 1000000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->max_tasks_per_instance = (size_t)n;
    if ((rc = env_long("MCP_TASK_POLL_MS", 10, 3600000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->task_poll_ms = (int)n;
    if ((rc = env_long("MCP_AUTH_CACHE_TTL_S", 1, 86400, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->auth_cache_ttl_s = (int)n;
    if ((rc = env_long("MCP_AUTH_STATUS_TTL_S", 1, 86400, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->auth_status_ttl_s = (int)n;
    if ((rc = env_long("MCP_AUTH_RECHECK_MS", 100, 86400000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->auth_recheck_ms = (int)n;
    if ((rc = env_long("MCP_AUTH_STALE_IF_ERROR_S", 0, 86400, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->auth_stale_if_error_s = (int)n;
    if ((rc = env_long("MCP_JWKS_REFETCH_S", 1, 3600, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->jwks_refetch_s = (int)n;
    if ((rc = env_long("MCP_JWT_LEEWAY_S", 0, 300, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->jwt_leeway_s = (int)n;
    if ((rc = env_long("MCP_PAGE_SIZE", 1, 10000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->page_size = (size_t)n;
    if ((rc = env_long("MCP_TOKEN_CACHE_SIZE", 1, 10000000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->token_cache_size = (size_t)n;
    if ((rc = env_long("MCP_VERSION_MEMORY", 1, 100000000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->version_memory = (size_t)n;
    if ((rc = env_long("MCP_PUSH_REPLAY_CAP", 1, 10000000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->push_replay_cap = (size_t)n;
    if ((v = getenv("MCP_METRICS_TOKEN_FILE")) && *v)
        o->metrics_token_file = v;
    if ((rc = env_long("MCP_METRICS_LOOPBACK", 0, 1, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->metrics_no_loopback = n == 0;
    if ((rc = env_long("MCP_USAGE_FLUSH_MS", 100, 3600000, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->usage_flush_ms = (int)n;
    /* the event stream limits: {name, min, max, where} */
    struct {
        const char *name;
        long min, max;
        size_t *out;
    } sse[] = {{"MCP_SSE_REPLAY_BYTES", 0, 64L << 20, &o->sse_replay_bytes},
               {"MCP_SSE_MAX_STREAMS", 1, 10000000, &o->sse_max_streams},
               {"MCP_SSE_MAX_STREAMS_PER_INSTANCE", 1, 10000000, &o->sse_max_streams_per_instance},
               {"MCP_SSE_MAX_QUEUED_BYTES", 4096, 1L << 30, &o->sse_max_queued_bytes}};
    for (size_t i = 0; i < sizeof(sse) / sizeof(sse[0]); i++) {
        if ((rc = env_long(sse[i].name, sse[i].min, sse[i].max, &n, err, errsz)) < 0)
            return CM_EINVAL;
        if (rc)
            *sse[i].out = (size_t)n;
    }
    if ((rc = env_long("MCP_SSE_IDLE_S", 0, 7L * 24 * 3600, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->sse_idle_s = (int)n;
    return mcp__input_options_from_env(o, err, errsz);
}
