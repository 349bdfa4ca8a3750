/*
 * server.h - an MCP service: Streamable HTTP (both protocol eras) on common/httpd, per-instance routing and
 * auth, the token client, /cache-tokens, health, usage counters. One per process, one loop thread.
 *
 * Endpoints:
 *   POST|GET|DELETE /{instanceId}/mcp  and  /{instanceId}   MCP (GET: 405, no server-initiated stream)
 *   GET  /{instanceId}/health                                instance status, token validity (no secrets)
 *   GET  /health                                             service, version, uptime, broker, cache and session stats
 *   POST /cache-tokens                                       the broker's signed pushes (broker_api.h)
 *   GET  /.well-known/oauth-protected-resource[/{instanceId}[/mcp]]   RFC 9728 metadata
 *
 * Typical service:
 *     mcp_server_options_t o;
 *     mcp_server_options_defaults(&o, "gmail", "1.0.0");
 *     if (mcp_server_options_from_env(&o, err, sizeof err) != CM_OK) ...
 *     mcp_server_t *s = mcp_server_new(&o, err, sizeof err);
 *     mcp_server_add_tool(s, &def); ...
 *     mcp_server_listen(s, NULL); mcp_server_run(s); mcp_server_free(s);
 */
#ifndef MCP_SERVER_H
#define MCP_SERVER_H

#include "common/httpd.h"
#include "mcp/tools.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mcp_server mcp_server_t;
typedef struct cm_http_client cm_http_client_t;

typedef enum mcp_auth_mode {
    MCP_AUTH_BROKER = 0, /* Bearer instance key checked by the broker (production) */
    MCP_AUTH_NONE = 1,   /* no authentication: test fixtures only (logged loudly at startup) */
} mcp_auth_mode_t;

typedef struct mcp_server_options {
    const char *service;      /* required: "gmail", "conformance", ... (serverInfo.name = "mcp-<service>") */
    const char *version;      /* serverInfo.version */
    const char *title;        /* optional serverInfo.title */
    const char *instructions; /* optional */
    const char *host;         /* listen address, default "127.0.0.1" (env MCP_HOST) */
    int port;                 /* default 0 = ephemeral (env MCP_PORT) */
    const char
        *public_url; /* base URL clients use, for resource metadata (env MCP_PUBLIC_URL); default http://host:port */
    const char *broker_url;           /* env BROKER_URL, e.g. http://127.0.0.1:3001 */
    const char *service_secret_file;  /* env MCP_SERVICE_SECRET_FILE (mode 0600) */
    const char *service_secret;       /* or the secret itself (env MCP_SERVICE_SECRET; tests) */
    const char *allowed_hosts;        /* comma list of Host names (no port), "*" = any (env MCP_ALLOWED_HOSTS) */
    const char *allowed_origins;      /* comma list of exact origins, "*" = any (env MCP_ALLOWED_ORIGINS);
                                         localhost origins are always allowed */
    mcp_auth_mode_t auth_mode;        /* env MCP_AUTH=broker|none */
    size_t max_body;                  /* request body limit, default 1 MiB (env MCP_MAX_BODY) */
    int64_t session_idle_ms;          /* default 30 min (env MCP_SESSION_IDLE_S) */
    size_t max_sessions_per_instance; /* default 100 */
    size_t max_sessions;              /* default 10000 */
    size_t page_size;                 /* tools/list page size, default 50 (env MCP_PAGE_SIZE; mcp_server_main_with) */
    int auth_cache_ttl_s;             /* how long a broker-confirmed key is trusted, default 300
                                         (env MCP_AUTH_CACHE_TTL_S) */
    int auth_status_ttl_s;            /* a cached instance status older than this is not used: the request waits
                                         for the broker; default 5, at most auth_cache_ttl_s
                                         (env MCP_AUTH_STATUS_TTL_S) */
    int auth_recheck_ms;              /* a cached status older than this is still used while the broker is asked
                                         again in the background; default 1000, at most the status lifetime
                                         (env MCP_AUTH_RECHECK_MS) */
    int auth_stale_if_error_s;        /* while the broker cannot answer (transport error, 5xx), an active status is
                                         still used until this long after it was learned; default 30
                                         (mcp_server_options_defaults), 0 = off (env MCP_AUTH_STALE_IF_ERROR_S) */
    int token_refresh_margin_s;       /* refetch a token this long before it expires, default 60 */
    size_t token_cache_size;          /* instances whose token and whose status are cached (two LRUs of this many
                                         entries), default 10000 (env MCP_TOKEN_CACHE_SIZE) */
    size_t version_memory;            /* instances evicted from those caches whose last event version is kept, so
                                         that a late push older than it is never applied, default 100000 (env
                                         MCP_VERSION_MEMORY; tokens/versions.h) */
    int usage_flush_ms;               /* default 10000 */
    size_t push_replay_cap;           /* push ids remembered for the replay window (600 s), default 10000; when
                                         full of ids inside the window, pushes get 503 (env MCP_PUSH_REPLAY_CAP) */
    int broker_timeout_ms;            /* default 5000 */
    int tool_timeout_ms;              /* a tools/call unanswered after this gets a tool error; default 60000
                                         (env MCP_TOOL_TIMEOUT_MS) */
    int64_t task_ttl_ms;              /* the tasks extension: how long a task (and its result) is kept after its
                                         creation; a call still running then is abandoned; default 1 hour
                                         (env MCP_TASK_TTL_MS) */
    size_t max_tasks;                 /* tasks held at once, default 10000 (env MCP_MAX_TASKS) */
    size_t max_tasks_per_instance;    /* per instance and credential, default 100 (env MCP_MAX_TASKS_PER_INSTANCE) */
    int task_poll_ms;                 /* pollIntervalMs suggested to clients, default 1000 (env MCP_TASK_POLL_MS) */
    const char *user_agent;           /* provider API calls; default "mcp-<service>/<version>" */
    const char *auth_issuer;          /* the "iss" of the broker's access tokens; default broker_url (env
                                         MCP_AUTH_ISSUER) */
    int jwks_refetch_s;               /* a token naming a key the cached JWKS lacks refetches it at most once per
                                         this; default 30 (env MCP_JWKS_REFETCH_S) */
    int jwt_leeway_s;                 /* clock skew allowed on an access token's exp, nbf and iat; default 60
                                         (mcp_server_options_defaults), 0-300 (env MCP_JWT_LEEWAY_S) */
    const char *metrics_token_file;   /* GET /metrics: a file holding a Bearer token that may read the metrics from
                                         any peer (env MCP_METRICS_TOKEN_FILE); default none */
    int metrics_no_loopback;          /* 1: loopback peers need the token too (env MCP_METRICS_LOOPBACK=0) */
    /* event streams (SSE, docs/mcp-runtime.md "Streams and limits") */
    size_t sse_replay_bytes;             /* replay buffer per session, default 256 KiB (env MCP_SSE_REPLAY_BYTES) */
    size_t sse_max_streams;              /* open GET streams per server, default 20000 (env MCP_SSE_MAX_STREAMS) */
    size_t sse_max_streams_per_instance; /* default 100 (env MCP_SSE_MAX_STREAMS_PER_INSTANCE) */
    size_t sse_max_queued_bytes;         /* unsent bytes per stream before the reader is dropped, default 1 MiB
                                            (env MCP_SSE_MAX_QUEUED_BYTES) */
    int sse_idle_s;                      /* a GET stream without an event for this long is ended, default 300; 0 = never
                                            (env MCP_SSE_IDLE_S) */
    /* input requests of tools (mcp/input.h) */
    int input_timeout_s;      /* how long a 2025-11-25 call waits for the client's answers, and how long a
                                 2026-07-28 requestState stays valid; default 300 (env MCP_INPUT_TIMEOUT_S) */
    size_t input_max_pending; /* server requests awaiting a client response, per session; default 16
                                 (env MCP_INPUT_MAX_PENDING) */
    size_t input_max_state;   /* bytes of a requestState; default 65536 (env MCP_INPUT_MAX_STATE) */
    int confirm_destructive;  /* 1: tools with destructiveHint true or def.confirm ask the user first when the client
                                 declared form elicitation; default 0 (env MCP_CONFIRM_DESTRUCTIVE=1) */
} mcp_server_options_t;

