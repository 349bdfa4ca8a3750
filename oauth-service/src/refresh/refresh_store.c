/*
 * refresh_store.c - what happens after the provider answered a refresh (refresher.h steps 4-6).
 *
 * The provider's answer (op->ts, possibly a rotated refresh token: the one we sent may be dead now) is never
 * thrown away while it can still be the newest token set:
 *  - the compare-and-set on row_version misses (a writer that does not take the refresh lock changed the row):
 *    the row is re-read FOR UPDATE in the same transaction (the lock is still held) and reconciled:
 *      the stored access token is ours          -> already stored (an earlier COMMIT that reported failure);
 *      the stored refresh token is the one sent -> nobody replaced the grant: write ours on the new row_version;
 *      anything else (new authorization, import, revoke purge) -> theirs is newer: ours is dropped, audit row
 *      "refresh_superseded";
 *  - the write or the COMMIT fails: reported STORE_FAILED; the operation (refresh_op.c) rolls back, backs off and
 *    stores again in a new transaction under the lock, which reconciles as above.
 *
 * Failures (the provider refused or did not answer): permanent -> needs_reauth; request class (invalid_request,
 * invalid_scope, bare 400) -> transient until refresh.request_error_limit of them in a row, then needs_reauth;
 * everything else transient with backoff. "Outcome unknown" (the refresh token may have been spent: a timeout or
 * a network error after the request was sent, a 2xx whose body does not parse) is audited with class "unknown"
 * and flags the row; the next attempt is made as usual, after re-reading the row under the lock.
 */
#include "refresh/refresher_int.h"

#include "core/backoff.h"
#include "keys/keys.h"
#include "providers/host_api.h"
#include "store/cred_crypto.h"
#include "store/instance.h"
#include "store/instances_db.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAS_TRIES 3

/* ---- commit ---- */

static void store_failed(rop_t *op, const char *what)
{
    ob_rop_report(op, OB_REV_STORE_FAILED, what);
}

static void on_commit(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!ob_rop_db_ok(status, res, PGRES_COMMAND_OK, op, "COMMIT")) {
        if (op->res.outcome == OB_REFRESH_REFRESHED && op->ts.access_token != NULL) {
            store_failed(op, "the commit failed");
            return;
        }
        ob_rop_end(op, OB_REFRESH_TRANSIENT, "commit_failed");
        return;
    }
    ob_rop_end(op, op->res.outcome, NULL);
}

void ob_rstore_commit(rop_t *op)
{
    if (cm_pg_conn_query(op->conn, "COMMIT", 0, NULL, on_commit, op) == CM_AGAIN)
        return;
    if (op->res.outcome == OB_REFRESH_REFRESHED && op->ts.access_token != NULL)
        store_failed(op, "the commit could not be queued");
    else
        ob_rop_end(op, OB_REFRESH_TRANSIENT, "commit_failed");
}

/* Records the outcome (the machine commits it, with the intent marker cleared unless the outcome leaves it). */
static void commit(rop_t *op, int outcome)
{
    op->res.outcome = outcome;
    ob_rop_report(op, OB_REV_COMMIT, NULL);
}

/* ---- outcome unknown ---- */

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

/* Flags the row (its own autocommit statement, best effort): the provider answered but the answer is not stored. */
void ob_rstore_mark_unknown(rop_t *op, const char *why)
{
    char ms[24];
    if (op->unknown_recorded)
        return;
    op->unknown_recorded = 1;
    op->res.backoff_ms = op->r->b->cfg->refresh_backoff_base_ms > 0 ? op->r->b->cfg->refresh_backoff_base_ms : 1000;
    snprintf(ms, sizeof(ms), "%" PRId64, op->res.backoff_ms);
    json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:b}", "class", "unknown", "error", "refresh_outcome_unknown", "why",
                          why, "backoff_ms", (json_int_t)op->res.backoff_ms, "rotated", op->ts.refresh_token != NULL);
    char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    const char *p[3] = {op->id, ms, detail ? detail : "{}"};
    cm_error("refresh", "instance %s: refresh outcome unknown (the provider answered, its result is not stored: %s)",
             op->id, why);
    if (cm_pg_query(op->r->b->db, sql_unknown, 3, p, on_marked_unknown, NULL) != CM_AGAIN)
        cm_error("refresh", "instance %s: the unknown refresh outcome could not be recorded", op->id);
    free(detail);
}

