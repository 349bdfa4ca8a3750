/*
 * server.c - an MCP service: wiring (httpd routes, caches, broker client), maintenance tick, main(). Its options and
 * their environment variables: server_options.c.
 */
#include "common/mem_trim.h"
#include "tokens/auth.h"
#include "tokens/broker.h"
#include "common/crypto.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status.h"
#include "tokens/broker_api.h"
#include "mcp/provider_http.h"
#include "tokens/token_client.h"
#include "server/input_options.h"
#include "transport/server_internal.h"
#include "transport/sse.h"
#include "tokens/usage.h"
#include "tokens/jwks.h"
#include "tokens/verified.h"

#include "common/timer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TICK_MS 1000

/* Configures input requests (mcp/input.h) with the requestState key (NULL = the random one of this process). */
static int configure_input(mcp_server_t *s, const uint8_t *key)
{
    const mcp_server_options_t *o = &s->opts;
    return mcp_protocol_input_configure(s->proto, key, o->input_timeout_s, o->input_max_pending, o->input_max_state,
                                        o->confirm_destructive);
}

/* Splits "a, b,c" into a NULL-terminated array (malloc'ed strings). "*" sets *any. */
static char **split_list(const char *s, int *any)
{
    *any = 0;
    if (s == NULL)
        return calloc(1, sizeof(char *));
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    char **out = calloc(cap + 1, sizeof(char *));
    size_t n = 0;
    const char *p = s;
    while (out != NULL && *p) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        while (p < end && *p == ' ')
            p++;
        const char *e = end;
        while (e > p && e[-1] == ' ')
            e--;
        if (e > p) {
            if (e - p == 1 && *p == '*')
                *any = 1;
            else
                out[n++] = strndup(p, (size_t)(e - p));
        }
        p = comma ? comma + 1 : end;
    }
    return out;
}

static void free_list(char **l)
{
    for (size_t i = 0; l != NULL && l[i] != NULL; i++)
        free(l[i]);
    free(l);
}

/* Reads the service secret (file must not be readable by others). Returns malloc'ed bytes or NULL. */
static char *read_secret(const char *path, size_t *len, char *err, size_t errsz)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errsz, "cannot read service secret file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if ((st.st_mode & 077) != 0 || st.st_size <= 0 || st.st_size > 4096) {
        snprintf(err, errsz, "service secret file %s must be non-empty, <= 4 KiB and mode 0600", path);
        close(fd);
        return NULL;
    }
    char *buf = calloc(1, (size_t)st.st_size + 1);
    ssize_t r = buf ? read(fd, buf, (size_t)st.st_size) : -1;
    close(fd);
    if (r != st.st_size) {
        free(buf);
        snprintf(err, errsz, "cannot read service secret file %s", path);
        return NULL;
    }
    size_t n = (size_t)r;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    *len = n;
    return buf;
}

static int setup_keys(mcp_server_t *s, const mcp_server_options_t *o, char *err, size_t errsz)
{
    size_t len = 0;
    char *secret = NULL;
    if (o->service_secret != NULL) {
        secret = strdup(o->service_secret);
        len = secret ? strlen(secret) : 0;
    } else if (o->service_secret_file != NULL) {
        if ((secret = read_secret(o->service_secret_file, &len, err, errsz)) == NULL)
            return CM_EINVAL;
    }
    if (secret == NULL || len == 0) {
        free(secret);
        return configure_input(s, NULL); /* no broker integration */
    }
    uint8_t push_key[CM_BP_KEY_LEN], state_key[MCP_INPUT_STATE_KEY_LEN];
    int rc = cm_bp_service_keys(secret, len, push_key, s->service_bearer_hex);
    cm_secure_free(secret, len);
    /* requestState is sealed with a key every replica of the service derives alike: a retry may reach any of them */
    if (rc == CM_OK)
        rc = cm_hkdf_sha256(push_key, sizeof(push_key), NULL, 0, "mcp requestState", state_key, sizeof(state_key));
    if (rc == CM_OK)
        rc = configure_input(s, state_key);
    cm_wipe(state_key, sizeof(state_key));
    if (rc != CM_OK) {
        cm_wipe(push_key, sizeof(push_key));
        snprintf(err, errsz, "key derivation failed");
        return CM_ERR;
    }
    s->push = mcp_push_verifier_new(push_key, MCP_PUSH_WINDOW_S, s->opts.push_replay_cap);
    cm_wipe(push_key, sizeof(push_key));
    s->have_secret = 1;
    return s->push ? CM_OK : CM_ENOMEM;
}

