/*
 * abi_compat.c - the wrapper for providers of plugins built before ABI 1.2 (see abi_compat.h).
 */
#include "providers/abi_compat.h"

#include "providers/host_api.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* op_token_set_t as ABI 1.0 and 1.1 define it: the same members, no struct_size. Frozen. */
typedef struct op_token_set_v1 {
    char *access_token;
    char *refresh_token;
    char *token_type;
    char *scope;
    char *id_token;
    int64_t expires_at;
    int64_t refresh_expires_at;
    char *extras_json;
} op_token_set_v1_t;

#define FIRST_SIZED_MINOR 2u /* the minor whose op_token_set_t starts with struct_size */

typedef struct compat_provider {
    op_provider_t op; /* what the broker sees; op.data is this struct */
    const op_provider_t *orig;
} compat_provider_t;

/* What a wrapped token operation needs to answer its caller. */
typedef struct compat_call {
    op_token_done_fn done;
    void *arg;
} compat_call_t;

int ob_abi_compat_needed(unsigned abi_minor)
{
    return abi_minor < FIRST_SIZED_MINOR;
}

/* Moves the members of a pre-1.2 set into a current one (the old one is left empty). */
static void from_v1(op_token_set_t *out, op_token_set_v1_t *in)
{
    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(*out);
    out->access_token = in->access_token;
    out->refresh_token = in->refresh_token;
    out->token_type = in->token_type;
    out->scope = in->scope;
    out->id_token = in->id_token;
    out->expires_at = in->expires_at;
    out->refresh_expires_at = in->refresh_expires_at;
    out->extras_json = in->extras_json;
    memset(in, 0, sizeof(*in));
}

void ob_abi_compat_token_set_clear(op_token_set_t *ts)
{
    op_token_set_t current;
    if (ts == NULL)
        return;
    from_v1(&current, (op_token_set_v1_t *)ts);
    ob_host_token_set_clear(&current);
}

static void on_v1_tokens(void *arg, int status, op_token_set_t *tokens, const op_error_t *err)
{
    compat_call_t *call = arg;
    op_token_set_t ts;
    if (tokens != NULL)
        from_v1(&ts, (op_token_set_v1_t *)tokens);
    call->done(call->arg, status, tokens != NULL ? &ts : NULL, err);
    free(call);
}

static compat_call_t *call_new(op_token_done_fn done, void *arg)
{
    compat_call_t *call = done != NULL ? calloc(1, sizeof(*call)) : NULL;
    if (call != NULL) {
        call->done = done;
        call->arg = arg;
    }
    return call;
}

/* Starts the plugin's code exchange (refresh 0) or refresh (1); a and b are their two string arguments. */
static int token_call(void *data, int refresh, const op_client_t *client, const char *a, const char *b,
                      op_token_done_fn done, void *arg)
{
    const op_provider_t *o = ((compat_provider_t *)data)->orig;
    compat_call_t *call = call_new(done, arg);
    if (call == NULL)
        return done != NULL ? OP_ENOMEM : OP_EINVAL;
    int rc = refresh ? o->refresh(o->data, client, a, b, on_v1_tokens, call)
                     : o->exchange_code(o->data, client, a, b, on_v1_tokens, call);
    if (rc != OP_AGAIN)
        free(call);
    return rc;
}

static int wrap_exchange(void *data, const op_client_t *client, const char *code, const char *code_verifier,
                         op_token_done_fn done, void *arg)
{
    return token_call(data, 0, client, code, code_verifier, done, arg);
}

static int wrap_refresh(void *data, const op_client_t *client, const char *refresh_token, const char *scopes,
                        op_token_done_fn done, void *arg)
{
    return token_call(data, 1, client, refresh_token, scopes, done, arg);
}

static int wrap_parse(void *data, const op_http_response_t *res, int64_t now, op_token_set_t *out, op_error_t *err)
{
    const op_provider_t *o = ((compat_provider_t *)data)->orig;
    op_token_set_v1_t v1;
    memset(&v1, 0, sizeof(v1));
    if (out->struct_size < sizeof(*out))
        return OP_EINVAL;
    int rc = o->parse_token_response(o->data, res, now, (op_token_set_t *)&v1, err);
    from_v1(out, &v1);
    return rc;
}

static int wrap_authorize(void *data, const op_client_t *client, const op_authorize_params_t *params, char **out_url,
                          op_error_t *err)
{
    const op_provider_t *o = ((compat_provider_t *)data)->orig;
    return o->build_authorize_url(o->data, client, params, out_url, err);
}

static int wrap_revoke(void *data, const op_client_t *client, const char *token, const char *token_type_hint,
                       op_done_fn done, void *arg)
{
    const op_provider_t *o = ((compat_provider_t *)data)->orig;
    return o->revoke(o->data, client, token, token_type_hint, done, arg);
}

void ob_abi_compat_refresh(op_provider_t *wrapper)
{
    compat_provider_t *c = (compat_provider_t *)wrapper;
    if (c == NULL || wrapper->parse_token_response != wrap_parse)
        return;
    size_t n = c->orig->struct_size < sizeof(op_provider_t) ? c->orig->struct_size : sizeof(op_provider_t);
    memcpy(&c->op, c->orig, n); /* every member the plugin knows, as it is now */
    c->op.struct_size = (uint32_t)n;
    c->op.data = c;
    c->op.build_authorize_url = wrap_authorize;
    c->op.exchange_code = wrap_exchange;
    c->op.refresh = c->orig->refresh != NULL ? wrap_refresh : NULL;
    c->op.revoke = c->orig->revoke != NULL ? wrap_revoke : NULL;
    c->op.parse_token_response = wrap_parse;
}

op_provider_t *ob_abi_compat_wrap(const op_provider_t *orig)
{
    compat_provider_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->orig = orig;
    c->op.parse_token_response = wrap_parse;
    ob_abi_compat_refresh(&c->op);
    return &c->op;
}

const op_provider_t *ob_abi_compat_original(const op_provider_t *p)
{
    return p != NULL && p->parse_token_response == wrap_parse ? ((const compat_provider_t *)p)->orig : p;
}

void ob_abi_compat_free(const op_provider_t *p)
{
    if (p != NULL && p->parse_token_response == wrap_parse)
        free((compat_provider_t *)p);
}

int ob_provider_identify(const op_provider_t *p, const op_client_t *client, const op_token_set_t *tokens,
                         const char *nonce, op_identity_done_fn done, void *arg)
{
    p = ob_abi_compat_original(p);
    if (p == NULL || tokens == NULL || done == NULL)
        return OP_EINVAL;
    if (p->struct_size < offsetof(op_provider_t, identify) + sizeof(p->identify) || p->identify == NULL)
        return OP_EUNSUPPORTED;
    return p->identify(p->data, client, tokens, nonce, done, arg);
}