/* The answer cannot be stored at all (it does not seal): flag, drop, finish TRANSIENT. */
static void unstorable(rop_t *op)
{
    ob_rstore_mark_unknown(op, "the tokens could not be sealed");
    ob_host_token_set_clear(&op->ts);
    ob_rop_end(op, OB_REFRESH_TRANSIENT, "refresh_outcome_unknown");
}

/* ---- the write ---- */

static const char sql_store[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET " OB_SQL_SET_NEW_TOKENS ","
    "         scope = COALESCE($8, scope), token_type = COALESCE($9, token_type, 'Bearer'),"
    " " OB_SQL_SET_TOKENS_CLEAN
    "   WHERE instance_id = $1::uuid AND row_version = $10::bigint RETURNING instance_id, row_version),"
    " s AS ("
    "  UPDATE mcp_service_table SET event_version = event_version + 1"
    "   WHERE instance_id IN (SELECT instance_id FROM c) RETURNING instance_id, status, event_version),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'refreshed', 'refresher', $11::jsonb FROM c)"
    " SELECT c.row_version, s.status, s.event_version FROM c JOIN s USING (instance_id)";

static void set_pushed(rop_t *op, const PGresult *res, int status_col, int version_col)
{
    op->push_status = ob_status_column(res, 0, status_col);
    op->event_version = strtoll(PQgetvalue(res, 0, version_col), NULL, 10);
}

static void on_written(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!ob_rop_db_ok(status, res, PGRES_TUPLES_OK, op, "storing refreshed tokens")) {
        store_failed(op, "the write failed");
        return;
    }
    if (PQntuples(res) == 0) {
        /* the row changed since it was read: a writer without the lock. Never drop a rotated token blindly. */
        op->r->st.races++;
        if (++op->cas_tries >= CAS_TRIES) {
            store_failed(op, "the compare-and-set kept missing");
            return;
        }
        cm_warn("refresh", "instance %s: credentials changed during the refresh; re-reading the row", op->id);
        ob_rop_report(op, OB_REV_CAS_MISSED, NULL);
        return;
    }
    set_pushed(op, res, 1, 2);
    if (op->store_attempts > 0)
        cm_info("refresh", "instance %s: refreshed tokens stored after %d failed attempt(s)", op->id,
                op->store_attempts);
    commit(op, OB_REFRESH_REFRESHED);
}

void ob_rstore_tokens(rop_t *op)
{
    const ob_keyring_t *kr = op->r->b->keys->ring;
    char *at_hex = NULL, *rt_hex = NULL, exp[24], rexp[24];
    const char *at_kid = NULL, *rt_kid = NULL;
    if (op->ts.access_token == NULL ||
        ob_cred_seal(kr, op->id, OB_FIELD_ACCESS_TOKEN, op->ts.access_token, strlen(op->ts.access_token), &at_hex,
                     &at_kid) != CM_OK ||
        (op->ts.refresh_token != NULL && ob_cred_seal(kr, op->id, OB_FIELD_REFRESH_TOKEN, op->ts.refresh_token,
                                                      strlen(op->ts.refresh_token), &rt_hex, &rt_kid) != CM_OK)) {
        cm_error("refresh", "instance %s: the refreshed tokens could not be sealed", op->id);
        free(at_hex);
        unstorable(op);
        return;
    }
    snprintf(exp, sizeof(exp), "%" PRId64, op->ts.expires_at);
    snprintf(rexp, sizeof(rexp), "%" PRId64, op->ts.refresh_expires_at);
    json_t *d = json_pack("{s:b, s:I, s:i}", "rotated", op->ts.refresh_token != NULL, "expires_at",
                          (json_int_t)op->ts.expires_at, "store_attempts", op->store_attempts + 1);
    char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    const char *p[11] = {op->id,
                         at_hex,
                         at_kid,
                         rt_hex,
                         rt_kid,
                         exp,
                         rexp,
                         op->ts.scope,
                         op->ts.token_type,
                         op->row_version,
                         detail ? detail : "{}"};
    int rc = cm_pg_conn_query(op->conn, sql_store, 11, p, on_written, op);
    free(detail);
    free(at_hex);
    free(rt_hex);
    if (rc != CM_AGAIN)
        store_failed(op, "the write could not be queued");
}