/* Access tokens: the broker's keys at <broker>/as/jwks.json, its issuer (MCP_AUTH_ISSUER, else the broker URL). */
static int setup_token_verification(mcp_server_t *s, const mcp_server_options_t *o)
{
    char url[1024];
    const char *base = mcp_broker_url(s->broker);
    int n = snprintf(url, sizeof(url), "%s%s", base, MCP_JWKS_PATH);
    if (n < 0 || (size_t)n >= sizeof(url))
        return CM_EINVAL;
    s->issuer = strdup(o->auth_issuer != NULL ? o->auth_issuer : base);
    s->jwks = mcp_jwks_new(url, s->http, NULL, NULL, o->jwks_refetch_s);
    s->verified = mcp_verified_new(0, o->jwt_leeway_s);
    return s->issuer != NULL && s->jwks != NULL && s->verified != NULL ? CM_OK : CM_ENOMEM;
}

static void on_tick(h2o_timeout_entry_t *e)
{
    mcp_server_t *s = H2O_STRUCT_FROM_MEMBER(mcp_server_t, tick_entry, e);
    int64_t now = mcp__now_ms();
    mcp_sessions_sweep(s->sessions, now);
    mcp__sse_sweep(s, now);
    mcp_protocol_input_tick(s->proto, now);
    mcp__health_probe(s, now);
    if (s->usage != NULL && now - s->last_flush_ms >= s->opts.usage_flush_ms) {
        s->last_flush_ms = now;
        mcp_usage_flush(s->usage);
    }
    h2o_timeout_link(cm_server_loop(s->httpd), &s->tick_timeout, &s->tick_entry);
}

/* mcp_sessions_open, sampled at each scrape. */
static void collect_sessions(cm_metrics_t *m, void *arg)
{
    (void)m;
    mcp_server_t *s = arg;
    static cm_metric_family_t *open;
    if (open == NULL)
        open = cm_gauge("mcp_sessions_open", "MCP sessions open (Mcp-Session-Id) on this server.", NULL);
    cm_metric_set(cm_metric_series(open, NULL), s->sessions ? (double)mcp_sessions_count(s->sessions) : 0);
}

static int add_routes(mcp_server_t *s)
{
    int rc = 0;
    rc |= cm_server_route(s->httpd, "GET", "/health", mcp__health_service, s);
    int mrc = cm_server_metrics(s->httpd, NULL, !s->opts.metrics_no_loopback, s->opts.metrics_token_file);
    if (mrc == CM_EIO)
        cm_error(s->name, "MCP_METRICS_TOKEN_FILE: cannot read a token from %s", s->opts.metrics_token_file);
    rc |= mrc;
    rc |= cm_metrics_on_collect(cm_metrics_default(), collect_sessions, s);
    rc |= cm_server_route(s->httpd, "POST", "/cache-tokens", mcp__cache_tokens, s);
    rc |= cm_server_route(s->httpd, "GET", "/.well-known/oauth-protected-resource", mcp__protected_resource, s);
    rc |= cm_server_route(s->httpd, "GET", "/.well-known/oauth-protected-resource/**", mcp__protected_resource, s);
    rc |= cm_server_route(s->httpd, "OPTIONS", "/.well-known/oauth-protected-resource",
                          mcp__protected_resource_preflight, s);
    rc |= cm_server_route(s->httpd, "OPTIONS", "/.well-known/oauth-protected-resource/**",
                          mcp__protected_resource_preflight, s);
    rc |= cm_server_route(s->httpd, "GET", "/*/health", mcp__health_instance, s);
    rc |= cm_server_route(s->httpd, "*", "/mcp", mcp__http_on_service_mcp, s);
    rc |= cm_server_route(s->httpd, "*", "/*/mcp", mcp__http_on_mcp, s);
    rc |= cm_server_route(s->httpd, "*", "/*", mcp__http_on_mcp, s);
    return rc == 0 ? CM_OK : CM_ERR;
}

