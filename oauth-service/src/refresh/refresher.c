/*
 * refresher.c - single-flight, lock-protected, rotation-safe refresh (see refresher.h).
 */
#include "refresh/refresher.h"

#include "handlers/flow_util.h"
#include "keys/keys.h"
#include "providers/host_api.h"
#include "push/pusher.h"
#include "refresh/backoff.h"
#include "refresh/heap.h"
#include "store/cred_crypto.h"
#include "store/instance_cache.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"
#include "common/timer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_POLL_MS 50

typedef struct waiter {
    struct waiter *next;
    ob_refresh_cb cb;
    void *arg;
} waiter_t;

typedef struct rop {
    struct rop *next, *prev;
    ob_refresher_t *r;
    char id[37];
    unsigned flags;
    int running; /* 0 = queued behind the concurrency limit */
    waiter_t *waiters;
    cm_pg_conn_t *conn;
    cm_timer_t *lock_timer;
    int64_t lock_deadline_ms;
    /* the row read under the lock */
    char service[65];
    char row_version[24];
    int failures;
    int64_t token_expires_at;
    /* the result */
    ob_refresh_result_t res;
    char code[64];
    op_token_set_t ts;  /* new tokens, until committed and pushed */
    int pushed_status;  /* PERMANENT: push an invalidation after the commit */
    int unknown_before; /* the row carried refresh_outcome_unknown_at: an earlier attempt's result was lost */
    int recovering;     /* the write of op->ts is being retried on a fresh connection */
} rop_t;

struct ob_refresher {
    ob_broker_t *b;
    rop_t *ops;
    size_t running;
    ob_heap_t *heap;
    cm_timer_t *tick; /* next due entry or the next scan */
    int64_t next_scan_ms;
    int scanning;
    int closing; /* shutting down: plugin callbacks drained by the registry only release their operation */
    ob_refresher_stats_t st;
};

static void start_op(rop_t *op);
static void arm_tick(ob_refresher_t *r);

static size_t concurrency(const ob_refresher_t *r)
{
    return r->b->cfg->refresh_concurrency > 0 ? (size_t)r->b->cfg->refresh_concurrency : 1;
}

/* ---- operation lifecycle ---- */

static void op_free(rop_t *op)
{
    ob_refresher_t *r = op->r;
    if (op->prev)
        op->prev->next = op->next;
    else
        r->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    if (op->running)
        r->running--;
    while (op->waiters) {
        waiter_t *w = op->waiters;
        op->waiters = w->next;
        free(w);
    }
    if (op->conn)
        cm_pg_release(op->conn);
    cm_timer_free(op->lock_timer);
    ob_host_token_set_clear(&op->ts);
    free(op);
}

static void start_queued(ob_refresher_t *r)
{
    for (rop_t *op = r->ops; op && r->running < concurrency(r); op = op->next) {
        if (!op->running) {
            op->running = 1;
            r->running++;
            start_op(op);
            return; /* start_op may finish synchronously and change the list: one per call, re-entered by finish */
        }
    }
}

/* Schedules the next proactive look at op's instance after the outcome. */
static void reschedule(rop_t *op)
{
    ob_refresher_t *r = op->r;
    int64_t now = ob_now();
    switch (op->res.outcome) {
    case OB_REFRESH_REFRESHED:
    case OB_REFRESH_FRESH:
        ob_refresher_schedule(r, op->id, op->res.outcome == OB_REFRESH_REFRESHED ? op->ts.expires_at
                                                                                : op->token_expires_at);
        break;
    case OB_REFRESH_TRANSIENT:
        if (op->res.backoff_ms > 0)
            ob_heap_schedule(r->heap, op->id, cm_now_ms() + op->res.backoff_ms);
        break;
    default:
        ob_heap_remove(r->heap, op->id);
    }
    (void)now;
}

