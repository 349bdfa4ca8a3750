/*
 * provider_abi.h - THE contract between the broker (host) and provider plugins (providers/<name>.so).
 *
 * A plugin is a shared object that exports exactly one symbol, OP_ENTRY_SYMBOL, of type
 * `const op_plugin_t`. The broker dlopen()s every .so in its plugin directory, reads that struct,
 * refuses a plugin whose abi_major differs from OP_ABI_MAJOR or whose struct_size is too small,
 * and then calls init() with the host API table and the plugin's configuration (JSON text).
 * During init() the plugin registers one or more providers (the custom plugin registers one per
 * configured provider) through host->register_provider().
 *
 * Plugins never link against the broker: every service they need (logging, HTTP, memory) comes
 * from the op_host_api_t table. They may link system libraries (jansson, libcurl's URL API,
 * OpenSSL) themselves.
 *
 * Versioning (SQLite/nginx style): every struct starts with its version or its size; structs only
 * ever grow by appending members at the end. abi_minor is bumped when members are appended; the host
 * checks struct_size before touching a newer member, and a plugin checks host->struct_size (and
 * host->abi_minor) likewise, filling no member the host does not know. Removing or reordering a
 * member bumps abi_major, which the host refuses to load.
 *   1.0  the first contract.
 *   1.1  op_provider_t.issuer and .authorization_response_iss appended.
 *   1.2  op_token_set_t starts with struct_size (before 1.2 it had no size field). The host still
 *        loads plugins built for 1.0 and 1.1: it knows their token-set layout from their abi_minor
 *        and converts at the boundary (their view of the host has a token_set_clear for that
 *        layout), so nothing changes for them.
 *   1.3  op_provider_t.identify appended (with op_identity_t and op_identity_done_fn): the upstream account a
 *        token set belongs to. The host calls it only when the provider's struct_size covers it; a plugin
 *        built for 1.2 or earlier simply cannot identify accounts.
 *
 * Return codes: OP_OK, OP_AGAIN ("started: the done callback is called exactly once, later, never
 * from inside the call"), or a negative OP_E* (nothing started, the callback is never called).
 * These values equal the CM_* codes in common/status.h.
 *
 * Threading: every plugin function and every callback runs on the broker's loop thread. A plugin
 * must not block: all network I/O goes through host->http_send().
 *
 * Memory: strings a plugin hands to the host (op_token_set_t members, *out_url) are allocated with
 * host->mem_strndup()/mem_alloc() and become the host's; the host frees them with host->mem_free()
 * (which wipes secrets first). Everything passed *to* a plugin is borrowed for the duration of the
 * call only, unless stated otherwise.
 */
#ifndef PROVIDER_ABI_H
#define PROVIDER_ABI_H

#include <stddef.h>
#include <stdint.h>

#define OP_ABI_MAJOR 1
#define OP_ABI_MINOR 3
#define OP_ENTRY_SYMBOL "oauth_provider_plugin"

enum {
    OP_OK = 0,
    OP_AGAIN = 1,
    OP_ERR = -1,
    OP_EINVAL = -2,
    OP_ENOMEM = -3,
    OP_EUNAVAIL = -10, /* temporarily unavailable (e.g. OIDC discovery still pending): retry later */
    OP_EUNSUPPORTED = -11,
};

/* Capabilities a provider declares (bit set). */
#define OP_CAP_REFRESH 0x01u       /* issues refresh tokens and supports grant_type=refresh_token */
#define OP_CAP_REVOKE 0x02u        /* has a revocation endpoint (RFC 7009 or provider-specific) */
#define OP_CAP_PKCE 0x04u          /* supports PKCE S256 */
#define OP_CAP_OIDC 0x08u          /* OpenID Connect: id_token, nonce */
#define OP_CAP_PUBLIC_CLIENT 0x10u /* public client (client auth "none"): the client has no secret (RFC 6749 2.1) */