mcp_server_t *mcp_server_new(const mcp_server_options_t *o, char *err, size_t errsz)
{
    char buf[512];
    if (o == NULL || o->service == NULL || !mcp__instance_id_valid(o->service)) {
        snprintf(err, errsz, "service name must be 1..64 of [A-Za-z0-9_-]");
        return NULL;
    }
    mcp_server_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto out_nomem;
    s->opts = *o;
    if (s->opts.sse_max_queued_bytes == 0) /* options not from mcp_server_options_defaults */
        s->opts.sse_max_queued_bytes = 1024 * 1024;
    if (s->opts.sse_max_streams == 0)
        s->opts.sse_max_streams = 20000;
    if (s->opts.sse_max_streams_per_instance == 0)
        s->opts.sse_max_streams_per_instance = 100;
    s->probe.status = -1;
    s->auth_mode = o->auth_mode;
    s->port = o->port;
    s->max_body = o->max_body ? o->max_body : 1024 * 1024;
    s->service = strdup(o->service);
    s->version = strdup(o->version ? o->version : "0.0.0");
    snprintf(buf, sizeof(buf), "mcp-%s", o->service);
    s->name = strdup(buf);
    s->host = strdup(o->host ? o->host : "127.0.0.1");
    if (o->user_agent)
        s->user_agent = strdup(o->user_agent);
    else {
        snprintf(buf, sizeof(buf), "mcp-%s/%s", o->service, s->version ? s->version : "0");
        s->user_agent = strdup(buf);
    }
    s->allowed_hosts = split_list(o->allowed_hosts, &s->any_host);
    s->allowed_origins = split_list(o->allowed_origins, &s->any_origin);
    if (!s->service || !s->version || !s->name || !s->host || !s->user_agent || !s->allowed_hosts ||
        !s->allowed_origins)
        goto out_free_server;

    cm_server_options_t ho = {.name = s->name, .max_request_body = s->max_body};
    if ((s->httpd = cm_server_new(&ho)) == NULL)
        goto out_free_server;
    s->tools = mcp_tools_new(o->page_size);
    mcp_protocol_info_t info = {
        .name = s->name,
        .version = s->version,
        .title = o->title,
        .instructions = o->instructions,
        .tasks = {.ttl_ms = o->task_ttl_ms, .max_total = o->max_tasks, .max_per_owner = o->max_tasks_per_instance},
        .task_poll_ms = o->task_poll_ms};
    s->proto = s->tools ? mcp_protocol_new(&info, s->tools) : NULL;
    s->sessions = mcp_sessions_new(o->session_idle_ms, o->max_sessions_per_instance, o->max_sessions);
    if (s->proto == NULL || s->sessions == NULL)
        goto out_free_server;
    mcp_sessions_set_drop_hook(s->sessions, mcp__sse_session_drop, s);
    if (setup_keys(s, o, err, errsz) != CM_OK)
        goto out_free_server_quiet;
    s->http = cm_http_client_new(cm_server_loop(s->httpd));
    if (s->http == NULL)
        goto out_free_server;
    cm_http_client_set_defaults(s->http, 10000, MCP_PROVIDER_DEFAULT_MAX_RESPONSE, s->user_agent);
    if (o->broker_url != NULL) {
        if (!s->have_secret) {
            snprintf(err, errsz, "BROKER_URL needs the service secret (MCP_SERVICE_SECRET_FILE)");
            goto out_free_server_quiet;
        }
        s->broker = mcp_broker_new(s->http, o->broker_url, s->service, s->service_bearer_hex, o->broker_timeout_ms);
        if (s->broker == NULL || setup_token_verification(s, o) != CM_OK)
            goto out_free_server;
    } else if (o->auth_mode == MCP_AUTH_BROKER) {
        snprintf(err, errsz, "BROKER_URL is required unless MCP_AUTH=none");
        goto out_free_server_quiet;
    }
    s->auth = mcp_auth_new(s->broker, o->auth_cache_ttl_s, o->auth_status_ttl_s, o->auth_recheck_ms,
                           o->auth_stale_if_error_s, o->token_cache_size);
    s->tokens = mcp_token_client_new(s->broker, o->token_refresh_margin_s, o->token_cache_size);
    s->versions = mcp_versions_new(o->version_memory);
    s->usage = mcp_usage_new(s->broker, s->service);
    if (s->auth == NULL || s->tokens == NULL || s->versions == NULL || s->usage == NULL || add_routes(s) != CM_OK)
        goto out_free_server;
    mcp_auth_keep_versions(s->auth, s->versions);
    mcp_token_client_keep_versions(s->tokens, s->versions);
    s->tool_timeout_ms = o->tool_timeout_ms > 0 ? o->tool_timeout_ms : 60000;
    h2o_timeout_init(cm_server_loop(s->httpd), &s->tool_timeout, (uint64_t)s->tool_timeout_ms);
    h2o_timeout_init(cm_server_loop(s->httpd), &s->tick_timeout, TICK_MS);
    s->tick_entry.cb = on_tick;
    h2o_timeout_link(cm_server_loop(s->httpd), &s->tick_timeout, &s->tick_entry);
    s->tick_linked = 1;
    /* memory freed by a burst (many sessions, a push storm) goes back to the system */
    if ((s->trim = cm_mem_trim_new(cm_server_loop(s->httpd), 0, 0)) == NULL)
        cm_warn(s->name, "no memory trimming (out of memory): freed memory stays resident");
    if (s->auth_mode == MCP_AUTH_NONE)
        cm_warn(s->name, "MCP_AUTH=none: instance authentication is DISABLED (test fixtures only)");
    return s;

out_free_server:
    snprintf(err, errsz, "out of memory or invalid configuration");
out_free_server_quiet:
    mcp_server_free(s);
    return NULL;
out_nomem:
    snprintf(err, errsz, "out of memory");
    return NULL;
}