/* ---- reconciliation (the lock is held, in a transaction) ---- */

static const char sql_reconcile[] =
    "SELECT c.row_version, c.refresh_token_enc, c.refresh_token_key_id, c.access_token_enc, c.access_token_key_id,"
    " s.status, s.event_version"
    " FROM mcp_credentials c JOIN mcp_service_table s ON s.instance_id = c.instance_id"
    " WHERE c.instance_id = $1::uuid FOR UPDATE";

static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && cm_ct_equal(a, strlen(a), b, strlen(b));
}

static void on_superseded_logged(void *arg, int status, PGresult *res)
{
    (void)arg;
    if (status != CM_OK || PQresultStatus(res) != PGRES_COMMAND_OK)
        cm_warn("refresh", "auditing a superseded refresh failed");
}

static void on_reconciled(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!ob_rop_db_ok(status, res, PGRES_TUPLES_OK, op, "re-reading the credentials")) {
        store_failed(op, "re-reading the row failed");
        return;
    }
    if (PQntuples(res) == 0) {
        cm_warn("refresh", "instance %s: deleted while its refreshed tokens were being stored; dropped", op->id);
        ob_host_token_set_clear(&op->ts);
        ob_rop_end(op, OB_REFRESH_GONE, "instance_not_found");
        return;
    }
    char *at = ob_cred_open_column(op->r->b->keys->ring, op->id, OB_FIELD_ACCESS_TOKEN, res, 3);
    char *rt = ob_cred_open_column(op->r->b->keys->ring, op->id, OB_FIELD_REFRESH_TOKEN, res, 1);
    if (same(at, op->ts.access_token)) {
        cm_info("refresh", "instance %s: the refreshed tokens were stored after all (an earlier COMMIT went through)",
                op->id);
        set_pushed(op, res, 5, 6);
        commit(op, OB_REFRESH_REFRESHED);
    } else if (same(rt, op->spent_rt)) {
        /* the grant was not replaced: ours is the newest answer (the stored refresh token may be spent) */
        snprintf(op->row_version, sizeof(op->row_version), "%s", PQgetvalue(res, 0, 0));
        ob_rop_report(op, OB_REV_STORE, NULL);
    } else {
        cm_warn("refresh",
                "instance %s: a newer authorization, import or revocation replaced the credentials "
                "during the refresh; its tokens are kept, the refresh result is dropped",
                op->id);
        json_t *d =
            json_pack("{s:b, s:i}", "rotated", op->ts.refresh_token != NULL, "store_attempts", op->store_attempts);
        char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        json_decref(d);
        const char *p[2] = {op->id, detail ? detail : "{}"};
        ob_host_token_set_clear(&op->ts);
        if (cm_pg_conn_query(op->conn,
                             "INSERT INTO token_audit_log (instance_id, event, actor, detail)"
                             " VALUES ($1::uuid, 'refresh_superseded', 'refresher', $2::jsonb)",
                             2, p, on_superseded_logged, NULL) != CM_AGAIN)
            cm_warn("refresh", "instance %s: the superseded refresh could not be audited", op->id);
        free(detail);
        commit(op, OB_REFRESH_FRESH);
    }
    cm_secure_free(at, 0);
    cm_secure_free(rt, 0);
}

void ob_rstore_reconcile(rop_t *op)
{
    const char *p[1] = {op->id};
    if (cm_pg_conn_query(op->conn, sql_reconcile, 1, p, on_reconciled, op) != CM_AGAIN)
        store_failed(op, "the re-read could not be queued");
}

