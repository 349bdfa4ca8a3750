/*
 * fake_upstream.c - `mcp-conformance --fake-upstream`: a stand-in provider API for the benchmark (and tests) that is
 * not itself the bottleneck: GET /items?q=... -> {"items":[{"id":1,"name":q}],"total":1}; GET /status/<code> -> that
 * status (Retry-After: 2 on 429). Requires Authorization: Bearer $UPSTREAM_TOKEN. Port: MCP_PORT (0 = ephemeral).
 */
#include "common/httpd.h"
#include "common/log.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

static const char *token;

static int authorized(h2o_req_t *req)
{
    h2o_iovec_t b = cm_req_bearer(req);
    if (b.base != NULL && b.len == strlen(token) && memcmp(b.base, token, b.len) == 0)
        return 1;
    cm_respond_error(req, 401, "invalid_token", NULL, "bad bearer");
    return 0;
}

static int on_items(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    if (!authorized(req))
        return 0;
    int bad = 0;
    char *q = cm_req_query(req, "q", &bad);
    cm_respond_json(req, 200, json_pack("{s:[{s:i, s:s}], s:i}", "items", "id", 1, "name", q ? q : "x", "total", 1));
    return 0;
}

static int on_status(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    if (!authorized(req))
        return 0;
    char *code = cm_match_str(req, m, 0);
    char *end = NULL;
    long status = strtol(code, &end, 10);
    if (end == code || *end != '\0' || status < 200 || status > 599) {
        cm_respond_error(req, 400, "bad_status", NULL, "status must be 200..599");
        return 0;
    }
    if (status == 429)
        cm_add_header(req, "retry-after", "2");
    cm_respond_error(req, (int)status, "status", NULL, "status %ld", status);
    return 0;
}

int fake_upstream_main(void)
{
    const char *p = getenv("MCP_PORT");
    char *end = NULL;
    long port = p ? strtol(p, &end, 10) : 0;
    int bound = 0;
    token = getenv("UPSTREAM_TOKEN") ? getenv("UPSTREAM_TOKEN") : "upstream-token";
    cm_server_options_t o = {.name = "fake-upstream"};
    cm_server_t *s = cm_server_new(&o);
    if (s == NULL || port < 0 || port > 65535)
        return 2;
    cm_server_route(s, "GET", "/items", on_items, NULL);
    cm_server_route(s, "GET", "/status/*", on_status, NULL);
    if (cm_server_listen(s, "127.0.0.1", (int)port, &bound) != CM_OK)
        return 2;
    cm_info("fake-upstream", "listening on 127.0.0.1:%d", bound);
    int rc = cm_server_run(s) == CM_OK ? 0 : 1;
    cm_server_free(s);
    return rc;
}