void mcp_server_free(mcp_server_t *s)
{
    if (s == NULL)
        return;
    cm_metrics_off_collect(cm_metrics_default(), collect_sessions, s);
    mcp__sse_shutdown(s); /* calls still running on streams are abandoned while their HTTP client exists */
    if (s->tick_linked) {
        h2o_timeout_unlink(&s->tick_entry);
        h2o_timeout_dispose(cm_server_loop(s->httpd), &s->tick_timeout);
        /* tool calls still in flight at shutdown (past the drain) never time out now: libh2o 2.2.5 asserts that a
         * disposed timeout list is empty */
        while (!h2o_linklist_is_empty(&s->tool_timeout._entries))
            h2o_timeout_unlink(H2O_STRUCT_FROM_MEMBER(h2o_timeout_entry_t, _link, s->tool_timeout._entries.next));
        h2o_timeout_dispose(cm_server_loop(s->httpd), &s->tool_timeout);
    }
    cm_mem_trim_free(s->trim);
    mcp_usage_free(s->usage);
    mcp_token_client_free(s->tokens);
    mcp_auth_free(s->auth);
    mcp_versions_free(s->versions);
    mcp_jwks_free(s->jwks);
    mcp_verified_free(s->verified);
    free(s->issuer);
    mcp_broker_free(s->broker);
    if (s->http != NULL)
        cm_http_client_free(s->http);
    mcp_push_verifier_free(s->push);
    mcp_sessions_free(s->sessions);
    mcp_protocol_free(s->proto);
    mcp_tools_free(s->tools);
    cm_server_free(s->httpd);
    free_list(s->allowed_hosts);
    free_list(s->allowed_origins);
    memset(s->service_bearer_hex, 0, sizeof(s->service_bearer_hex));
    free(s->service);
    free(s->version);
    free(s->name);
    free(s->host);
    free(s->public_url);
    free(s->user_agent);
    free(s);
}

int mcp_server_add_tool(mcp_server_t *s, const mcp_tool_def_t *def)
{
    char err[256];
    int rc = mcp_tools_add(s->tools, def, err, sizeof(err));
    if (rc != CM_OK)
        cm_error(s->name, "tool not registered: %s", err);
    return rc;
}