/* ---- failures ---- */

static void on_failure_written(void *arg, int status, PGresult *res)
{
    rop_t *op = arg;
    if (!ob_rop_db_ok(status, res, PGRES_TUPLES_OK, op, "recording a refresh failure")) {
        ob_rop_end(op, OB_REFRESH_TRANSIENT, NULL);
        return;
    }
    if (op->res.outcome == OB_REFRESH_PERMANENT) {
        if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
            /* the row changed since we read it: the refresh token we spent was already replaced (race) */
            cm_info("refresh", "instance %s: %s after a concurrent change: a race, not a revocation", op->id, op->code);
            op->r->st.races++;
            commit(op, OB_REFRESH_FRESH);
            return;
        }
        /* the status changed (needs_reauth): its event version goes with the invalidation push */
        op->event_version = strcmp(PQgetvalue(res, 0, 1), "1") == 0 ? strtoll(PQgetvalue(res, 0, 2), NULL, 10) : 0;
    }
    commit(op, op->res.outcome);
}

static const char sql_permanent[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET refresh_failures = refresh_failures + 1, last_error_code = $2,"
    "         request_failures = $5::int, next_refresh_at = NULL"
    "   WHERE instance_id = $1::uuid AND row_version = $3::bigint RETURNING instance_id),"
    " s AS ("
    "  UPDATE mcp_service_table SET status = 'needs_reauth', row_version = row_version + 1,"
    "         event_version = event_version + 1"
    "   WHERE instance_id IN (SELECT instance_id FROM c) AND status = 'active' RETURNING instance_id, event_version),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'refresh_failed', 'refresher', $4::jsonb FROM c)"
    " SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM s), (SELECT COALESCE(max(event_version), 0) FROM s)";

static const char sql_transient[] =
    "WITH c AS ("
    "  UPDATE mcp_credentials SET refresh_failures = refresh_failures + 1, last_error_code = $2,"
    "         next_refresh_at = now() + make_interval(secs => $3::bigint / 1000.0),"
    "         request_failures = $6::int,"
    "         refresh_outcome_unknown_at = CASE WHEN $5::boolean THEN now() ELSE refresh_outcome_unknown_at END"
    "   WHERE instance_id = $1::uuid RETURNING instance_id, refresh_failures),"
    " a AS ("
    "  INSERT INTO token_audit_log (instance_id, event, actor, detail)"
    "  SELECT instance_id, 'refresh_failed', 'refresher',"
    "         $4::jsonb || jsonb_build_object('failures', refresh_failures) FROM c)"
    " SELECT count(*) FROM c";

/* The request may have reached the provider and its answer is lost: the refresh token may have been spent. */
static int outcome_unknown(const op_error_t *err, int sent)
{
    if (!sent || err == NULL)
        return 0;
    if (strcmp(err->code, "timeout") == 0)
        return 1;
    if (strcmp(err->code, "network") == 0) /* unless it never left: no connection, no address */
        return strstr(err->description, "onnect to") == NULL && strstr(err->description, "resolve") == NULL;
    if (strcmp(err->code, "bad_response") == 0 || strcmp(err->code, "response_too_large") == 0)
        return err->http_status >= 200 && err->http_status <= 299;
    return 0;
}

/* The failure's class: permanent (or request class over refresh.request_error_limit) -> needs_reauth. */
static int to_reauth(const rop_t *op, const op_error_t *err, int sent, int *nreq_out)
{
    int permanent = err != NULL && err->error_class == OP_ERRCLASS_PERMANENT;
    int request = err != NULL && err->error_class == OP_ERRCLASS_REQUEST && sent;
    int limit = op->r->b->cfg->refresh_request_error_limit;
    int nreq = request ? op->request_failures + 1 : 0;
    if (nreq_out)
        *nreq_out = nreq;
    return permanent || (request && limit > 0 && nreq >= limit);
}

int ob_rstore_failure_unknown(const rop_t *op, const op_error_t *err, int sent)
{
    return !to_reauth(op, err, sent, NULL) && outcome_unknown(err, sent);
}

void ob_rstore_record_failure(rop_t *op, const op_error_t *err, int sent)
{
    char ms[24], reqf[16];
    int permanent = err != NULL && err->error_class == OP_ERRCLASS_PERMANENT;
    int request = err != NULL && err->error_class == OP_ERRCLASS_REQUEST && sent;
    int limit = op->r->b->cfg->refresh_request_error_limit;
    int nreq = request ? op->request_failures + 1 : 0;
    int over_limit = request && limit > 0 && nreq >= limit;
    snprintf(op->code, sizeof(op->code), "%s", err && err->code[0] ? err->code : "refresh_failed");
    snprintf(reqf, sizeof(reqf), "%d", nreq);
    op->res.error_code = op->code;
    json_t *d;
    int rc;
    if (permanent || over_limit) {
        op->res.outcome = OB_REFRESH_PERMANENT;
        /* after an unknown outcome, invalid_grant most likely means the rotated token was lost with it */
        d = json_pack("{s:s, s:s, s:i, s:b}", "class", permanent ? "permanent" : "request", "error", op->code,
                      "http_status", err ? err->http_status : 0, "after_unknown_outcome", op->unknown_before);
        if (over_limit)
            json_object_set_new(d, "consecutive_request_failures", json_integer(nreq));
        char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        const char *p[5] = {op->id, op->code, op->row_version, detail ? detail : "{}", reqf};
        rc = cm_pg_conn_query(op->conn, sql_permanent, 5, p, on_failure_written, op);
        free(detail);
        if (over_limit)
            cm_warn("refresh", "instance %s: %d request errors in a row (last %s): needs re-authorization", op->id,
                    nreq, op->code);
        else
            cm_warn("refresh", "instance %s: permanent refresh failure %s: needs re-authorization", op->id, op->code);
    } else {
        ob_backoff_t bo = {.base_ms = op->r->b->cfg->refresh_backoff_base_ms,
                           .max_ms = op->r->b->cfg->refresh_backoff_max_ms};
        if (op->token_expires_at != 0 && op->token_expires_at <= ob_now()) {
            /* nothing valid left to serve: users are waiting, so the next attempt comes within minutes at most */
            int64_t cap = op->r->b->cfg->refresh_expired_max_ms;
            bo.max_ms = bo.max_ms > cap ? cap : bo.max_ms;
            bo.base_ms = bo.base_ms > cap ? cap : bo.base_ms;
        }
        op->res.outcome = OB_REFRESH_TRANSIENT;
        op->res.backoff_ms =
            ob_backoff_delay_ms(&bo, op->failures + 1, ob_backoff_draw(), err ? err->retry_after_s : -1);
        snprintf(ms, sizeof(ms), "%" PRId64, op->res.backoff_ms);
        int unknown = outcome_unknown(err, sent);
        d = json_pack("{s:s, s:s, s:i, s:I, s:b}", "class",
                      unknown   ? "unknown"
                      : request ? "request"
                                : "transient",
                      "error", op->code, "http_status", err ? err->http_status : 0, "backoff_ms",
                      (json_int_t)op->res.backoff_ms, "outcome_unknown", unknown);
        if (request)
            json_object_set_new(d, "consecutive_request_failures", json_integer(nreq));
        char *detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        const char *p[6] = {op->id, op->code, ms, detail ? detail : "{}", unknown ? "true" : "false", reqf};
        if (unknown)
            cm_error("refresh",
                     "instance %s: refresh outcome unknown (%s after the request was sent: the refresh "
                     "token may have been spent); the next attempt re-reads the row first",
                     op->id, op->code);
        rc = cm_pg_conn_query(op->conn, sql_transient, 6, p, on_failure_written, op);
        free(detail);
        cm_warn("refresh", "instance %s: transient refresh failure %s: next attempt in %" PRId64 " ms", op->id,
                op->code, op->res.backoff_ms);
    }
    json_decref(d);
    if (rc != CM_AGAIN)
        ob_rop_end(op, op->res.outcome, NULL);
}
