/*
 * http_guard.c - request checks of the MCP endpoint: Host/Origin (DNS rebinding), the CORS headers for an origin that
 * passed them, Accept, Content-Type, header value normalisation (OWS trimming, =?base64?...?= decoding), JSON-RPC
 * error responses.
 */
#include "protocol/jsonrpc.h"
#include "common/status.h"
#include "transport/server_internal.h"
#include "util/names.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int mcp__instance_id_valid(const char *s)
{
    return mcp__name_valid(s, 64, "-_");
}

static int is_loopback_name(const char *h, size_t n)
{
    return (n == 9 && strncasecmp(h, "localhost", 9) == 0) || (n == 9 && memcmp(h, "127.0.0.1", 9) == 0) ||
           (n == 5 && memcmp(h, "[::1]", 5) == 0);
}

/* Host part of "host[:port]" / "[v6]:port". */
static size_t host_len(const char *h, size_t n)
{
    if (n > 0 && h[0] == '[') {
        const char *end = memchr(h, ']', n);
        return end ? (size_t)(end - h) + 1 : n;
    }
    const char *colon = memchr(h, ':', n);
    return colon ? (size_t)(colon - h) : n;
}

static int in_list(char **list, const char *s, size_t n)
{
    for (size_t i = 0; list != NULL && list[i] != NULL; i++)
        if (strlen(list[i]) == n && strncasecmp(list[i], s, n) == 0)
            return 1;
    return 0;
}

int mcp__guard_host(mcp_server_t *s, h2o_req_t *req)
{
    if (s->any_host)
        return 1;
    h2o_iovec_t host = req->authority;
    if (host.len == 0)
        return 0;
    size_t n = host_len(host.base, host.len);
    return is_loopback_name(host.base, n) || in_list(s->allowed_hosts, host.base, n);
}

int mcp__guard_origin(mcp_server_t *s, h2o_req_t *req)
{
    h2o_iovec_t o = cm_req_header(req, "origin");
    if (o.base == NULL || s->any_origin)
        return 1;
    if (in_list(s->allowed_origins, o.base, o.len))
        return 1;
    /* http(s)://localhost|127.0.0.1|[::1][:port] are always fine for a local client */
    size_t skip = 0;
    if (o.len > 7 && strncasecmp(o.base, "http://", 7) == 0)
        skip = 7;
    else if (o.len > 8 && strncasecmp(o.base, "https://", 8) == 0)
        skip = 8;
    if (skip == 0)
        return 0;
    const char *h = o.base + skip;
    size_t rest = o.len - skip, n = host_len(h, rest);
    if (!is_loopback_name(h, n))
        return 0;
    for (size_t i = n; i < rest; i++) /* only ":digits" may follow */
        if (!(i == n ? h[i] == ':' : (h[i] >= '0' && h[i] <= '9')))
            return 0;
    return 1;
}

void mcp__cors_endpoint(h2o_req_t *req)
{
    h2o_iovec_t o = cm_req_header(req, "origin");
    if (o.base == NULL)
        return;
    cm_add_header(req, "access-control-allow-origin", h2o_strdup(&req->pool, o.base, o.len).base);
    cm_add_header(req, "vary", "Origin");
    cm_add_header(req, "access-control-expose-headers", "WWW-Authenticate, Mcp-Session-Id");
}

/* 1 when v is a plausible header name list (token characters, commas, spaces; bounded), safe to echo. */
static int header_list_ok(h2o_iovec_t v)
{
    if (v.base == NULL || v.len == 0 || v.len > 512)
        return 0;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.base[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == ',' || c == ' '))
            return 0;
    }
    return 1;
}

int mcp__cors_preflight(h2o_req_t *req)
{
    if (!cm_req_method_is(req, "OPTIONS") || cm_req_header(req, "origin").base == NULL ||
        cm_req_header(req, "access-control-request-method").base == NULL)
        return 0;
    /* the origin passed the guard: the headers it asks for are echoed (Mcp-Param-* names cannot be listed) */
    h2o_iovec_t asked = cm_req_header(req, "access-control-request-headers");
    cm_add_header(req, "access-control-allow-methods", "GET, POST, DELETE");
    cm_add_header(req, "access-control-allow-headers",
                  header_list_ok(asked) ? h2o_strdup(&req->pool, asked.base, asked.len).base
                                        : "Authorization, Content-Type, Accept, MCP-Protocol-Version, "
                                          "Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID");
    cm_add_header(req, "access-control-max-age", "600");
    cm_respond_empty(req, 204);
    return 1;
}