/* Fills o with defaults for service/version (strings are borrowed; keep them alive). */
void mcp_server_options_defaults(mcp_server_options_t *o, const char *service, const char *version);
/* Applies the environment variables named above (o's strings may then point into the environment: borrowed). CM_OK
 * or CM_EINVAL with a reason in err. */
int mcp_server_options_from_env(mcp_server_options_t *o, char *err, size_t errsz);

/* Creates the server (loop, routes, caches); o is borrowed for the call (its strings are copied). NULL with a reason
 * in err. Caller owns it (mcp_server_free). */
mcp_server_t *mcp_server_new(const mcp_server_options_t *o, char *err, size_t errsz);
/* Frees s and all it owns (registries, caches, loop); NULL is a no-op. */
void mcp_server_free(mcp_server_t *s);
/* Registers a tool (see tools.h). Must be called before mcp_server_run. def and its strings are copied (fn and data
 * kept as given). CM_OK or an error (logged). */
int mcp_server_add_tool(mcp_server_t *s, const mcp_tool_def_t *def);
/* Registers the n tools of a service's table in order (mcp_server_add_tool each; defs borrowed, copied). CM_OK, or
 * the first error (logged by mcp_server_add_tool; the tools before it stay registered, the service should not
 * start). */
int mcp_server_add_tools(mcp_server_t *s, const mcp_tool_def_t *defs, size_t n);
/* Listens on the configured host/port; *bound_port (may be NULL; caller's) receives the port. */
int mcp_server_listen(mcp_server_t *s, int *bound_port);
/* Runs the loop until SIGINT/SIGTERM or mcp_server_stop. Flushes usage counters best-effort on the way out. */
int mcp_server_run(mcp_server_t *s);
void mcp_server_stop(mcp_server_t *s);

/* For tool handlers: the loop, the outbound HTTP client (NULL until common/http_client is available), the server.
 * All borrowed from the server (valid until mcp_server_free). */
h2o_evloop_t *mcp_server_loop(mcp_server_t *s);
/* The h2o context (its zero/100 ms/1 s timeouts are handy for tools that wait; they are disposed with the server). */
h2o_context_t *mcp_server_context(mcp_server_t *s);
cm_http_client_t *mcp_server_http(mcp_server_t *s);
mcp_server_t *mcp_call_server(const mcp_call_t *c);

/*
 * A complete main(): options from the environment, register(s) adds the tools, listen, print
 * "listening on <host>:<port>" to stderr, run. Returns the process exit code.
 */
int mcp_server_main(const char *service, const char *version, int (*register_tools)(mcp_server_t *s));
/* The same with options the service prepared (mcp_server_options_defaults, then its own values, e.g. a larger
 * max_body); the environment still overrides them. o is borrowed (copied). */
int mcp_server_main_with(mcp_server_options_t *o, int (*register_tools)(mcp_server_t *s));

#endif
