/*
 * identity.c - the broker's side of account identification (see identity.h).
 */
#include "oauth/identity.h"

#include "providers/abi_compat.h"

#include "common/log.h"
#include "common/pg.h"
#include "common/status.h"
#include "common/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct id_call {
    ob_identity_cb cb;
    void *arg;
    char *provider_name;
    int in_call; /* set while the plugin's identify runs: an answer then is deferred */
    int status;
    char *subject, *issuer, *email, *display_name; /* a deferred answer, copied */
    cm_timer_t *defer;
} id_call_t;

static void call_free(id_call_t *c)
{
    cm_timer_free(c->defer);
    free(c->provider_name);
    free(c->subject);
    free(c->issuer);
    free(c->email);
    free(c->display_name);
    free(c);
}

/* The recorded form: "<issuer or provider name>|<subject>" (malloc'ed). */
static char *qualified(const char *issuer, const char *provider, const char *subject)
{
    const char *scope = issuer != NULL && issuer[0] != '\0' ? issuer : provider;
    size_t n = strlen(scope) + strlen(subject) + 2;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s|%s", scope, subject);
    return s;
}

static void finish(id_call_t *c, int status, const op_identity_t *id)
{
    char *subject = NULL;
    if (status == OP_OK && id != NULL && id->subject != NULL && id->subject[0] != '\0')
        subject = qualified(id->issuer, c->provider_name, id->subject);
    if (subject == NULL) {
        if (status == OP_OK)
            cm_warn("oauth", "provider %s: identify answered no subject", c->provider_name);
        c->cb(c->arg, status == OP_OK ? CM_ENOMEM : status < 0 ? status : CM_ERR, NULL, NULL);
    } else {
        c->cb(c->arg, CM_OK, subject, id);
    }
    free(subject);
    call_free(c);
}

static void on_deferred(void *arg)
{
    id_call_t *c = arg;
    op_identity_t id = {sizeof(id), c->subject, c->issuer, c->email, c->display_name};
    finish(c, c->status, c->status == OP_OK ? &id : NULL);
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void on_identity(void *arg, int status, const op_identity_t *id, const op_error_t *err)
{
    id_call_t *c = arg;
    if (status != OP_OK)
        cm_info("oauth", "provider %s: account not identified: %s", c->provider_name,
                err != NULL && err->code[0] != '\0' ? err->code : "error");
    if (!c->in_call) {
        finish(c, status, id);
        return;
    }
    /* the plugin answered inside the call: keep the answer for the next loop iteration */
    c->status = status;
    if (status == OP_OK && id != NULL) {
        c->subject = dup_or_null(id->subject);
        c->issuer = dup_or_null(id->issuer);
        c->email = dup_or_null(id->email);
        c->display_name = dup_or_null(id->display_name);
        if (c->subject == NULL)
            c->status = OP_ENOMEM;
    }
}

int ob_identify(ob_broker_t *b, const op_provider_t *provider, const op_client_t *client, const op_token_set_t *tokens,
                const char *nonce, ob_identity_cb cb, void *arg)
{
    if (b == NULL || provider == NULL || tokens == NULL || cb == NULL)
        return CM_EINVAL;
    id_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->provider_name = strdup(provider->name)) == NULL ||
        (c->defer = cm_timer_new(cm_server_loop(b->server), on_deferred, c)) == NULL) {
        if (c != NULL)
            call_free(c);
        return CM_ENOMEM;
    }
    c->cb = cb;
    c->arg = arg;
    c->in_call = 1;
    int rc = ob_provider_identify(provider, client, tokens, nonce, on_identity, c);
    c->in_call = 0;
    if (rc == OP_AGAIN)
        return CM_AGAIN;
    if (rc == OP_OK) { /* answered inside the call */
        if (cm_timer_start(c->defer, 0) == CM_OK)
            return CM_AGAIN;
        rc = CM_ENOMEM;
    }
    call_free(c);
    return rc == OP_EUNSUPPORTED ? CM_EUNAVAIL : rc;
}

static void on_recorded(void *arg, int status, PGresult *res)
{
    (void)arg;
    if (status != CM_OK)
        cm_warn("oauth", "recording the upstream account: %s", cm_status_str(status));
    else if (PQresultStatus(res) != PGRES_COMMAND_OK)
        cm_warn("oauth", "recording the upstream account: %s", PQresultErrorMessage(res));
}

int ob_identity_record(ob_broker_t *b, const char *instance_id, const char *subject, cm_pg_result_cb cb, void *arg)
{
    const char *p[2] = {instance_id, subject};
    return cm_pg_query(b->db, "UPDATE mcp_service_table SET upstream_subject = $2 WHERE instance_id = $1::uuid", 2, p,
                       cb != NULL ? cb : on_recorded, arg);
}