/* Log levels of host->log (same values as common/log.h). */
enum { OP_LOG_DEBUG = 0, OP_LOG_INFO = 1, OP_LOG_WARN = 2, OP_LOG_ERROR = 3 };

/* How a failure should be treated by the broker. */
enum op_error_class {
    OP_ERRCLASS_NONE = 0,
    OP_ERRCLASS_PERMANENT = 1, /* invalid_grant, invalid_client, unauthorized_client, ...: needs re-authorization */
    OP_ERRCLASS_TRANSIENT = 2, /* network, timeout, 5xx, 429: retry later with backoff */
    OP_ERRCLASS_REQUEST = 3,   /* our request was wrong (bad code, bad redirect_uri): fail this call only */
};

typedef struct op_error {
    int error_class;       /* enum op_error_class */
    char code[64];         /* stable machine code: "invalid_grant", "http_503", "network", "timeout", "bad_response" */
    char description[256]; /* human-readable; never contains a secret */
    int http_status;       /* provider's HTTP status, 0 when no response */
    long retry_after_s;    /* from Retry-After, -1 when absent */
} op_error_t;

/* One header or form field. */
typedef struct op_kv {
    const char *name;
    const char *value;
} op_kv_t;

/* An HTTP request built by a plugin and executed by the host. All members borrowed. */
typedef struct op_http_request {
    uint32_t struct_size;
    const char *method; /* "POST", "GET" */
    const char *url;
    const op_kv_t *headers; /* extra request headers */
    size_t n_headers;
    const char *body; /* may be NULL */
    size_t body_len;
    int timeout_ms; /* 0 = host default */
} op_http_request_t;

/* The host's answer. Borrowed: valid only during the done callback. */
typedef struct op_http_response {
    uint32_t struct_size;
    int status;               /* HTTP status; 0 when the transport failed */
    int timed_out;            /* 1 when the request hit its timeout */
    const char *error;        /* transport error text when status == 0, else NULL */
    const char *content_type; /* may be NULL */
    const char *body;         /* NUL-terminated for convenience; may contain NULs before body_len */
    size_t body_len;
    long retry_after_s; /* parsed Retry-After, -1 when absent */
} op_http_response_t;

typedef void (*op_http_done_fn)(void *arg, const op_http_response_t *res);

/*
 * The normalized token set. Every string is host-allocated (host->mem_strndup) or NULL.
 * Ownership passes to whoever receives it through a callback; it is released with
 * op_host_api_t.token_set_clear(). In an op_token_done_fn the struct itself is the plugin's and
 * valid only during the call: the receiver takes its members (copy the struct by value and
 * token_set_clear() the copy later, or token_set_clear() the pointer before returning).
 *
 * struct_size (ABI 1.2): the writer's sizeof(op_token_set_t); a reader touches only members it
 * covers. parse_token_response's caller sets it to the size of its struct (the room there is); the
 * plugin fills only members that fit, sets it to the size it filled, and refuses (OP_EINVAL) a
 * struct smaller than the 1.2 one. token_set_clear frees the members it covers (0 counts as the
 * host's own full size, for zeroed structs of the host) and zeroes them.
 */
typedef struct op_token_set {
    uint32_t struct_size;
    char *access_token;
    char *refresh_token;        /* NULL when the response carried none (the broker keeps the old one) */
    char *token_type;           /* "Bearer" when the provider omitted it */
    char *scope;                /* granted scopes, space separated; NULL when not returned */
    char *id_token;             /* OIDC */
    int64_t expires_at;         /* absolute unix time; 0 = the token does not expire */
    int64_t refresh_expires_at; /* absolute unix time of the refresh token, 0 = unknown/none */
    char *extras_json;          /* JSON object of non-standard, non-secret response fields (e.g. Slack team) */
} op_token_set_t;

/* The size of the first op_token_set_t with a struct_size (ABI 1.2). */
#define OP_TOKEN_SET_V2_SIZE (offsetof(op_token_set_t, extras_json) + sizeof(char *))