/* Releases the connection, answers every waiter, frees op, starts the next queued operation. */
static void finish(rop_t *op, int outcome, const char *code)
{
    ob_refresher_t *r = op->r;
    ob_broker_t *b = r->b;
    op->res.outcome = outcome;
    if (code != NULL && op->code != code)
        snprintf(op->code, sizeof(op->code), "%s", code);
    op->res.error_code = op->code;
    if (op->conn) {
        cm_pg_release(op->conn);
        op->conn = NULL;
    }
    switch (outcome) {
    case OB_REFRESH_REFRESHED:
        r->st.refreshed++;
        break;
    case OB_REFRESH_FRESH:
        r->st.fresh++;
        break;
    case OB_REFRESH_TRANSIENT:
        r->st.transient++;
        break;
    case OB_REFRESH_PERMANENT:
        r->st.permanent++;
        break;
    }
    if (outcome == OB_REFRESH_REFRESHED || outcome == OB_REFRESH_PERMANENT)
        ob_icache_invalidate(b->instances, op->id);
    if (outcome == OB_REFRESH_REFRESHED)
        ob_push_token(b->pusher, op->service, op->id, op->ts.access_token, op->ts.expires_at, "active");
    else if (outcome == OB_REFRESH_PERMANENT && op->pushed_status)
        ob_push_invalidate(b->pusher, op->service, op->id, "needs_reauth");
    reschedule(op);
    /* detach the waiters first: a callback may request again (a new operation) */
    waiter_t *ws = op->waiters;
    op->waiters = NULL;
    ob_refresh_result_t res = op->res;
    char codebuf[64];
    memcpy(codebuf, op->code, sizeof(codebuf));
    res.error_code = codebuf;
    op_free(op);
    while (ws) {
        waiter_t *w = ws;
        ws = w->next;
        if (w->cb)
            w->cb(w->arg, &res);
        free(w);
    }
    start_queued(r);
    arm_tick(r);
}

/* ---- database steps ---- */

static int db_ok(int status, PGresult *res, ExecStatusType want, rop_t *op, const char *what)
{
    if (status == CM_OK && PQresultStatus(res) == want)
        return 1;
    cm_warn("refresh", "instance %s: %s failed: %s", op->id, what,
            status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
    return 0;
}

static void recover_store(rop_t *op, const char *what);

static void on_commit(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!db_ok(status, res, PGRES_COMMAND_OK, op, "COMMIT")) {
        if (op->res.outcome == OB_REFRESH_REFRESHED && op->ts.access_token != NULL) {
            recover_store(op, "the commit failed");
            return;
        }
        finish(op, OB_REFRESH_TRANSIENT, "commit_failed");
        return;
    }
    finish(op, op->res.outcome, NULL);
}

static void commit(rop_t *op, int outcome)
{
    op->res.outcome = outcome;
    if (cm_pg_conn_query(op->conn, "COMMIT", 0, NULL, on_commit, op) != CM_AGAIN)
        finish(op, OB_REFRESH_TRANSIENT, "commit_failed");
}

static void on_written(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!db_ok(status, res, PGRES_TUPLES_OK, op, "storing refreshed tokens")) {
        recover_store(op, "the write failed");
        return;
    }
    if (PQntuples(res) == 0) {
        /* the row changed under us (a new authorization or an import without the lock): theirs wins */
        cm_warn("refresh", "instance %s: credentials changed during the refresh; the newer write is kept", op->id);
        op->r->st.races++;
        commit(op, OB_REFRESH_FRESH);
        return;
    }
    commit(op, OB_REFRESH_REFRESHED);
}

