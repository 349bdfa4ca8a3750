/*
 * as_consent_page.c - the consent page (as_consent_page.h).
 */
#include "handlers/as_consent_page.h"

#include "as/authz_request.h"
#include "as/redirect.h"
#include "oauth/pages.h"

#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char style_css[] =
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2328}"
    "h1{font-size:1.4rem}.warn{background:#fff8c5;padding:.5rem .75rem;border-radius:6px}"
    ".err{color:#cf222e}ul{padding-left:1.2rem}code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}"
    "input[type=password]{width:100%;padding:.4rem;margin:.3rem 0 1rem}"
    "button{padding:.5rem 1.2rem;margin-right:.5rem;font-size:1rem}";

static void text(cm_buf_t *b, const char *s)
{
    ob_html_escape(b, s ? s : "");
}

/* The host part of an absolute URI (between "//" and the next '/', '?' or '#'), or the whole URI. */
static void host_of(cm_buf_t *b, const char *uri)
{
    const char *p = uri ? strstr(uri, "//") : NULL;
    if (p == NULL) {
        text(b, uri);
        return;
    }
    p += 2;
    size_t n = strcspn(p, "/?#");
    char *h = strndup(p, n);
    text(b, h);
    free(h);
}

static void scope_items(cm_buf_t *b, const char *scope)
{
    if (strstr(scope, "mcp:read") != NULL)
        cm_buf_appendz(b, "<li><code>mcp:read</code>: see the tools and use the ones that only read</li>");
    if (strstr(scope, "mcp:write") != NULL)
        cm_buf_appendz(b, "<li><code>mcp:write</code>: use every tool, including the ones that change data</li>");
}

static char *render(const ob_as_consent_view_t *v)
{
    cm_buf_t b = {0};
    const char *name = v->client_name && v->client_name[0] ? v->client_name : "An application";
    cm_buf_appendz(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                       "<meta name=\"referrer\" content=\"same-origin\"><title>Connect ");
    text(&b, name);
    cm_buf_printf(&b, "</title><style>%s</style></head><body><h1 id=\"ob-consent\">Connect <span id=\"ob-client\">",
                  style_css);
    text(&b, name);
    cm_buf_appendz(&b, "</span> to <span id=\"ob-service\">");
    text(&b, v->service_display);
    cm_buf_appendz(&b, "</span></h1>");
    if (v->client_host != NULL) {
        cm_buf_appendz(&b, "<p>The application is identified by its document at <strong id=\"ob-client-host\">");
        text(&b, v->client_host);
        cm_buf_appendz(&b, "</strong>.</p>");
    }
    cm_buf_appendz(&b, "<p>After your answer you go to <strong id=\"ob-redirect-host\">");
    host_of(&b, v->redirect_uri);
    cm_buf_appendz(&b, "</strong>.</p>");
    if (ob_as_redirect_is_loopback(v->redirect_uri))
        cm_buf_appendz(&b, "<p class=\"warn\" id=\"ob-loopback\">The access goes to a program running on this "
                           "computer. Allow it only if you started that program yourself just now.</p>");
    if (v->instance_label != NULL) {
        cm_buf_appendz(&b, "<p>Connection: <strong id=\"ob-instance\">");
        text(&b, v->instance_label);
        cm_buf_appendz(&b, "</strong></p>");
    }
    if (!v->allow_possible) {
        cm_buf_appendz(&b, "<p class=\"err\" id=\"ob-needs-instance\">This server needs a connection created by its "
                           "operator: ask them for the connection's own MCP URL and use that one instead.</p>");
    } else {
        cm_buf_appendz(&b, "<p>It asks for:</p><ul id=\"ob-scopes\">");
        scope_items(&b, v->scope ? v->scope : "");
        cm_buf_appendz(&b, "</ul>");
    }
    if (v->error != NULL) {
        cm_buf_appendz(&b, "<p class=\"err\" id=\"ob-error\">");
        text(&b, v->error);
        cm_buf_appendz(&b, "</p>");
    }
    cm_buf_appendz(&b,
                   "<form method=\"post\" action=\"/as/consent\"><input type=\"hidden\" name=\"request_id\" value=\"");
    text(&b, v->request_id);
    cm_buf_appendz(&b, "\">");
    if (v->allow_possible && v->instance_label != NULL)
        cm_buf_appendz(&b, "<label for=\"ob-key\">To prove the connection is yours, enter its MCP access key:</label>"
                           "<input type=\"password\" id=\"ob-key\" name=\"access_key\" autocomplete=\"off\">");
    else if (v->allow_possible) {
        cm_buf_appendz(&b, "<p>Allow signs you in with ");
        text(&b, v->provider_display);
        cm_buf_appendz(&b, " through the app of this server's operator.</p>");
    }
    if (v->allow_possible)
        cm_buf_appendz(&b, "<button type=\"submit\" name=\"action\" value=\"allow\" id=\"ob-allow\">Allow</button>");
    if (v->instance_label != NULL && v->provider_display != NULL) { /* the other proof: the bound account */
        cm_buf_appendz(&b, "<button type=\"submit\" name=\"action\" value=\"proof\" id=\"ob-proof\">Sign in with ");
        text(&b, v->provider_display);
        cm_buf_appendz(&b, " to prove it is yours</button>");
    }
    cm_buf_appendz(&b, "<button type=\"submit\" name=\"action\" value=\"deny\" id=\"ob-deny\">Deny</button></form>"
                       "</body></html>\n");
    return cm_buf_take(&b);
}

void ob_as_consent_send(h2o_req_t *req, int status, const ob_as_consent_view_t *v)
{
    char origin[300], csp[512];
    char *html = render(v);
    if (html == NULL) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    if (!ob_as_uri_origin(v->redirect_uri, origin, sizeof(origin)))
        origin[0] = '\0';
    /* Allow of a service URL and the sign-in proof answer a 303 to the provider: its origin is a form-action source */
    int up = v->upstream_origin != NULL && v->upstream_origin[0] != '\0' && strlen(v->upstream_origin) < 256 &&
             strpbrk(v->upstream_origin, " ;,'\"\r\n") == NULL;
    snprintf(csp, sizeof(csp),
             "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'%s%s%s%s; frame-ancestors 'none'",
             origin[0] ? " " : "", origin, up ? " " : "", up ? v->upstream_origin : "");
    cm_add_header(req, "content-security-policy", csp);
    cm_add_header(req, "cache-control", "no-store");
    cm_add_header(req, "x-content-type-options", "nosniff");
    cm_add_header(req, "x-frame-options", "DENY");
    /* same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the form, which the
     * consent's Origin check must refuse; same-origin still sends nothing to any other site */
    cm_add_header(req, "referrer-policy", "same-origin");
    cm_respond_html(req, status, html, strlen(html));
    free(html);
}
