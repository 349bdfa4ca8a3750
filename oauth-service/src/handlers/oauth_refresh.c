/*
 * POST /oauth/refresh {instance_id} (admin key) - forces one refresh now (also inside the margin and during a
 * backoff), through the same single-flight, locked, rotation-safe path as the schedule (refresh/refresher.h).
 *   200 {instance_id, outcome: "refreshed"|"fresh"}     (fresh: another refresh just stored a token)
 *   404 instance_not_found
 *   409 {code: "needs_reauth"|"not_refreshable", error}  permanent failure / nothing to refresh with
 *   502 {code: "provider_error", error, backoff_ms}      transient failure (recorded, retried by the schedule)
 *   503 {code: "refresh_in_progress", retry_after_s} + Retry-After   another broker process's refresh of the
 *       instance is in flight (its intent marker, refresh/intent.c): the provider was not called
 */
#include "handlers/flow_util.h"
#include "handlers/routes.h"

#include "refresh/refresher.h"

#include "common/crypto.h"
#include "common/status.h"

#include <string.h>

typedef struct force_ctx {
    ob_async_t a;
    char id[37];
} force_ctx_t;

static void on_refreshed(void *arg, const ob_refresh_result_t *r)
{
    force_ctx_t *c = arg;
    h2o_req_t *req = c->a.req;
    if (req != NULL) {
        switch (r->outcome) {
        case OB_REFRESH_REFRESHED:
        case OB_REFRESH_FRESH:
            cm_respond_json(req, 200,
                            json_pack("{s:s, s:s}", "instance_id", c->id, "outcome",
                                      r->outcome == OB_REFRESH_REFRESHED ? "refreshed" : "fresh"));
            break;
        case OB_REFRESH_GONE:
            cm_respond_error(req, 404, "instance_not_found", "instance_id", "no such instance");
            break;
        case OB_REFRESH_PERMANENT:
            cm_respond_json(req, 409,
                            json_pack("{s:s, s:s, s:s}", "code", "needs_reauth", "message",
                                      "the provider refused the refresh token: re-authorization needed", "error",
                                      r->error_code));
            break;
        case OB_REFRESH_UNREFRESHABLE:
            cm_respond_json(req, 409,
                            json_pack("{s:s, s:s, s:s}", "code", "not_refreshable", "message",
                                      "this instance cannot be refreshed", "error", r->error_code));
            break;
        default:
            if (strcmp(r->error_code, "refresh_in_progress") == 0) {
                ob_respond_refresh_in_progress(req, r->backoff_ms);
                break;
            }
            cm_respond_json(req, 502,
                            json_pack("{s:s, s:s, s:s, s:I}", "code", "provider_error", "message",
                                      "the refresh failed; it is retried with backoff", "error", r->error_code,
                                      "backoff_ms", (json_int_t)r->backoff_ms));
        }
    }
    ob_async_free(c);
}

static int on_force(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    char id[37];
    (void)m;
    if (!ob_require_admin(b, req) || !ob_body_instance_id(req, NULL, id))
        return 0;
    force_ctx_t *c = ob_async_new(b, req, sizeof(*c));
    if (c == NULL)
        return 0;
    memcpy(c->id, id, sizeof(c->id));
    int rc = ob_refresh_request(b->refresher, id, OB_REFRESH_FORCE | OB_REFRESH_IGNORE_BACKOFF, on_refreshed, c);
    if (rc != CM_AGAIN) {
        cm_respond_error(req, 503, "unavailable", NULL, "the refresh could not be started");
        ob_async_free(c);
    }
    return 0;
}

int ob_oauth_refresh_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "POST", "/oauth/refresh", on_force, b);
}
