/*
 * row.c - the credentials row read under the refresh lock (refresher_int.h), what it decides (refresher.h: fresh,
 * backoff, not refreshable, gone), and the provider call once the intent marker is ours. Reports END, ROW_READ
 * (first read: the marker comes next), CALLING, then TOKENS or PROVIDER_FAILED.
 */
#include "refresh/refresher_int.h"

#include "keys/keys.h"
#include "providers/host_api.h"
#include "store/cred_crypto.h"
#include "store/instance.h"

#include "common/crypto.h"

#include <stdlib.h>
#include <string.h>

static void on_tokens(void *arg, int status, op_token_set_t *tokens, const op_error_t *err)
{
    rop_t *op = arg;
    if (op->r->closing) {
        if (tokens != NULL)
            ob_host_token_set_clear(tokens);
        return; /* ob_refresher_free releases the op */
    }
    if (status == OP_OK && tokens != NULL && tokens->access_token != NULL) {
        op->ts = *tokens; /* take the members */
        memset(tokens, 0, sizeof(*tokens));
        ob_rop_report(op, OB_REV_TOKENS, NULL);
        return;
    }
    if (tokens != NULL)
        ob_host_token_set_clear(tokens);
    ob_rop_failure_t f = {.err = err, .sent = 1};
    ob_rop_report(op, OB_REV_PROVIDER_FAILED, &f);
}

/* Columns of the row read under the lock. */
enum {
    C_SERVICE,
    C_STATUS,
    C_INST_EXP,
    C_CLIENT_ID,
    C_SECRET,
    C_SECRET_KID,
    C_RT,
    C_RT_KID,
    C_TOKEN_EXP,
    C_VERSION,
    C_OPTIONS,
    C_FAILURES,
    C_NEXT_AT,
    C_UNKNOWN,
    C_REQ_FAILURES,
    C_MARKER_SET,
    C_MARKER_OWNER,
    C_MARKER_AGE_MS
};