typedef void (*op_token_done_fn)(void *arg, int status, op_token_set_t *tokens, const op_error_t *err);
typedef void (*op_done_fn)(void *arg, int status, const op_error_t *err);

/*
 * The upstream account a token set belongs to (ABI 1.3). Borrowed: valid only during the done callback.
 * struct_size: the writer's sizeof(op_identity_t); a reader touches only members it covers.
 */
typedef struct op_identity {
    uint32_t struct_size;
    const char *subject; /* stable and unique within issuer (the ID token's sub, GitHub's numeric id); never NULL */
    const char *issuer;  /* the ID token's iss; for user-info the provider's issuer, or NULL */
    const char *email;   /* may be NULL; informational (never an identifier: it can change hands) */
    const char *display_name; /* may be NULL */
} op_identity_t;

/* status OP_OK with id, or an error with err (id NULL). */
typedef void (*op_identity_done_fn)(void *arg, int status, const op_identity_t *id, const op_error_t *err);

/* The per-instance client the broker acts for. All members borrowed for the call. */
typedef struct op_client {
    uint32_t struct_size;
    const char *client_id;
    const char *client_secret;
    const char *redirect_uri;
    const char *options_json; /* per-instance provider options, e.g. {"tenant":"organizations"}; may be NULL */
} op_client_t;

/* Parameters of the authorization request. All members borrowed. */
typedef struct op_authorize_params {
    uint32_t struct_size;
    const char *state;          /* opaque sealed state, required */
    const char *scopes;         /* space separated; NULL = the provider's defaults */
    const char *code_challenge; /* PKCE S256 challenge; NULL = no PKCE */
    const char *nonce;          /* OIDC nonce; may be NULL */
    const char *login_hint;     /* may be NULL */
} op_authorize_params_t;

/*
 * One provider: identity, capabilities and operations. Registered by a plugin during init();
 * the struct and everything it points to must stay valid until the plugin's fini() returns.
 */
typedef struct op_provider {
    uint32_t struct_size;
    const char *name;                   /* unique, [a-z0-9_-]+, e.g. "google" */
    const char *display_name;           /* "Google" */
    const char *default_scopes;         /* space separated */
    uint32_t capabilities;              /* OP_CAP_* */
    const char *authorization_endpoint; /* effective URLs (after config overrides); informational */
    const char *token_endpoint;
    const char *revocation_endpoint; /* NULL when the provider has none */
    void *data;                      /* plugin's per-provider state, passed back to every op */

    /* Builds the URL the browser is sent to. *out_url is host-allocated. Synchronous. */
    int (*build_authorize_url)(void *data, const op_client_t *client, const op_authorize_params_t *params,
                               char **out_url, op_error_t *err);
    /* Exchanges an authorization code (with the PKCE verifier when one was used). Returns OP_AGAIN. */
    int (*exchange_code)(void *data, const op_client_t *client, const char *code, const char *code_verifier,
                         op_token_done_fn done, void *arg);
    /* Uses a refresh token. The broker never retries a call that reached the provider. Returns OP_AGAIN. */
    int (*refresh)(void *data, const op_client_t *client, const char *refresh_token, const char *scopes,
                   op_token_done_fn done, void *arg);
    /* Revokes a token (RFC 7009 token_type_hint "access_token"/"refresh_token"). NULL when unsupported. */
    int (*revoke)(void *data, const op_client_t *client, const char *token, const char *token_type_hint,
                  op_done_fn done, void *arg);
    /*
     * Parses a token endpoint response into *out (host-allocated strings) or classifies the error
     * into *err. Synchronous; used by the ops above and directly by tests and the token import.
     * `now` is the current unix time used to turn expires_in into expires_at. The caller sets
     * out->struct_size first (see op_token_set_t).
     */
    int (*parse_token_response)(void *data, const op_http_response_t *res, int64_t now, op_token_set_t *out,
                                op_error_t *err);

    /* ABI 1.1 (the host reads these only when struct_size covers them). */
    /* The authorization server's issuer identifier (RFC 8414, OIDC Discovery), NULL when unknown. It may be
     * filled in later (discovery); read it at each use. */
    const char *issuer;
    /* 1 when the server advertises authorization_response_iss_parameter_supported (RFC 9207): its
     * authorization responses carry iss, which must equal issuer. */
    int authorization_response_iss;

    /* ABI 1.3 (the host reads it only when struct_size covers it). */
    /*
     * Identifies the upstream account tokens belong to: an ID token validated against the provider's keys
     * (signature, iss, aud = client->client_id, exp, nonce when given) when the provider is OpenID and the set
     * has one, else the provider's user-info endpoint called with the access token. nonce: the nonce sent in the
     * authorization request, NULL when none was sent. tokens and everything else borrowed for the call. Returns
     * OP_AGAIN (done called exactly once, later), OP_OK (done was called exactly once inside the call: the answer
     * needed no network, e.g. the provider's keys were cached; the plugin has no way to defer it), or an error
     * (done never called). NULL when the provider cannot identify accounts.
     */
    int (*identify)(void *data, const op_client_t *client, const op_token_set_t *tokens, const char *nonce,
                    op_identity_done_fn done, void *arg);
} op_provider_t;