static const char sql_store[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET access_token_enc = $2::bytea, access_token_key_id = $3,"
    "         refresh_token_enc = COALESCE($4::bytea, refresh_token_enc),"
    "         refresh_token_key_id = CASE WHEN $4::bytea IS NULL THEN refresh_token_key_id ELSE $5 END,"
    "         token_expires_at = CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint) END,"
    "         refresh_expires_at = CASE WHEN $7::bigint > 0 THEN to_timestamp($7::bigint)"
    "                                   WHEN $4::bytea IS NULL THEN refresh_expires_at END,"
    "         scope = COALESCE($8, scope), token_type = COALESCE($9, token_type, 'Bearer'),"
    "         row_version = row_version + 1, refresh_failures = 0, next_refresh_at = NULL, last_error_code = NULL,"
    "         refresh_outcome_unknown_at = NULL"
    "   WHERE instance_id = $1::uuid AND row_version = $10::bigint RETURNING instance_id, row_version),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'refreshed', 'refresher', $11::jsonb FROM c)"
    " SELECT row_version FROM c";

static void store_tokens(rop_t *op);

static void on_marked_unknown(void *arg, int status, PGresult *res)
{
    (void)arg;
    if (status != CM_OK || PQresultStatus(res) != PGRES_TUPLES_OK)
        cm_error("refresh", "recording a refresh outcome unknown failed: %s",
                 status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
}

static const char sql_unknown[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET refresh_outcome_unknown_at = now(), last_error_code = 'refresh_outcome_unknown',"
    "         refresh_failures = refresh_failures + 1,"
    "         next_refresh_at = now() + make_interval(secs => $2::bigint / 1000.0)"
    "   WHERE instance_id = $1::uuid RETURNING instance_id),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'refresh_failed', 'refresher', $3::jsonb FROM c)"
    " SELECT count(*) FROM c";

/* The provider answered (or may have) but its result is not stored: flag the row (best effort, its own
 * autocommit statement) so the next attempt knows, and finish TRANSIENT with a backoff. */
static void outcome_unknown(rop_t *op)
{
    char ms[24];
    op->res.backoff_ms = op->r->b->cfg->refresh_backoff_base_ms > 0 ? op->r->b->cfg->refresh_backoff_base_ms : 1000;
    snprintf(ms, sizeof(ms), "%" PRId64, op->res.backoff_ms);
    json_t *d = json_pack("{s:s, s:s, s:I}", "class", "unknown", "error", "refresh_outcome_unknown", "backoff_ms",
                          (json_int_t)op->res.backoff_ms);
    char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    const char *p[3] = {op->id, ms, detail ? detail : "{}"};
    cm_error("refresh", "instance %s: refresh outcome unknown (the provider was called, its result is not stored); "
                        "the next attempt re-reads the row first", op->id);
    if (cm_pg_query(op->r->b->db, sql_unknown, 3, p, on_marked_unknown, NULL) != CM_AGAIN)
        cm_error("refresh", "instance %s: the unknown refresh outcome could not be recorded", op->id);
    free(detail);
    ob_host_token_set_clear(&op->ts); /* never served or pushed: the database does not have them */
    finish(op, OB_REFRESH_TRANSIENT, "refresh_outcome_unknown");
}

static void on_recovered(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!db_ok(status, res, PGRES_TUPLES_OK, op, "storing refreshed tokens (second attempt)")) {
        outcome_unknown(op);
        return;
    }
    if (PQntuples(res) == 0) {
        /* the row changed: the first COMMIT did go through after all, or a newer write won; either way the row
         * holds a consistent token set */
        cm_warn("refresh", "instance %s: second write found a newer row; it is kept", op->id);
        ob_host_token_set_clear(&op->ts);
        finish(op, OB_REFRESH_FRESH, NULL);
        return;
    }
    cm_info("refresh", "instance %s: refreshed tokens stored on the second attempt", op->id);
    finish(op, OB_REFRESH_REFRESHED, NULL);
}

/* The transaction that was to store op->ts failed: give its connection back (rolled back) and write op->ts
 * once more as one statement on the pool. The rotated refresh token exists only in op->ts now. */
static void recover_store(rop_t *op, const char *what)
{
    cm_warn("refresh", "instance %s: %s after the provider answered; writing the new tokens again", op->id, what);
    if (op->conn) {
        cm_pg_release(op->conn);
        op->conn = NULL;
    }
    op->recovering = 1;
    store_tokens(op);
}

/* Writes op->ts with the compare-and-set on the row_version read under the lock: on op->conn (in the
 * transaction) or, when recovering, as one autocommit statement on the pool (the CAS keeps it safe without
 * the lock). */
static void store_tokens(rop_t *op)
{
    const ob_keyring_t *kr = op->r->b->keys->ring;
    char *at_hex = NULL, *rt_hex = NULL, exp[24], rexp[24];
    const char *at_kid = NULL, *rt_kid = NULL;
    if (op->ts.access_token == NULL ||
        ob_cred_seal(kr, op->id, OB_FIELD_ACCESS_TOKEN, op->ts.access_token, strlen(op->ts.access_token), &at_hex,
                     &at_kid) != CM_OK ||
        (op->ts.refresh_token != NULL &&
         ob_cred_seal(kr, op->id, OB_FIELD_REFRESH_TOKEN, op->ts.refresh_token, strlen(op->ts.refresh_token), &rt_hex,
                      &rt_kid) != CM_OK)) {
        cm_error("refresh", "instance %s: the refreshed tokens could not be sealed", op->id);
        free(at_hex);
        outcome_unknown(op);
        return;
    }
    snprintf(exp, sizeof(exp), "%" PRId64, op->ts.expires_at);
    snprintf(rexp, sizeof(rexp), "%" PRId64, op->ts.refresh_expires_at);
    json_t *d = json_pack("{s:b, s:I}", "rotated", op->ts.refresh_token != NULL, "expires_at",
                          (json_int_t)op->ts.expires_at);
    char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    const char *p[11] = {op->id, at_hex, at_kid, rt_hex, rt_kid, exp, rexp, op->ts.scope, op->ts.token_type,
                         op->row_version, detail ? detail : "{}"};
    int rc = op->recovering ? cm_pg_query(op->r->b->db, sql_store, 11, p, on_recovered, op)
                            : cm_pg_conn_query(op->conn, sql_store, 11, p, on_written, op);
    free(detail);
    free(at_hex);
    free(rt_hex);
    if (rc != CM_AGAIN) {
        if (op->recovering)
            outcome_unknown(op);
        else
            recover_store(op, "the write could not be queued");
    }
}

static void on_failure_written(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!db_ok(status, res, PGRES_TUPLES_OK, op, "recording a refresh failure")) {
        finish(op, OB_REFRESH_TRANSIENT, NULL);
        return;
    }
    if (op->res.outcome == OB_REFRESH_PERMANENT) {
        if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
            /* the row changed since we read it: the refresh token we spent was already replaced (race) */
            cm_info("refresh", "instance %s: %s after a concurrent change: a race, not a revocation", op->id,
                    op->code);
            op->r->st.races++;
            commit(op, OB_REFRESH_FRESH);
            return;
        }
        op->pushed_status = PQntuples(res) > 0 && strcmp(PQgetvalue(res, 0, 1), "1") == 0;
    }
    commit(op, op->res.outcome);
}