/* 1 when the Accept header admits each requested type (wildcards count). */
int mcp__accepts(h2o_req_t *req, int need_json, int need_sse)
{
    h2o_iovec_t a = cm_req_header(req, "accept");
    int json = 0, sse = 0;
    if (a.base == NULL)
        return 0;
    const char *p = a.base, *end = a.base + a.len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *item_end = comma ? comma : end;
        while (p < item_end && (*p == ' ' || *p == '\t'))
            p++;
        size_t ilen = p < item_end ? (size_t)(item_end - p) : 0;
        const char *semi = ilen ? memchr(p, ';', ilen) : NULL;
        const char *type_end = semi ? semi : item_end;
        while (type_end > p && (type_end[-1] == ' ' || type_end[-1] == '\t'))
            type_end--;
        size_t n = (size_t)(type_end - p);
        int q0 = semi && (memmem(semi, (size_t)(item_end - semi), "q=0", 3) != NULL) &&
                 !memmem(semi, (size_t)(item_end - semi), "q=0.", 4);
        if (!q0) {
            if ((n == 3 && memcmp(p, "*/*", 3) == 0)) {
                json = sse = 1;
            } else if (n == 16 && strncasecmp(p, "application/json", 16) == 0) {
                json = 1;
            } else if (n == 13 && strncasecmp(p, "application/*", 13) == 0) {
                json = 1;
            } else if (n == 17 && strncasecmp(p, "text/event-stream", 17) == 0) {
                sse = 1;
            } else if (n == 6 && strncasecmp(p, "text/*", 6) == 0) {
                sse = 1;
            }
        }
        p = comma ? comma + 1 : end;
    }
    return (!need_json || json) && (!need_sse || sse);
}

int mcp__is_json_content_type(h2o_req_t *req)
{
    h2o_iovec_t ct = cm_req_header(req, "content-type");
    if (ct.base == NULL || ct.len < 16 || strncasecmp(ct.base, "application/json", 16) != 0)
        return 0;
    return ct.len == 16 || ct.base[16] == ';' || ct.base[16] == ' ';
}

char *mcp__header_value(h2o_req_t *req, const char *lc_name, int *bad)
{
    *bad = 0;
    h2o_iovec_t v = cm_req_header(req, lc_name);
    if (v.base == NULL)
        return NULL;
    size_t b = 0, e = v.len;
    while (b < e && (v.base[b] == ' ' || v.base[b] == '\t'))
        b++;
    while (e > b && (v.base[e - 1] == ' ' || v.base[e - 1] == '\t'))
        e--;
    const char *s = v.base + b;
    size_t n = e - b;
    if (n >= 12 && strncasecmp(s, "=?base64?", 9) == 0 && memcmp(s + n - 2, "?=", 2) == 0) {
        const char *enc = s + 9;
        size_t elen = n - 11;
        if (elen % 4 != 0) {
            *bad = 1;
            return NULL;
        }
        unsigned char *out = h2o_mem_alloc_pool(&req->pool, elen / 4 * 3 + 1);
        int len = EVP_DecodeBlock(out, (const unsigned char *)enc, (int)elen);
        if (len < 0) {
            *bad = 1;
            return NULL;
        }
        if (elen >= 1 && enc[elen - 1] == '=')
            len--;
        if (elen >= 2 && enc[elen - 2] == '=')
            len--;
        out[len] = '\0';
        if (memchr(out, '\0', (size_t)len) != NULL) {
            *bad = 1;
            return NULL;
        }
        return (char *)out;
    }
    return h2o_strdup(&req->pool, s, n).base;
}

void mcp__respond_rpc_error(h2o_req_t *req, int status, json_t *id, int code, const char *message, json_t *data)
{
    cm_respond_json(req, status, mcp_jsonrpc_error(id, code, message, data));
}
