/*
 * provider_support.h - the logic every provider plugin shares (static library `provider_support`,
 * linked into each plugin .so; prefix ps_).
 *
 * A plugin describes the provider it offers as data, a `static const ps_spec_t`: identity,
 * capabilities, endpoints, scopes and their separators, client authentication, fixed extra
 * parameters, error codes; plus a `static const ps_hooks_t` only for real quirks. PS_PLUGIN() makes
 * that a plugin (ps_plugin_init reads the configuration, builds, configures and registers the
 * provider; ps_plugin_fini frees it). At run time each provider is a ps_provider_t built from its
 * spec; the generic ps_op_* functions implement the op_provider_t operations on top of it
 * (authorize URL, code exchange, refresh, RFC 7009 revocation, token-response parsing).
 * A plugin needs nothing else of the project: the few general helpers it uses are here too.
 *
 * Ownership: strings a ps_provider_t holds are malloc'ed and owned by it (freed by
 * ps_provider_free). Strings handed to the host (*out_url, op_token_set_t members) are allocated
 * with host->mem_strndup. Everything else returned by a ps_ function says who owns it.
 *
 * Error classes (one place for the whole project, see ps_classify_response):
 *   - transport failure: "timeout" / "network"  -> TRANSIENT
 *   - HTTP 429 and 5xx (whatever the body says)  -> TRANSIENT, retry_after_s from Retry-After
 *   - an "error" member in the body (any status, so GitHub's and Slack's HTTP 200 errors too):
 *       the provider's map first, then RFC 6749: invalid_grant, invalid_client, unauthorized_client,
 *       access_denied -> PERMANENT; invalid_request, unsupported_grant_type, invalid_scope,
 *       unsupported_response_type, unsupported_token_type -> REQUEST (invalid_scope: the grant is
 *       fine, the scope we asked for is not); server_error, temporarily_unavailable, slow_down ->
 *       TRANSIENT; an unknown code: 401/403 -> PERMANENT, else REQUEST
 *   - other non-2xx without a parseable error: 401/403 -> PERMANENT, else REQUEST ("http_NNN")
 *   - a 2xx whose body is unparseable, too large, or has no usable access_token -> TRANSIENT
 *     "bad_response" / "response_too_large": most likely a proxy or truncation problem on the way;
 *     it must never purge a connection, and the broker never auto-retries a call that reached the
 *     provider anyway.
 */
#ifndef PROVIDER_SUPPORT_H
#define PROVIDER_SUPPORT_H

#include "provider_abi.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define PS_MAX_RESPONSE (256u * 1024) /* bytes; larger token/revocation responses are refused */
#define PS_MAX_EXTRAS 8192            /* bytes of extras_json; larger extras are dropped */
#define PS_UNKNOWN_EXPIRES_IN 3600    /* seconds assumed when a response sends an unusable expires_in */
#define PS_MAX_HEADERS 8

/* Plugins export exactly one symbol; this marks it (the build hides everything else). */
#define PS_EXPORT __attribute__((visibility("default")))

/* ---- errors ---- */