static const char sql_permanent[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET refresh_failures = refresh_failures + 1, last_error_code = $2,"
    "         next_refresh_at = NULL"
    "   WHERE instance_id = $1::uuid AND row_version = $3::bigint RETURNING instance_id),"
    " s AS ("
    "  UPDATE mcp_service_table SET status = 'needs_reauth', row_version = row_version + 1"
    "   WHERE instance_id IN (SELECT instance_id FROM c) AND status = 'active' RETURNING instance_id),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'refresh_failed', 'refresher', $4::jsonb FROM c)"
    " SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM s)";

static const char sql_transient[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET refresh_failures = refresh_failures + 1, last_error_code = $2,"
    "         next_refresh_at = now() + make_interval(secs => $3::bigint / 1000.0),"
    "         refresh_outcome_unknown_at = CASE WHEN $5::boolean THEN now() ELSE refresh_outcome_unknown_at END"
    "   WHERE instance_id = $1::uuid RETURNING instance_id, refresh_failures),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'refresh_failed', 'refresher',"
    "         $4::jsonb || jsonb_build_object('failures', refresh_failures) FROM c)"
    " SELECT count(*) FROM c";

/* sent: the request reached (or may have reached) the provider. */
static void record_failure(rop_t *op, const op_error_t *err, int sent)
{
    char ms[24];
    int permanent = err != NULL && err->error_class == OP_ERRCLASS_PERMANENT;
    snprintf(op->code, sizeof(op->code), "%s", err && err->code[0] ? err->code : "refresh_failed");
    op->res.error_code = op->code;
    json_t *d;
    int rc;
    if (permanent) {
        op->res.outcome = OB_REFRESH_PERMANENT;
        /* after an unknown outcome, invalid_grant most likely means the rotated token was lost with it */
        d = json_pack("{s:s, s:s, s:i, s:b}", "class", "permanent", "error", op->code, "http_status",
                      err ? err->http_status : 0, "after_unknown_outcome", op->unknown_before);
        char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        const char *p[4] = {op->id, op->code, op->row_version, detail ? detail : "{}"};
        rc = cm_pg_conn_query(op->conn, sql_permanent, 4, p, on_failure_written, op);
        free(detail);
        cm_warn("refresh", "instance %s: permanent refresh failure %s: needs re-authorization", op->id, op->code);
    } else {
        ob_backoff_t bo = {.base_ms = op->r->b->cfg->refresh_backoff_base_ms,
                           .max_ms = op->r->b->cfg->refresh_backoff_max_ms};
        op->res.outcome = OB_REFRESH_TRANSIENT;
        op->res.backoff_ms =
            ob_backoff_delay_ms(&bo, op->failures + 1, ob_backoff_draw(), err ? err->retry_after_s : -1);
        snprintf(ms, sizeof(ms), "%" PRId64, op->res.backoff_ms);
        /* a timeout after the request was sent: the provider may have rotated the refresh token */
        int unknown = sent && err != NULL && strcmp(err->code, "timeout") == 0;
        d = json_pack("{s:s, s:s, s:i, s:I, s:b}", "class", "transient", "error", op->code, "http_status",
                      err ? err->http_status : 0, "backoff_ms", (json_int_t)op->res.backoff_ms, "outcome_unknown",
                      unknown);
        char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        const char *p[5] = {op->id, op->code, ms, detail ? detail : "{}", unknown ? "true" : "false"};
        if (unknown)
            cm_error("refresh", "instance %s: refresh outcome unknown (timeout after the request was sent); "
                                "the next attempt re-reads the row first", op->id);
        rc = cm_pg_conn_query(op->conn, sql_transient, 5, p, on_failure_written, op);
        free(detail);
        cm_warn("refresh", "instance %s: transient refresh failure %s: next attempt in %" PRId64 " ms", op->id,
                op->code, op->res.backoff_ms);
    }
    json_decref(d);
    if (rc != CM_AGAIN)
        finish(op, op->res.outcome, NULL);
}

/* ---- the provider call ---- */

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
        store_tokens(op);
        return;
    }
    if (tokens != NULL)
        ob_host_token_set_clear(tokens);
    record_failure(op, err, 1);
}

