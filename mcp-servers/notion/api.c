/*
 * api.c - the notion service's upstream calls (notion.h): the API base, URLs, requests with the pinned
 * Notion-Version through the runtime's provider helper (the instance's access token from the broker, one refresh on
 * a 401, Retry-After on a 429), and Notion's error bodies {"object":"error","status","code","message"} in the tool
 * errors.
 */
#include "common/log.h"
#include "common/status.h"
#include "notion.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_api_base_t base;

int notion_api_init(void)
{
    char err[160];
    int rc = mcp_api_base_init(&base, "NOTION_API_BASE", "https://api.notion.com", "/v1", err, sizeof(err));
    if (rc != CM_OK)
        cm_error("notion", "configuration: %s", err);
    return rc;
}

char *notion_url(const char *path, const char *const *query)
{
    return mcp_api_url(&base, path, query);
}

/* Notion's code and message after the runtime's text for the status; a 403 explained as a capability (Notion has no
 * scopes), with the instance's re-authorize URL when the broker gave one. */
static void error_text(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n)
{
    const char *code = json_string_value(json_object_get(res->json, "code"));
    const char *msg = json_string_value(json_object_get(res->json, "message"));
    char head[768];
    if (res->status == 403)
        snprintf(head, sizeof(head),
                 "Notion denied the request (403%s%s): the integration lacks the capability this action needs. Notion "
                 "has no OAuth scopes: an integration's capabilities (read content, update content, insert content) "
                 "are set in its settings, and it sees only the pages shared with it.%s%s%s",
                 code ? " " : "", code ? code : "",
                 res->authorize_url ? " After changing them, re-authorize this instance at " : "",
                 res->authorize_url ? res->authorize_url : "", res->authorize_url ? "." : "");
    else
        snprintf(head, sizeof(head), "%s", generic);
    snprintf(buf, n, "%s%s%s%s%s", head, code || msg ? " Notion says: " : "", code ? code : "", code && msg ? ": " : "",
             msg ? msg : "");
}

typedef struct nt_fetch {
    mcp_provider_cb cb;
    void *arg;
    void (*arg_free)(void *);
    char subject[96];
    char prefix[192];
    nt_error_fn on_error;
} nt_fetch_t;

static void on_answer(mcp_call_t *c, const mcp_provider_response_t *res, void *p)
{
    nt_fetch_t *f = p;
    char text[1536];
    if (res->error == NULL) {
        f->cb(c, res, f->arg);
        goto out_free;
    }
    if (res->status == 404 && f->subject[0] != '\0')
        snprintf(text, sizeof(text),
                 "%s%s Not found: %s. Notion answers 404 for what does not exist and for what is not shared with the "
                 "integration (share it from the page's Connections menu).",
                 f->prefix, res->error, f->subject);
    else
        snprintf(text, sizeof(text), "%s%s", f->prefix, res->error);
    if (f->on_error != NULL && f->on_error(c, text, f->arg))
        goto out_free; /* the tool answered with what it had */
    mcp_call_fail(c, "%s", text);
    if (f->arg_free != NULL)
        f->arg_free(f->arg);
out_free:
    free(f);
}

static void fetch_start(mcp_call_t *c, const char *method, char *url, json_t *body, const char *subject,
                        const char *prefix, nt_error_fn on_error, mcp_provider_cb cb, void *arg,
                        void (*arg_free)(void *));

void notion_fetch(mcp_call_t *c, const char *method, char *url, json_t *body, const char *subject, mcp_provider_cb cb,
                  void *arg, void (*arg_free)(void *))
{
    notion_fetch_ex(c, method, url, body, subject, NULL, cb, arg, arg_free);
}

void notion_fetch_partial(mcp_call_t *c, char *url, const char *subject, mcp_provider_cb cb, nt_error_fn on_error,
                          void *arg, void (*arg_free)(void *))
{
    fetch_start(c, "GET", url, NULL, subject, NULL, on_error, cb, arg, arg_free);
}