/* Services the host offers to plugins. Filled by the broker; plugins must not modify it. */
typedef struct op_host_api {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t struct_size;
    void *host_ctx; /* opaque; pass back where a function asks for it */

    void (*log)(void *host_ctx, int level, const char *provider, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
    /* Starts an HTTP request. Returns OP_AGAIN (done is called exactly once, later) or an error. */
    int (*http_send)(void *host_ctx, const op_http_request_t *req, op_http_done_fn done, void *arg);
    /* Registers a provider (during init only). Returns OP_OK, or OP_EINVAL for a bad/duplicate name. */
    int (*register_provider)(void *host_ctx, const op_provider_t *provider);

    void *(*mem_alloc)(size_t size);               /* zeroed */
    char *(*mem_strndup)(const char *s, size_t n); /* NUL-terminated copy of at most n bytes */
    void (*mem_free)(void *p);                     /* wipes the allocation before freeing it */
    void (*token_set_clear)(op_token_set_t *ts);   /* frees the members, zeroes them (see op_token_set_t) */
    int64_t (*now)(void);                          /* unix time, seconds */
} op_host_api_t;

/* The one exported symbol of a plugin: `const op_plugin_t oauth_provider_plugin = {...};` */
typedef struct op_plugin {
    uint32_t abi_major; /* OP_ABI_MAJOR the plugin was built against */
    uint32_t abi_minor;
    uint32_t struct_size; /* sizeof(op_plugin_t) as the plugin saw it */
    const char *name;     /* plugin name, e.g. "google" or "custom" */
    const char *version;  /* plugin's own version string */
    /*
     * Called once after loading. config_json is the plugin's section of the broker config (a JSON
     * object, or NULL when absent). *state is the plugin's global state, passed to fini().
     * Must register at least one provider through host->register_provider(). Returns OP_OK or an
     * error (the broker then skips the plugin with one log line; it must not have registered anything
     * it did not also undo). OP_EUNSUPPORTED means "not configured, nothing to do" (e.g. the custom
     * plugin without providers): the broker notes it at info level instead of warning. When any
     * register_provider() call was refused the broker skips the whole plugin (calling fini() when
     * init() returned OP_OK). Before fini() the broker completes every HTTP call still in flight
     * with status 0 and error "cancelled", so done callbacks still run exactly once.
     */
    int (*init)(const op_host_api_t *host, const char *config_json, void **state);
    void (*fini)(void *state);
} op_plugin_t;

#define OP_PLUGIN_HEADER(name_, version_)                                                                              \
    .abi_major = OP_ABI_MAJOR, .abi_minor = OP_ABI_MINOR, .struct_size = sizeof(op_plugin_t), .name = (name_),         \
    .version = (version_)

#endif