static char *open_col(const rop_t *op, const PGresult *res, int col, const char *field)
{
    char *out = NULL;
    size_t len = 0;
    if (PQgetisnull(res, 0, col) || PQgetisnull(res, 0, col + 1))
        return NULL;
    if (ob_cred_open(op->r->b->keys->ring, op->id, field, PQgetvalue(res, 0, col + 1), PQgetvalue(res, 0, col), &out,
                     &len) != CM_OK) {
        cm_warn("refresh", "instance %s: the stored %s does not open", op->id, field);
        return NULL;
    }
    return out;
}

/* Columns of the row read under the lock. */
enum { C_SERVICE, C_STATUS, C_INST_EXP, C_CLIENT_ID, C_SECRET, C_SECRET_KID, C_RT, C_RT_KID, C_TOKEN_EXP, C_VERSION,
       C_OPTIONS, C_FAILURES, C_NEXT_AT, C_UNKNOWN };

static void on_row(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    ob_broker_t *b = op->r->b;
    if (!db_ok(status, res, PGRES_TUPLES_OK, op, "reading the credentials under the lock")) {
        finish(op, OB_REFRESH_TRANSIENT, "database_unavailable");
        return;
    }
    if (PQntuples(res) == 0) {
        finish(op, OB_REFRESH_GONE, "instance_not_found");
        return;
    }
    int64_t now = ob_now();
    snprintf(op->service, sizeof(op->service), "%s", PQgetvalue(res, 0, C_SERVICE));
    snprintf(op->row_version, sizeof(op->row_version), "%s", PQgetvalue(res, 0, C_VERSION));
    op->token_expires_at = strtoll(PQgetvalue(res, 0, C_TOKEN_EXP), NULL, 10);
    op->failures = (int)strtol(PQgetvalue(res, 0, C_FAILURES), NULL, 10);
    int64_t inst_exp = strtoll(PQgetvalue(res, 0, C_INST_EXP), NULL, 10);
    int64_t next_at = strtoll(PQgetvalue(res, 0, C_NEXT_AT), NULL, 10);
    op->unknown_before = strcmp(PQgetvalue(res, 0, C_UNKNOWN), "t") == 0;
    if (op->unknown_before)
        cm_warn("refresh", "instance %s: an earlier refresh's outcome is unknown; row re-read under the lock "
                           "(row_version %s)", op->id, op->row_version);
    if (strcmp(PQgetvalue(res, 0, C_STATUS), "active") != 0 || (inst_exp != 0 && inst_exp <= now)) {
        finish(op, OB_REFRESH_UNREFRESHABLE, "instance_not_active");
        return;
    }
    if (PQgetisnull(res, 0, C_RT)) {
        finish(op, OB_REFRESH_UNREFRESHABLE, "no_refresh_token");
        return;
    }
    if (!(op->flags & OB_REFRESH_FORCE) &&
        (op->token_expires_at == 0 || op->token_expires_at - now > b->cfg->refresh_margin_s)) {
        finish(op, OB_REFRESH_FRESH, NULL); /* refreshed meanwhile (another replica) or never expires */
        return;
    }
    if (!(op->flags & OB_REFRESH_IGNORE_BACKOFF) && next_at > now) {
        op->res.backoff_ms = (next_at - now) * 1000;
        finish(op, OB_REFRESH_TRANSIENT, "backoff");
        return;
    }
    const op_provider_t *p = ob_service_provider(b, op->service);
    if (p == NULL || p->refresh == NULL || !(p->capabilities & OP_CAP_REFRESH)) {
        finish(op, OB_REFRESH_UNREFRESHABLE, "provider_cannot_refresh");
        return;
    }
    char *rt = open_col(op, res, C_RT, OB_FIELD_REFRESH_TOKEN);
    char *secret = open_col(op, res, C_SECRET, OB_FIELD_CLIENT_SECRET);
    char *redirect = ob_redirect_uri(b, p->name);
    if (rt == NULL || redirect == NULL || (secret == NULL && !PQgetisnull(res, 0, C_SECRET))) {
        cm_secure_free(rt, 0);
        cm_secure_free(secret, 0);
        free(redirect);
        finish(op, OB_REFRESH_TRANSIENT, "credentials_unreadable");
        return;
    }
    op_client_t client = {.struct_size = sizeof(op_client_t),
                          .client_id = PQgetisnull(res, 0, C_CLIENT_ID) ? "" : PQgetvalue(res, 0, C_CLIENT_ID),
                          .client_secret = secret,
                          .redirect_uri = redirect,
                          .options_json = PQgetvalue(res, 0, C_OPTIONS)};
    op->r->st.started++;
    cm_debug("refresh", "instance %s: refreshing (row_version %s)", op->id, op->row_version);
    int rc = p->refresh(p->data, &client, rt, NULL, on_tokens, op);
    cm_secure_free(rt, 0);
    cm_secure_free(secret, 0);
    free(redirect);
    if (rc != OP_AGAIN) {
        /* nothing reached the provider */
        op_error_t e = {.error_class = OP_ERRCLASS_TRANSIENT, .retry_after_s = -1};
        snprintf(e.code, sizeof(e.code), "%s", rc == OP_EUNAVAIL ? "provider_unavailable" : "refresh_not_started");
        record_failure(op, &e, 0);
    }
}