void notion_fetch_ex(mcp_call_t *c, const char *method, char *url, json_t *body, const char *subject,
                     const char *prefix, mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    fetch_start(c, method, url, body, subject, prefix, NULL, cb, arg, arg_free);
}

static void fetch_start(mcp_call_t *c, const char *method, char *url, json_t *body, const char *subject,
                        const char *prefix, nt_error_fn on_error, mcp_provider_cb cb, void *arg,
                        void (*arg_free)(void *))
{
    static const cm_http_header_t h[] = {{"Notion-Version", NT_NOTION_VERSION}};
    nt_fetch_t *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        free(url);
        json_decref(body);
        if (arg_free != NULL)
            arg_free(arg);
        mcp_call_fail(c, "out of memory");
        return;
    }
    *f = (nt_fetch_t){.cb = cb, .arg = arg, .arg_free = arg_free, .on_error = on_error};
    snprintf(f->subject, sizeof(f->subject), "%s", subject ? subject : "");
    snprintf(f->prefix, sizeof(f->prefix), "%s", prefix ? prefix : "");
    /* every outcome comes to on_answer, which names the subject of a 404 and frees f */
    mcp_provider_request_t req = {.provider = NOTION_PROVIDER,
                                  .method = method,
                                  .headers = h,
                                  .n_headers = 1,
                                  .timeout_ms = 30000,
                                  .flags = MCP_PROVIDER_DELIVER_ERRORS,
                                  .error_text = error_text};
    mcp_provider_fetch_json(c, &req, url, body, on_answer, f);
}

int nt_id_arg(mcp_call_t *c, json_t *args, const char *key, char out[NT_ID_LEN + 1])
{
    const char *s = json_string_value(json_object_get(args, key));
    char hex[33];
    size_t n = 0;
    int bad = s == NULL || strlen(s) > NT_ID_LEN;
    for (const char *p = bad ? "" : s; *p != '\0'; p++) {
        if (*p == '-')
            continue;
        if (!isxdigit((unsigned char)*p) || n == 32) {
            bad = 1;
            break;
        }
        hex[n++] = (char)tolower((unsigned char)*p);
    }
    if (bad || n != 32) {
        mcp_call_fail(c, "Invalid argument '%s': a Notion id (32 hexadecimal digits, hyphens allowed).", key);
        return -1;
    }
    snprintf(out, NT_ID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    return 0;
}

int nt_url_props(mcp_call_t *c, const char *path, json_t *args, char **url)
{
    json_t *ids = json_object_get(args, "filter_properties"), *v;
    const char *q[2 * NT_MAX_FILTER_PROPERTIES + 1] = {NULL};
    char *decoded[NT_MAX_FILTER_PROPERTIES] = {NULL};
    size_t i, n = 0;
    int rc = 0;
    json_array_foreach(ids, i, v)
    {
        if (n == NT_MAX_FILTER_PROPERTIES)
            break;
        /* Notion's property ids come percent-encoded ("st%3A"): decoded here, the URL builder encodes them again */
        decoded[n] = cm_url_unescape(json_string_value(v), json_string_length(v), 0, NULL);
        if (decoded[n] == NULL || strlen(decoded[n]) == 0) {
            mcp_call_fail(c, "Invalid argument 'filter_properties[%zu]': not a property id (see get_database).", i);
            rc = -1;
            goto out_free;
        }
        q[2 * n] = "filter_properties";
        q[2 * n + 1] = decoded[n];
        n++;
    }
    *url = notion_url(path, n > 0 ? q : NULL);
out_free:
    for (i = 0; i < n + (rc != 0); i++)
        free(decoded[i]);
    return rc;
}

int nt_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    return n > 0 && n <= NT_ID_LEN && strspn(id, "0123456789abcdefABCDEF-") == n;
}

const char *nt_str(json_t *args, const char *key)
{
    const char *s = json_string_value(json_object_get(args, key));
    return s && s[0] ? s : NULL;
}