int mcp_server_listen(mcp_server_t *s, int *bound_port)
{
    int port = 0;
    int rc = cm_server_listen(s->httpd, s->host, s->opts.port, &port);
    if (rc != CM_OK)
        return rc;
    s->port = port;
    free(s->public_url);
    if (s->opts.public_url != NULL) {
        size_t n = strlen(s->opts.public_url);
        while (n > 0 && s->opts.public_url[n - 1] == '/')
            n--;
        s->public_url = strndup(s->opts.public_url, n);
    } else {
        char buf[300];
        int v6 = strchr(s->host, ':') != NULL;
        snprintf(buf, sizeof(buf), "http://%s%s%s:%d", v6 ? "[" : "", s->host, v6 ? "]" : "", port);
        s->public_url = strdup(buf);
    }
    if (s->public_url != NULL)
        mcp__canonical_origin(s->public_url);
    if (bound_port != NULL)
        *bound_port = port;
    return s->public_url ? CM_OK : CM_ENOMEM;
}

int mcp_server_run(mcp_server_t *s)
{
    int rc = cm_server_run(s->httpd);
    if (s->usage != NULL) {
        /* last flush: keep the loop turning until the broker answered (bounded), so no count is lost */
        mcp_usage_flush(s->usage);
        int64_t deadline = cm_now_ms() + 3000;
        while (mcp_usage_busy(s->usage) && cm_now_ms() < deadline)
            if (h2o_evloop_run(cm_server_loop(s->httpd), 100) != 0 && errno != EINTR)
                break;
    }
    return rc;
}

void mcp_server_stop(mcp_server_t *s)
{
    cm_server_stop(s->httpd);
}

h2o_evloop_t *mcp_server_loop(mcp_server_t *s)
{
    return cm_server_loop(s->httpd);
}

h2o_context_t *mcp_server_context(mcp_server_t *s)
{
    return cm_server_context(s->httpd);
}

cm_http_client_t *mcp_server_http(mcp_server_t *s)
{
    return s->http;
}

mcp_server_t *mcp_call_server(const mcp_call_t *c)
{
    return mcp_call_context(c);
}

int mcp_server_main(const char *service, const char *version, int (*register_tools)(mcp_server_t *s))
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, service, version);
    return mcp_server_main_with(&o, register_tools);
}

int mcp_server_main_with(mcp_server_options_t *opts, int (*register_tools)(mcp_server_t *s))
{
    char err[512];
    mcp_server_options_t o = *opts;
    const char *service = o.service;
    const char *lvl = getenv("LOG_LEVEL");
    if (lvl != NULL && cm_log_level_from_str(lvl) >= 0)
        cm_log_set_level(cm_log_level_from_str(lvl));
    const char *fmt = getenv("LOG_FORMAT"); /* read by common/src/log.c itself; an unknown value is said once */
    if (fmt != NULL && *fmt != '\0' && cm_log_format_from_str(fmt) < 0)
        cm_warn(service, "LOG_FORMAT=%.16s is neither text nor json: text is used", fmt);
    if (mcp_server_options_from_env(&o, err, sizeof(err)) != CM_OK) {
        cm_error(service, "configuration: %s", err);
        return 2;
    }
    mcp_server_t *s = mcp_server_new(&o, err, sizeof(err));
    if (s == NULL) {
        cm_error(service, "startup: %s", err);
        return 2;
    }
    int port = 0, rc = 1;
    if (register_tools(s) != CM_OK) {
        cm_error(service, "tool registration failed");
        goto out_free_server;
    }
    if (mcp_server_listen(s, &port) != CM_OK) {
        cm_error(service, "cannot listen on %s:%d", o.host, o.port);
        goto out_free_server;
    }
    cm_info(s->name, "listening on %s:%d (%zu tools, auth=%s)", s->host, port, mcp_tools_count(s->tools),
            s->auth_mode == MCP_AUTH_NONE ? "none" : "broker");
    rc = mcp_server_run(s) == CM_OK ? 0 : 1;
out_free_server:
    mcp_server_free(s);
    return rc;
}