static const char sql_row[] =
    "SELECT s.service_name, s.status, COALESCE(extract(epoch FROM s.expires_at)::bigint, 0), c.client_id,"
    " c.client_secret_enc, c.client_secret_key_id, c.refresh_token_enc, c.refresh_token_key_id,"
    " COALESCE(extract(epoch FROM c.token_expires_at)::bigint, 0), c.row_version,"
    " COALESCE(c.provider_options::text, '{}'), c.refresh_failures,"
    " COALESCE(extract(epoch FROM c.next_refresh_at)::bigint, 0), (c.refresh_outcome_unknown_at IS NOT NULL)"
    " FROM mcp_service_table s JOIN mcp_credentials c ON c.instance_id = s.instance_id"
    " WHERE s.instance_id = $1::uuid";

static void on_lock_timer(void *arg);

static void on_lock(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!db_ok(status, res, PGRES_TUPLES_OK, op, "taking the refresh lock")) {
        finish(op, OB_REFRESH_TRANSIENT, "database_unavailable");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        /* another replica is refreshing this instance: give the connection back, poll again */
        cm_pg_release(op->conn);
        op->conn = NULL;
        op->r->st.lock_waits++;
        if (cm_now_ms() >= op->lock_deadline_ms) {
            finish(op, OB_REFRESH_TRANSIENT, "lock_timeout");
            return;
        }
        if (op->lock_timer == NULL)
            op->lock_timer = cm_timer_new(cm_server_loop(op->r->b->server), on_lock_timer, op);
        if (op->lock_timer == NULL || cm_timer_start(op->lock_timer, LOCK_POLL_MS) != CM_OK)
            finish(op, OB_REFRESH_TRANSIENT, "out_of_memory");
        return;
    }
    /* a new statement: its snapshot sees whatever the previous lock holder committed */
    const char *p[1] = {op->id};
    if (cm_pg_conn_query(op->conn, sql_row, 1, p, on_row, op) != CM_AGAIN)
        finish(op, OB_REFRESH_TRANSIENT, "database_unavailable");
}