/* Fills *err (class, code, HTTP status, formatted description; retry_after_s = -1). err may be NULL. */
void ps_error_set(op_error_t *err, int error_class, const char *code, int http_status, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Provider-specific error codes, checked before the RFC 6749 defaults. Terminated by {NULL, 0}. */
typedef struct ps_errmap {
    const char *code;
    int error_class;
} ps_errmap_t;

/* The class of an error code: map first, then RFC 6749, then by HTTP status (see the header comment). */
int ps_classify_code(const ps_errmap_t *map, const char *code, int http_status);

/*
 * Classifies a response. doc is the decoded body (ps_decode_body) or NULL. Returns 1 and fills
 * *err when the response is a failure (transport, error member, non-2xx), 0 for a 2xx without an
 * error member.
 */
int ps_classify_response(const ps_errmap_t *map, const op_http_response_t *res, const json_t *doc, op_error_t *err);

/*
 * Decodes a provider response body: JSON object first, then application/x-www-form-urlencoded
 * (whatever the content type says; every value becomes a JSON string). Returns a new reference
 * (caller json_decref()s) or NULL when the body is neither (HTML, text, truncated JSON, empty).
 */
json_t *ps_decode_body(const char *body, size_t len);

/* ---- name/value lists (query or form parameters); values are copied and wiped on free ---- */

typedef struct ps_params {
    char **v; /* name0, value0, name1, value1, ..., NULL */
    size_t n; /* number of strings (2 * pairs) */
    size_t cap;
    int failed; /* sticky allocation failure */
} ps_params_t;

/* Appends a pair (both copied); a NULL value is skipped. Returns OP_OK or OP_ENOMEM (sticky). */
int ps_params_add(ps_params_t *p, const char *name, const char *value);
/* Replaces the first pair named name (or appends). A NULL value removes it. */
int ps_params_set(ps_params_t *p, const char *name, const char *value);
/* The value of the first pair named name, borrowed, or NULL. */
const char *ps_params_get(const ps_params_t *p, const char *name);
/* Copies every pair of a JSON object of strings into p. Returns OP_OK, OP_EINVAL (non-string), OP_ENOMEM. */
int ps_params_from_json(ps_params_t *p, const json_t *obj);
/* form-urlencoded text of the pairs (malloc'ed, caller frees with cm_secure_free), NULL on failure. */
char *ps_params_form(const ps_params_t *p, size_t *len);
void ps_params_free(ps_params_t *p);

/*
 * "Basic base64(id:secret)" (malloc'ed; free with cm_secure_free). form_encode applies RFC 6749
 * 2.3.1 (application/x-www-form-urlencoded id and secret before base64) for token endpoints;
 * 0 gives plain RFC 7617 (GitHub's REST API). NULL when id or secret is NULL.
 */
char *ps_basic_auth(const char *id, const char *secret, int form_encode);

/* Space-separated scopes rewritten with sep between tokens (malloc'ed), "" for none, NULL on failure. */
char *ps_scopes_join(const char *scopes, char sep);
/* Scopes from a response (string with sep or spaces, or array of strings) as space-separated text (malloc'ed). */
char *ps_scopes_normalize(const json_t *v, char sep);
/* 1 when the space-separated list contains scope. */
int ps_scopes_has(const char *scopes, const char *scope);

/* ---- providers ---- */

/*
 * Client authentication (RFC 6749 2.3.1): BASIC (Authorization header), POST (client_id + client_secret in the
 * form), NONE (a public client: client_id in the form, RFC 6749 2.1 / RFC 7009 2.1). For revoke_auth only:
 * AS_TOKEN authenticates exactly as at the token endpoint (client_auth, RFC 7009 2.1), OMIT sends no client
 * identification at all (Google's revocation endpoint takes the token alone). PS_AUTH_DEFAULT (0, what a spec
 * that says nothing gets) is BASIC for client_auth and AS_TOKEN for revoke_auth.
 */
enum { PS_AUTH_DEFAULT = 0, PS_AUTH_BASIC, PS_AUTH_POST, PS_AUTH_NONE, PS_AUTH_AS_TOKEN, PS_AUTH_OMIT };
enum { PS_EP_AUTHORIZE = 0, PS_EP_TOKEN = 1, PS_EP_REVOKE = 2 };

typedef struct ps_provider ps_provider_t;

/* The three endpoints of a provider; NULL when it has none. */
typedef struct ps_endpoints {
    const char *authorize, *token, *revoke;
} ps_endpoints_t;

/*
 * The optional hooks of a provider: only for what the declarative spec cannot say. A plugin keeps its
 * table `static const`; every member may be NULL.
 */
typedef struct ps_hooks {
    /* The plugin's own configuration members (beyond the endpoints and default_scopes), NULL-terminated. */
    const char *const *config_keys;
    /* Reads them once the provider exists; may set p->option or p->ext and adjust p. Logs its own problems.
     * OP_OK or an error (init fails). */
    int (*configure)(ps_provider_t *p, const json_t *cfg);
    /* Frees what configure put into p->ext (also after a failed configure). */
    void (*release)(ps_provider_t *p);
    /* The endpoint for this client (malloc'ed into *out). Default: a copy of ours. */
    int (*endpoint)(ps_provider_t *p, const op_client_t *c, int which, char **out, op_error_t *err);
    /* Adjusts the authorize parameters after the standard ones are in (Microsoft: offline_access). */
    int (*authorize)(ps_provider_t *p, const op_client_t *c, const op_authorize_params_t *ap, ps_params_t *q,
                     op_error_t *err);
    /* Picks the object holding the token (Slack: authed_user); NULL + *err for an in-band error. */
    const json_t *(*select_token)(ps_provider_t *p, const json_t *doc, op_error_t *err);
    /* Last adjustments of a parsed token set (host-allocated strings) and the extras object. */
    int (*post_parse)(ps_provider_t *p, const json_t *doc, op_token_set_t *out, json_t *extras);
    /* Judges the answer of the RFC 7009 style revocation request (Slack's auth.revoke: HTTP 200 with
     * ok:false). Default: ps_revoke_judge_rfc7009. */
    int (*revoke_judge)(ps_provider_t *p, const op_http_response_t *res, op_error_t *err);
    /* Replaces the revocation altogether (GitHub deletes the grant through its REST API). */
    int (*revoke)(void *data, const op_client_t *client, const char *token, const char *token_type_hint,
                  op_done_fn done, void *arg);
} ps_hooks_t;

/*
 * How a provider identifies the upstream account of a token set (op_provider_t.identify, ABI 1.3): an ID token
 * validated against the provider's JWK Set when the set has one and jwks_uri is known, else a GET of the user-info
 * endpoint with the access token (Bearer). Endpoints are defaults the configuration may override (members
 * "jwks_uri" and "userinfo_endpoint", offered when the spec has them). All members may be NULL.
 */
typedef struct ps_identity_spec {
    const char *jwks_uri;          /* the signing keys of the ID tokens; NULL = ID tokens are not used */
    unsigned algs;                 /* accepted ID token algorithms (cm_jose_alg_t mask: 1 ES256, 2 RS256); 0 = both */
    const char *alt_issuer;        /* a second accepted iss (Google also writes "accounts.google.com") */
    const char *issuer_template;   /* iss when it varies per account: issuer_var replaced by the issuer_claim */
    const char *issuer_var;        /* e.g. "{tenantid}" */
    const char *issuer_claim;      /* e.g. "tid" (Microsoft) */
    const char *userinfo_endpoint; /* GET with the access token; NULL = none */
    const char *subject_field;     /* member of the user-info answer naming the account; default "sub" */
    const char *subject_scope;     /* when set, subject = "<this member>:<subject_field>" (Slack: the team) */
    const char *email_field;       /* default "email" */
    const char *name_field;        /* default "name" */
    int require_ok;                /* the answer must carry "ok": true (Slack's Web API) */
} ps_identity_spec_t;

/*
 * A provider described as data (a plugin keeps it `static const`). Zero members take the defaults noted.
 * The three endpoints are defaults the plugin configuration may override (members "authorization_endpoint",
 * "token_endpoint", and "revocation_endpoint" when the spec has one), as is "default_scopes".
 * Without a revocation endpoint and without hooks->revoke the provider has no revoke operation.
 */
typedef struct ps_spec {
    const char *name;         /* provider name (also the plugin's log tag), [a-z0-9_-]{1,63} */
    const char *display_name; /* default: name */
    uint32_t capabilities;    /* OP_CAP_* */
    const char *issuer;       /* OIDC / RFC 8414 issuer identifier, or NULL */
    ps_endpoints_t endpoints;
    /* When var is set, endpoints are templates: var (e.g. "{tenant}") is replaced per client by
     * hooks->endpoint, and a configured template is checked with it replaced by sample. */
    struct {
        const char *var, *sample;
    } endpoint_template;
    const char *default_scopes;    /* space separated; default "" */
    char scope_separator;          /* in the authorize request: ' ' (default) or ',' */
    char response_scope_separator; /* in token responses: ' ' (default) or ',' (GitHub, Slack) */
    const char *scope_param;       /* authorize parameter carrying the scopes; default "scope" (Slack: "user_scope") */
    int client_auth;               /* PS_AUTH_* at the token endpoint */
    int revoke_auth;               /* PS_AUTH_* at the RFC 7009 revocation endpoint */
    int revoke_send_hint;          /* send token_type_hint on revocation */
    const op_kv_t *authorize_params; /* fixed extra authorize parameters, {NULL, NULL}-terminated, or NULL */
    const op_kv_t *token_params;     /* fixed extra token-request parameters, likewise */
    int64_t default_expires_in;      /* used when a response has no expiry; 0 = such tokens never expire */
    const ps_errmap_t *errors;       /* provider error codes, or NULL */
    const ps_hooks_t *hooks;         /* NULL = none */
    ps_identity_spec_t identity;     /* how accounts are identified; all NULL = the provider cannot */
} ps_spec_t;

struct ps_provider {
    op_provider_t op; /* registered with the host; op.data == this struct; endpoint members mirror ours */
    const op_host_api_t *host;
    const ps_hooks_t *hooks; /* the spec's hooks (static, outlive the provider), or NULL */
    char *name, *display_name, *default_scopes;
    char *authorization_endpoint, *token_endpoint, *revocation_endpoint; /* NULL when absent */

    int client_auth;               /* PS_AUTH_* at the token endpoint */
    int revoke_auth;               /* PS_AUTH_* at the RFC 7009 revocation endpoint */
    int revoke_send_hint;          /* send token_type_hint on revocation */
    char scope_separator;          /* between scopes in the authorize request: ' ' or ',' */
    char response_scope_separator; /* in token responses (GitHub, Slack: ',') */
    const char *scope_param;       /* authorize parameter carrying the scopes: "scope" (Slack: "user_scope") */
    ps_params_t authorize_extra;   /* fixed extra authorize parameters (Google: access_type, ...) */
    ps_params_t token_extra;       /* fixed extra token-request parameters */
    int64_t default_expires_in;    /* used when a response has no expiry; 0 = such tokens never expire */
    const ps_errmap_t *errmap;     /* provider error codes, or NULL */

    char *option; /* one configured value of the plugin's own, read by hooks->configure (Microsoft's default
                   * tenant, GitHub's API base); malloc'ed, freed with the provider */
    void *ext;    /* any other per-provider data of the plugin (hooks->release frees it) */
    struct ps_identity *identity; /* account identification (ps_identity.c), NULL when the provider has none */
};

/*
 * The whole init of a plugin offering one provider described by spec: parses config_json, refuses unknown
 * members, reads the configurable endpoints and default_scopes, builds the provider, runs
 * hooks->configure, registers it and makes it *state. Every problem is logged once. Returns OP_OK or an
 * error (nothing registered, nothing left allocated).
 */
int ps_plugin_init(const ps_spec_t *spec, const op_host_api_t *host, const char *config_json, void **state);
/* The fini of such a plugin: hooks->release, then ps_provider_free. */
void ps_plugin_fini(void *state);

/*
 * The one exported symbol of a single-provider plugin: `PS_PLUGIN(google_spec, "google", "1.0.0");`
 * (the name is repeated because an initializer cannot read the spec).
 */
#define PS_PLUGIN(spec_, name_, version_)                                                                              \
    static int ps_plugin_init_of_spec(const op_host_api_t *host, const char *config_json, void **state)                \
    {                                                                                                                  \
        return ps_plugin_init(&(spec_), host, config_json, state);                                                     \
    }                                                                                                                  \
    PS_EXPORT const op_plugin_t oauth_provider_plugin = {                                                              \
        OP_PLUGIN_HEADER(name_, version_),                                                                             \
        .init = ps_plugin_init_of_spec,                                                                                \
        .fini = ps_plugin_fini,                                                                                        \
    }

/*
 * A provider built from spec with its defaults (strings and fixed parameters copied; only spec->hooks and
 * spec->errors are kept by reference), no configuration read and nothing registered. The custom plugin fills a spec at
 * run time from its configuration. Returns NULL on allocation failure. Caller owns it (ps_provider_free; hooks->release
 * is the caller's to call).
 */
ps_provider_t *ps_provider_create(const op_host_api_t *host, const ps_spec_t *spec);

/*
 * Allocates a provider without a spec, with the generic ops (op.revoke = ps_op_revoke_rfc7009; set it NULL
 * for none). Strings are copied. Defaults: client_auth BASIC, revoke_auth AS_TOKEN, separators ' ', scope
 * param "scope". Returns NULL on allocation failure. Caller owns it (ps_provider_free).
 */
ps_provider_t *ps_provider_new(const op_host_api_t *host, const char *name, const char *display_name,
                               const char *default_scopes, uint32_t capabilities);
/* Sets (copies) the three endpoints; NULL clears one. Keeps op.* in sync. OP_OK or OP_ENOMEM. */
int ps_provider_set_endpoints(ps_provider_t *p, const char *authorize, const char *token, const char *revoke);
/* Registers p->op with the host; logs a refusal. Returns the host's status. */
int ps_provider_register(ps_provider_t *p);
void ps_provider_free(ps_provider_t *p);

/* Logs through the host with the provider's name. */
#define ps_log(p, level, ...) (p)->host->log((p)->host->host_ctx, (level), (p)->name, __VA_ARGS__)

/* Resolves an endpoint through the hook (or copies ours). *out malloc'ed; OP_EUNSUPPORTED when absent. */
int ps_endpoint(ps_provider_t *p, const op_client_t *c, int which, char **out, op_error_t *err);

/* ---- generic operations (usable directly as op_provider_t members; data is the ps_provider_t) ---- */

int ps_op_build_authorize_url(void *data, const op_client_t *client, const op_authorize_params_t *params,
                              char **out_url, op_error_t *err);
int ps_op_exchange_code(void *data, const op_client_t *client, const char *code, const char *code_verifier,
                        op_token_done_fn done, void *arg);
int ps_op_refresh(void *data, const op_client_t *client, const char *refresh_token, const char *scopes,
                  op_token_done_fn done, void *arg);
/* RFC 7009: POST form token (+ token_type_hint, client auth per revoke_auth); 2xx or invalid_token = done. */
int ps_op_revoke_rfc7009(void *data, const op_client_t *client, const char *token, const char *token_type_hint,
                         op_done_fn done, void *arg);
int ps_op_parse_token_response(void *data, const op_http_response_t *res, int64_t now, op_token_set_t *out,
                               op_error_t *err);

/* The token-response parser behind ps_op_parse_token_response (see the header comment for the rules). */
int ps_parse_token_response(ps_provider_t *p, const op_http_response_t *res, int64_t now, op_token_set_t *out,
                            op_error_t *err);

/* ---- upstream account identification (ps_identity.c) ---- */

/* How long a fetched JWK Set is used before it is fetched again, and the least time between two fetches caused by
 * an unknown kid (a token naming a key nobody has must not make us hammer the provider). */
#define PS_JWKS_TTL_S 3600
#define PS_JWKS_REFETCH_S 60
#define PS_ID_TOKEN_LEEWAY_S 120    /* clock difference tolerated on exp, iat and nbf */
#define PS_MAX_JWKS (64u * 1024)    /* bytes; a larger key set is refused */
#define PS_IDENTITY_TIMEOUT_MS 5000 /* a key set or user-info call: identification must not hold up a sign-in long */

/*
 * Sets up account identification as spec describes it, with the configured URLs (NULL = the spec's defaults; copied)
 * and op.identify = ps_op_identify. Without a jwks_uri and a user-info endpoint it does nothing. OP_OK or OP_ENOMEM.
 */
int ps_identity_setup(ps_provider_t *p, const ps_identity_spec_t *spec, const char *jwks_uri, const char *userinfo);
/* Replaces the user-info URL (copied) of a provider set up for identification (GitHub: under its api_base).
 * OP_OK, OP_ENOMEM, OP_EINVAL when it has no identification. */
int ps_identity_set_userinfo(ps_provider_t *p, const char *url);
/* Frees what ps_identity_setup allocated (ps_provider_free calls it). */
void ps_identity_free(ps_provider_t *p);
/* op_provider_t.identify of such a provider (see provider_abi.h). */
int ps_op_identify(void *data, const op_client_t *client, const op_token_set_t *tokens, const char *nonce,
                   op_identity_done_fn done, void *arg);

/* ---- outbound requests ---- */

typedef struct ps_request {
    const char *method;
    char *url;        /* malloc'ed */
    ps_params_t form; /* form body fields (used when body is NULL) */
    char *body;       /* malloc'ed raw body (e.g. JSON), or NULL */
    size_t body_len;
    op_kv_t headers[PS_MAX_HEADERS];
    char *owned[PS_MAX_HEADERS]; /* header values we allocated */
    size_t n_headers;
    int timeout_ms;
} ps_request_t;

/* Prepares r for method and url (copied). OP_OK or OP_ENOMEM. */
int ps_request_init(ps_request_t *r, const char *method, const char *url);
/* Adds a header; name must be a literal, value is copied. */
int ps_request_header(ps_request_t *r, const char *name, const char *value);
/* Client authentication: PS_AUTH_BASIC (Authorization header), PS_AUTH_POST (client_id + client_secret
 * in the form) or PS_AUTH_NONE (client_id in the form). A client without a secret sends client_id only.
 * PS_AUTH_OMIT adds nothing. */
int ps_request_client_auth(ps_request_t *r, int mode, const op_client_t *c);
/* Wipes and frees everything r holds. */
void ps_request_free(ps_request_t *r);

/* Called with the response (borrowed) of ps_request_send; ctx is the caller's. */
typedef void (*ps_response_fn)(ps_provider_t *p, void *ctx, const op_http_response_t *res);

/*
 * Sends r (a form body gets Content-Type application/x-www-form-urlencoded). r is freed in every
 * case. Returns OP_AGAIN (fn is called exactly once, later) or the host's error (fn never called).
 */
int ps_request_send(ps_provider_t *p, ps_request_t *r, ps_response_fn fn, void *ctx);

/*
 * Sends a token-endpoint request (Accept: application/json) and delivers the result of
 * p->op.parse_token_response to done. r is freed in every case. Returns OP_AGAIN or an error.
 */
int ps_token_call(ps_provider_t *p, ps_request_t *r, op_token_done_fn done, void *arg);

/*
 * Sends a revocation request; judge decides on the response (OP_OK or OP_ERR with *err filled),
 * then done is called. r is freed in every case. Returns OP_AGAIN or an error.
 */
typedef int (*ps_revoke_judge_fn)(ps_provider_t *p, const op_http_response_t *res, op_error_t *err);
int ps_revoke_call(ps_provider_t *p, ps_request_t *r, ps_revoke_judge_fn judge, op_done_fn done, void *arg);
/* RFC 7009 judge: 2xx, or an "invalid_token" error (already dead), is success. */
int ps_revoke_judge_rfc7009(ps_provider_t *p, const op_http_response_t *res, op_error_t *err);

/* ---- configuration ---- */

/*
 * Parses a plugin's configuration text: NULL gives an empty object. Returns a new reference or NULL
 * (logged with the plugin's name) when the text is not a JSON object.
 */
json_t *ps_config_parse(const op_host_api_t *host, const char *plugin, const char *config_json);
/* Logs and returns OP_EINVAL when obj has a member not in allowed (NULL-terminated). */
int ps_config_check_keys(const op_host_api_t *host, const char *who, const json_t *obj, const char *const *allowed);
/*
 * Reads an http(s) URL member (or def when absent) into *out (malloc'ed; NULL when absent and def
 * NULL). Logs and returns OP_EINVAL when the member is not a string or not an absolute http(s) URL.
 */
int ps_config_url(const op_host_api_t *host, const char *who, const json_t *obj, const char *key, const char *def,
                  char **out);
/* Reads a string member (or def when absent/null) into *out (borrowed). Logs and returns OP_EINVAL when not a string.
 */
int ps_config_str(const op_host_api_t *host, const char *who, const json_t *obj, const char *key, const char *def,
                  const char **out);
/* Parses a client's options_json: NULL gives an empty object; new reference or NULL (+ *err) when invalid. */
json_t *ps_client_options(const op_client_t *c, op_error_t *err);

/* ---- small helpers (a plugin needs nothing but this library and the ABI) ---- */

/* Host-allocated copy of s (NULL for NULL). */
char *ps_host_strdup(const op_host_api_t *host, const char *s);
/* String member of obj, borrowed, or NULL (absent, not a string, contains NUL). */
const char *ps_json_str(const json_t *obj, const char *key);
/* JSON text (duplicate object keys rejected) as a new reference, or NULL. */
json_t *ps_json_loadb(const char *text, size_t len);
/* Compact JSON text of v (malloc'ed), or NULL. */
char *ps_json_dumps(const json_t *v);
/* 1 when url is an absolute http(s) URL with a host. */
int ps_url_is_http(const char *url);
/* Percent-encoding of s (malloc'ed), or NULL. */
char *ps_url_escape(const char *s);
/* 1 when s is a UUID in the canonical 8-4-4-4-12 form. */
int ps_uuid_valid(const char *s);
/* Wipes and frees a NUL-terminated secret (NULL is fine). */
void ps_secret_free(char *s);
/* The concatenation of the strings up to the NULL (malloc'ed), or NULL on allocation failure. */
char *ps_concat(const char *first, ...) __attribute__((sentinel));
/* Every var in tmpl replaced by value (malloc'ed), or NULL on allocation failure. */
char *ps_template_expand(const char *tmpl, const char *var, const char *value);

#endif