static void on_row(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    ob_broker_t *b = op->r->b;
    if (!ob_rop_db_ok(status, res, PGRES_TUPLES_OK, op, "reading the credentials under the lock")) {
        ob_rop_end(op, OB_REFRESH_TRANSIENT, "database_unavailable");
        return;
    }
    if (PQntuples(res) == 0) {
        ob_rop_end(op, OB_REFRESH_GONE, "instance_not_found");
        return;
    }
    int64_t now = ob_now();
    snprintf(op->service, sizeof(op->service), "%s", PQgetvalue(res, 0, C_SERVICE));
    snprintf(op->row_version, sizeof(op->row_version), "%s", PQgetvalue(res, 0, C_VERSION));
    op->token_expires_at = strtoll(PQgetvalue(res, 0, C_TOKEN_EXP), NULL, 10);
    op->failures = (int)strtol(PQgetvalue(res, 0, C_FAILURES), NULL, 10);
    op->request_failures = (int)strtol(PQgetvalue(res, 0, C_REQ_FAILURES), NULL, 10);
    int64_t inst_exp = strtoll(PQgetvalue(res, 0, C_INST_EXP), NULL, 10);
    int64_t wait_ms = strtoll(PQgetvalue(res, 0, C_NEXT_AT), NULL, 10); /* left of the backoff, <= 0: none */
    op->unknown_before |= strcmp(PQgetvalue(res, 0, C_UNKNOWN), "t") == 0;
    if (op->unknown_before && op->state == OB_ROP_READING) /* once: the row is read again after the marker */
        cm_warn("refresh",
                "instance %s: an earlier refresh's outcome is unknown; row re-read under the lock "
                "(row_version %s)",
                op->id, op->row_version);
    if (ob_status_column(res, 0, C_STATUS) != CM_INST_ACTIVE || (inst_exp != 0 && inst_exp <= now)) {
        ob_rop_end(op, OB_REFRESH_UNREFRESHABLE, "instance_not_active");
        return;
    }
    if (PQgetisnull(res, 0, C_RT)) {
        ob_rop_end(op, OB_REFRESH_UNREFRESHABLE, "no_refresh_token");
        return;
    }
    if (!(op->flags & OB_REFRESH_FORCE) &&
        (op->token_expires_at == 0 || op->token_expires_at - now > b->cfg->refresh_margin_s)) {
        ob_rop_end(op, OB_REFRESH_FRESH, NULL); /* refreshed meanwhile (another replica) or never expires */
        return;
    }
    if ((op->flags & OB_REFRESH_FORCE) && op->have_start_version && strcmp(op->start_version, op->row_version) != 0) {
        /* forced, but new credentials were stored since it was asked for (another replica's refresh, most
         * likely, while this one waited for the lock): that answers it, without spending the token again */
        cm_info("refresh", "instance %s: credentials changed while the forced refresh waited (row_version %s -> %s)",
                op->id, op->start_version, op->row_version);
        ob_rop_end(op, OB_REFRESH_FRESH, NULL);
        return;
    }
    if (op->token_expires_at != 0 && op->token_expires_at <= now && wait_ms > b->cfg->refresh_expired_max_ms)
        wait_ms = 0; /* a long backoff set while the token was valid: now that it expired, probe (failures set a
                        backoff within refresh.expired_backoff_max_ms) */
    if (!(op->flags & OB_REFRESH_IGNORE_BACKOFF) && wait_ms > 0) {
        op->res.backoff_ms = wait_ms;
        ob_rop_end(op, OB_REFRESH_TRANSIENT, "backoff");
        return;
    }
    const op_provider_t *p = ob_service_provider(b, op->service);
    if (p == NULL || p->refresh == NULL || !(p->capabilities & OP_CAP_REFRESH)) {
        ob_rop_end(op, OB_REFRESH_UNREFRESHABLE, "provider_cannot_refresh");
        return;
    }
    if (op->state == OB_ROP_READING) {
        /* the intent marker: another attempt in flight (refused), a stale one (audited), else ours is set first */
        ob_rop_marker_t m = {.is_set = strcmp(PQgetvalue(res, 0, C_MARKER_SET), "t") == 0,
                             .owner = PQgetvalue(res, 0, C_MARKER_OWNER),
                             .age_ms = strtoll(PQgetvalue(res, 0, C_MARKER_AGE_MS), NULL, 10)};
        ob_rop_report(op, OB_REV_ROW_READ, &m);
        return;
    }
    cm_secure_free(op->spent_rt, 0);
    char *rt = op->spent_rt = ob_cred_open_column(op->r->b->keys->ring, op->id, OB_FIELD_REFRESH_TOKEN, res, C_RT);
    char *secret = ob_cred_open_column(op->r->b->keys->ring, op->id, OB_FIELD_CLIENT_SECRET, res, C_SECRET);
    char *redirect = ob_redirect_uri(b, p->name);
    if (rt == NULL || redirect == NULL || (secret == NULL && !PQgetisnull(res, 0, C_SECRET))) {
        cm_secure_free(secret, 0);
        free(redirect);
        ob_rop_end(op, OB_REFRESH_TRANSIENT, "credentials_unreadable");
        return;
    }
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = PQgetisnull(res, 0, C_CLIENT_ID) ? "" : PQgetvalue(res, 0, C_CLIENT_ID),
                          .client_secret = secret,
                          .redirect_uri = redirect,
                          .options_json = PQgetvalue(res, 0, C_OPTIONS)};
    op->r->st.started++;
    cm_debug("refresh", "instance %s: refreshing (row_version %s)", op->id, op->row_version);
    ob_rop_report(op, OB_REV_CALLING, NULL);                        /* from here on the refresh token may be spent */
    int rc = p->refresh(p->data, &client, rt, NULL, on_tokens, op); /* rt stays with op (reconciliation) */
    cm_secure_free(secret, 0);
    free(redirect);
    if (rc != OP_AGAIN) {
        /* nothing reached the provider */
        op_error_t e = {.error_class = OP_ERRCLASS_TRANSIENT, .retry_after_s = -1};
        snprintf(e.code, sizeof(e.code), "%s", rc == OP_EUNAVAIL ? "provider_unavailable" : "refresh_not_started");
        ob_rop_failure_t f = {.err = &e, .sent = 0};
        ob_rop_report(op, OB_REV_PROVIDER_FAILED, &f);
    }
}

static const char sql_row[] =
    "SELECT s.service_name, s.status, COALESCE(extract(epoch FROM s.expires_at)::bigint, 0), c.client_id,"
    " c.client_secret_enc, c.client_secret_key_id, c.refresh_token_enc, c.refresh_token_key_id,"
    " COALESCE(extract(epoch FROM c.token_expires_at)::bigint, 0), c.row_version,"
    " COALESCE(c.provider_options::text, '{}'), c.refresh_failures,"
    " COALESCE(ceil(extract(epoch FROM c.next_refresh_at - clock_timestamp()) * 1000)::bigint, 0),"
    " (c.refresh_outcome_unknown_at IS NOT NULL),"
    " c.request_failures, (c.refresh_started_at IS NOT NULL), COALESCE(c.refresh_owner, ''),"
    " COALESCE((extract(epoch FROM clock_timestamp() - c.refresh_started_at) * 1000)::bigint, 0)"
    " FROM mcp_service_table s JOIN mcp_credentials c ON c.instance_id = s.instance_id"
    " WHERE s.instance_id = $1::uuid";

void ob_rrow_read(rop_t *op)
{
    /* a new statement: its snapshot sees whatever the previous lock holder committed */
    const char *p[1] = {op->id};
    if (cm_pg_conn_query(op->conn, sql_row, 1, p, on_row, op) != CM_AGAIN)
        ob_rop_end(op, OB_REFRESH_TRANSIENT, "database_unavailable");
}