/* arg is NULL: the lock statement queued behind BEGIN reports the failure (and owns finishing the op) */
static void on_begin(void *arg, int status, PGresult *res)
{
    (void)arg;
    if (status != CM_OK || PQresultStatus(res) != PGRES_COMMAND_OK)
        cm_warn("refresh", "BEGIN failed: %s", status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
}

static void on_conn(void *arg, int status, cm_pg_conn_t *conn)
{
    rop_t *op = arg;
    if (status != CM_OK) {
        finish(op, OB_REFRESH_TRANSIENT, "database_unavailable");
        return;
    }
    op->conn = conn;
    const char *p[1] = {op->id};
    /* statements run in order; a failed BEGIN fails the lock statement too */
    if (cm_pg_conn_query(conn, "BEGIN", 0, NULL, on_begin, NULL) != CM_AGAIN ||
        cm_pg_conn_query(conn, "SELECT pg_try_advisory_xact_lock(hashtextextended('ob-refresh:' || $1, 0))", 1, p,
                         on_lock, op) != CM_AGAIN)
        finish(op, OB_REFRESH_TRANSIENT, "database_unavailable");
}

static void start_op(rop_t *op)
{
    int rc = cm_pg_acquire(op->r->b->db, on_conn, op);
    if (rc != CM_AGAIN)
        finish(op, OB_REFRESH_TRANSIENT, "database_unavailable");
}

static void on_lock_timer(void *arg)
{
    start_op(arg);
}

/* ---- public entry points ---- */

int ob_refresh_request(ob_refresher_t *r, const char *id, unsigned flags, ob_refresh_cb cb, void *arg)
{
    if (r == NULL || id == NULL || !cm_uuid_valid(id))
        return CM_EINVAL;
    if (r->closing)
        return CM_EUNAVAIL;
    waiter_t *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return CM_ENOMEM;
    w->cb = cb;
    w->arg = arg;
    for (rop_t *op = r->ops; op; op = op->next) {
        if (strcmp(op->id, id) == 0) {
            /* single flight: a forced request joining an unforced one waits for it; its result is as good */
            if (!op->running)
                op->flags |= flags;
            w->next = op->waiters;
            op->waiters = w;
            r->st.joined++;
            return CM_AGAIN;
        }
    }
    rop_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        free(w);
        return CM_ENOMEM;
    }
    op->r = r;
    snprintf(op->id, sizeof(op->id), "%s", id);
    op->flags = flags;
    op->waiters = w;
    op->lock_deadline_ms = cm_now_ms() + r->b->cfg->refresh_lock_wait_ms;
    /* append (FIFO for the concurrency queue) */
    rop_t **tail = &r->ops, *prev = NULL;
    while (*tail) {
        prev = *tail;
        tail = &(*tail)->next;
    }
    op->prev = prev;
    *tail = op;
    if (r->running < concurrency(r)) {
        op->running = 1;
        r->running++;
        start_op(op); /* every completion path is asynchronous (CM_AGAIN contract), except errors */
    }
    return CM_AGAIN;
}

void ob_refresher_schedule(ob_refresher_t *r, const char *id, int64_t token_expires_at)
{
    if (r == NULL || id == NULL)
        return;
    if (token_expires_at <= 0) {
        ob_heap_remove(r->heap, id);
        return;
    }
    int64_t in_s = token_expires_at - r->b->cfg->refresh_margin_s - ob_now();
    ob_heap_schedule(r->heap, id, cm_now_ms() + (in_s > 0 ? in_s * 1000 : 0));
    arm_tick(r);
}

void ob_refresher_forget(ob_refresher_t *r, const char *id)
{
    if (r != NULL && id != NULL)
        ob_heap_remove(r->heap, id);
}

void ob_refresher_stats(const ob_refresher_t *r, ob_refresher_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (r == NULL)
        return;
    *out = r->st;
    out->scheduled = ob_heap_size(r->heap);
    out->inflight = r->running;
}

/* ---- the proactive schedule ---- */

