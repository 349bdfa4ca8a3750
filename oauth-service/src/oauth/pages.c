/*
 * pages.c - success and error pages of the browser flow (see pages.h).
 */
#include "oauth/pages.h"

#include "common/crypto.h"
#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ob_html_escape(cm_buf_t *b, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '&':
            cm_buf_appendz(b, "&amp;");
            break;
        case '<':
            cm_buf_appendz(b, "&lt;");
            break;
        case '>':
            cm_buf_appendz(b, "&gt;");
            break;
        case '"':
            cm_buf_appendz(b, "&quot;");
            break;
        case '\'':
            cm_buf_appendz(b, "&#39;");
            break;
        default:
            cm_buf_append(b, s, 1);
        }
    }
    return b->failed ? CM_ENOMEM : CM_OK;
}

/* Appends JSON text with <, > and & escaped, safe inside a <script> element. */
static void append_script_json(cm_buf_t *b, const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL) {
        cm_buf_appendz(b, "null");
        return;
    }
    for (const char *s = text; *s; s++) {
        if (*s == '<')
            cm_buf_appendz(b, "\\u003c");
        else if (*s == '>')
            cm_buf_appendz(b, "\\u003e");
        else if (*s == '&')
            cm_buf_appendz(b, "\\u0026");
        else
            cm_buf_append(b, s, 1);
    }
    free(text);
}

static const char script_js[] =
    "(function(){var d=JSON.parse(document.getElementById('ob-data').textContent);"
    "if(!d.popup||!window.opener)return;"
    "d.origins.forEach(function(o){try{window.opener.postMessage(d.message,o);}catch(e){}});"
    "setTimeout(function(){window.close();},300);})();";

static const char style_css[] = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;"
                                "color:#1f2328}h1{font-size:1.4rem}.ok{color:#1a7f37}.err{color:#cf222e}"
                                "code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}";

char *ob_page_render(const ob_page_t *p, const json_t *origins, char *csp, size_t cspsz)
{
    cm_buf_t b = {0};
    char *nonce = cm_random_token(18);
    if (nonce == NULL)
        return NULL;
    snprintf(csp, cspsz,
             "default-src 'none'; script-src 'nonce-%s'; style-src 'nonce-%s'; img-src 'none'; base-uri 'none'; "
             "form-action 'none'; frame-ancestors 'none'",
             nonce, nonce);
    json_t *msg = json_object();
    json_object_set_new(msg, "type", json_string(p->success ? "oauth_success" : "oauth_error"));
    if (p->instance_id != NULL)
        json_object_set_new(msg, "instance_id", json_string(p->instance_id));
    if (p->service != NULL)
        json_object_set_new(msg, "service", json_string(p->service));
    if (!p->success && p->code != NULL)
        json_object_set_new(msg, "error", json_string(p->code));
    json_t *orig = origins ? json_incref((json_t *)origins) : json_array();
    json_t *data = json_pack("{s:b, s:o, s:o}", "popup", p->popup, "message", msg, "origins", orig);

    cm_buf_appendz(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                       "<meta name=\"referrer\" content=\"no-referrer\"><title>");
    ob_html_escape(&b, p->title);
    cm_buf_printf(&b, "</title><style nonce=\"%s\">%s</style></head><body>", nonce, style_css);
    cm_buf_printf(&b, "<h1 class=\"%s\" id=\"ob-result\" data-result=\"%s\">", p->success ? "ok" : "err",
                  p->success ? "success" : "error");
    ob_html_escape(&b, p->title);
    cm_buf_appendz(&b, "</h1><p id=\"ob-message\">");
    ob_html_escape(&b, p->message);
    cm_buf_appendz(&b, "</p>");
    if (!p->success && p->code != NULL) {
        cm_buf_appendz(&b, "<p>Error code: <code id=\"ob-code\">");
        ob_html_escape(&b, p->code);
        cm_buf_appendz(&b, "</code></p>");
        /* an error page also says what to do next: the reader may not be the one who can fix it */
        cm_buf_appendz(&b, "<p id=\"ob-next\">To try again, start the connection again from your application. "
                           "If it fails again, give the administrator the error code above.</p>");
    }
    cm_buf_appendz(&b, p->popup ? "<p>This window closes by itself.</p>" : "<p>You can close this window.</p>");
    cm_buf_appendz(&b, "<script type=\"application/json\" id=\"ob-data\">");
    append_script_json(&b, data);
    cm_buf_printf(&b, "</script><script nonce=\"%s\">%s</script></body></html>\n", nonce, script_js);
    json_decref(data);
    cm_secure_free(nonce, 0);
    return cm_buf_take(&b);
}

void ob_page_send(h2o_req_t *req, const ob_page_t *p, const json_t *origins)
{
    char csp[512];
    char *html = ob_page_render(p, origins, csp, sizeof(csp));
    if (html == NULL) {
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
        return;
    }
    cm_add_header(req, "content-security-policy", csp);
    cm_add_header(req, "x-content-type-options", "nosniff");
    cm_add_header(req, "referrer-policy", "no-referrer");
    cm_respond_html(req, p->status, html, strlen(html));
    free(html);
}