static void on_scanned(void *arg, int status, PGresult *res)
{
    ob_refresher_t *r = arg;
    r->scanning = 0;
    if (status == CM_OK && PQresultStatus(res) == PGRES_TUPLES_OK) {
        int64_t now = ob_now(), mono = cm_now_ms();
        for (int i = 0; i < PQntuples(res); i++) {
            int64_t exp = strtoll(PQgetvalue(res, i, 1), NULL, 10);
            int64_t next_at = strtoll(PQgetvalue(res, i, 2), NULL, 10);
            int64_t due = exp - r->b->cfg->refresh_margin_s;
            if (next_at > due)
                due = next_at;
            ob_heap_schedule_earlier(r->heap, PQgetvalue(res, i, 0), mono + (due > now ? (due - now) * 1000 : 0));
        }
        cm_debug("refresh", "schedule: %d instances due soon, %zu scheduled", PQntuples(res), ob_heap_size(r->heap));
    } else {
        cm_warn("refresh", "schedule scan failed: %s",
                status != CM_OK ? cm_status_str(status) : PQresultErrorMessage(res));
    }
    arm_tick(r);
}

static void scan(ob_refresher_t *r)
{
    char horizon[24];
    snprintf(horizon, sizeof(horizon), "%d", r->b->cfg->refresh_margin_s + 2 * r->b->cfg->refresh_scan_interval_s);
    const char *p[1] = {horizon};
    r->next_scan_ms = cm_now_ms() + (int64_t)r->b->cfg->refresh_scan_interval_s * 1000;
    if (cm_pg_query(r->b->db,
                    "SELECT c.instance_id, extract(epoch FROM c.token_expires_at)::bigint,"
                    " COALESCE(extract(epoch FROM c.next_refresh_at)::bigint, 0)"
                    " FROM mcp_credentials c JOIN mcp_service_table s ON s.instance_id = c.instance_id"
                    " WHERE c.refresh_token_enc IS NOT NULL AND c.token_expires_at IS NOT NULL"
                    " AND s.status = 'active'"
                    " AND c.token_expires_at < now() + make_interval(secs => $1::bigint)"
                    " ORDER BY c.token_expires_at LIMIT 10000",
                    1, p, on_scanned, r) == CM_AGAIN)
        r->scanning = 1;
}

static void on_tick(void *arg)
{
    ob_refresher_t *r = arg;
    int64_t mono = cm_now_ms();
    const ob_heap_entry_t *top;
    while (r->running < concurrency(r) && (top = ob_heap_peek(r->heap)) != NULL && top->due_ms <= mono) {
        ob_heap_entry_t e;
        ob_heap_pop(r->heap, &e);
        ob_refresh_request(r, e.id, 0, NULL, NULL);
    }
    if (!r->scanning && mono >= r->next_scan_ms)
        scan(r);
    arm_tick(r);
}

static void arm_tick(ob_refresher_t *r)
{
    if (r->tick == NULL)
        return;
    int64_t mono = cm_now_ms(), at = r->next_scan_ms;
    const ob_heap_entry_t *top = ob_heap_peek(r->heap);
    if (top != NULL && top->due_ms < at)
        at = r->running < concurrency(r) ? top->due_ms : mono + 100; /* saturated: look again soon */
    cm_timer_start(r->tick, at > mono ? (long)(at - mono) : 0);
}

ob_refresher_t *ob_refresher_new(ob_broker_t *b)
{
    ob_refresher_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->b = b;
    if ((r->heap = ob_heap_new()) == NULL)
        goto out_free_refresher;
    if (b->cfg->refresh_enabled) {
        if ((r->tick = cm_timer_new(cm_server_loop(b->server), on_tick, r)) == NULL)
            goto out_free_heap;
        r->next_scan_ms = cm_now_ms(); /* first scan on the first tick */
        cm_timer_start(r->tick, 0);
    }
    return r;

out_free_heap:
    ob_heap_free(r->heap);
out_free_refresher:
    free(r);
    return NULL;
}

void ob_refresher_close(ob_refresher_t *r)
{
    if (r != NULL) {
        r->closing = 1;
        cm_timer_stop(r->tick);
    }
}

void ob_refresher_free(ob_refresher_t *r)
{
    if (r == NULL)
        return;
    r->closing = 1;
    while (r->ops) {
        r->ops->running = 0; /* no restart of queued work while tearing down */
        op_free(r->ops);
    }
    cm_timer_free(r->tick);
    ob_heap_free(r->heap);
    free(r);
}
