/*
 * api.c - the dropbox service's Dropbox calls (dropbox.h): the RPC and content bases, the Dropbox-API-Arg header
 * encoding, and the error texts of Dropbox's answers. Every request is a POST through the runtime's provider helper
 * (the instance's token from the broker, one refresh and retry on a 401, Retry-After), with
 * MCP_PROVIDER_DELIVER_ERRORS so that a route error (409) can name the path argument it is about: the error hook sees
 * only the answer, so it marks where the path goes and the wrapper's callback, which knows the arguments, fills it in.
 */
#include "common/log.h"
#include "common/status.h"
#include "dropbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mcp_api_base_t rpc_base, content_base;

/* Markers the error hook writes where a path argument belongs (expanded by on_done). */
#define MARK_PATH '\x01'
#define MARK_FROM '\x02'
#define MARK_TO '\x03'

int dropbox_api_init(void)
{
    char err[160];
    int rc = mcp_api_base_init(&rpc_base, "DROPBOX_API_BASE", "https://api.dropboxapi.com/2", NULL, err, sizeof(err));
    if (rc == CM_OK) {
        const char *env = getenv("DROPBOX_CONTENT_BASE");
        const char *api = getenv("DROPBOX_API_BASE");
        /* one fake answers both kinds of routes: with only DROPBOX_API_BASE set, content goes there too */
        const char *name = env != NULL && *env != '\0'   ? "DROPBOX_CONTENT_BASE"
                           : api != NULL && *api != '\0' ? "DROPBOX_API_BASE"
                                                         : "DROPBOX_CONTENT_BASE";
        rc = mcp_api_base_init(&content_base, name, "https://content.dropboxapi.com/2", NULL, err, sizeof(err));
    }
    if (rc != CM_OK)
        cm_error("dropbox", "configuration: %s", err);
    return rc;
}

char *dbx_header_json(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
    if (s == NULL)
        return NULL;
    /* JSON_ENSURE_ASCII escapes everything above U+007F; DEL (0x7f) itself is left raw, Dropbox wants it escaped.
     * Hex digits in lower case, as Dropbox's SDKs write them. */
    size_t dels = 0, len = strlen(s);
    for (size_t i = 0; i < len; i++)
        dels += s[i] == 0x7f;
    char *out = malloc(len + 5 * dels + 1), *o = out;
    if (out == NULL) {
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == 0x7f) {
            memcpy(o, "\\u007f", 6);
            o += 6;
        } else if (s[i] == '\\' && i + 1 < len) { /* an escape: copy it whole, \uXXXX in lower case */
            *o++ = s[i++];
            int hex = s[i] == 'u' ? 4 : 0;
            *o++ = s[i];
            for (; hex > 0 && i + 1 < len; hex--) {
                char h = s[++i];
                *o++ = h >= 'A' && h <= 'F' ? (char)(h - 'A' + 'a') : h;
            }
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    free(s);
    return out;
}

const char *dbx_arg_str(json_t *args, const char *k)
{
    const char *s = json_string_value(json_object_get(args, k));
    return s != NULL && *s != '\0' ? s : NULL;
}

int dbx_path_arg_ok(mcp_call_t *c, json_t *args, const char *k)
{
    const char *p = json_string_value(json_object_get(args, k));
    for (; p != NULL && *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20) { /* DEL is left to Dropbox: it travels escaped (dbx_header_json) */
            mcp_call_fail(c, "Invalid argument '%s': a Dropbox path cannot contain control characters.", k);
            return 0;
        }
    }
    return 1;
}

static const char *tag_of(const json_t *u)
{
    return json_is_string(u) ? json_string_value(u) : json_string_value(json_object_get(u, ".tag"));
}

/* The text of a LookupError / WriteError / UploadWriteFailed tag about the path marked m. */
static void describe_path_error(const json_t *inner, char m, cm_buf_t *b)
{
    if (json_is_object(json_object_get(inner, "reason"))) /* files/upload: UploadWriteFailed {reason, session id} */
        inner = json_object_get(inner, "reason");
    const char *t = tag_of(inner);
    const char *sub = t ? tag_of(json_object_get(inner, t)) : NULL;
    if (t == NULL)
        cm_buf_printf(b, "the request failed for %c", m);
    else if (strcmp(t, "not_found") == 0)
        cm_buf_printf(b, "nothing exists at %c", m);
    else if (strcmp(t, "malformed_path") == 0)
        cm_buf_printf(b, "%c is not a valid Dropbox path (use /folder/name, id:..., or \"\" for the root)", m);
    else if (strcmp(t, "conflict") == 0)
        cm_buf_printf(b, "%s %c",
                      sub && strcmp(sub, "file_ancestor") == 0 ? "a parent folder is a file at"
                      : sub && strcmp(sub, "folder") == 0      ? "a folder already exists at"
                      : sub && strcmp(sub, "file") == 0        ? "a file already exists at"
                                                               : "something already exists at",
                      m);
    else if (strcmp(t, "insufficient_space") == 0)
        cm_buf_printf(b, "the Dropbox account has not enough free space for %c", m);
    else if (strcmp(t, "not_file") == 0)
        cm_buf_printf(b, "%c is a folder, not a file", m);
    else if (strcmp(t, "not_folder") == 0)
        cm_buf_printf(b, "%c is a file, not a folder", m);
    else if (strcmp(t, "no_write_permission") == 0)
        cm_buf_printf(b, "there is no permission to write at %c", m);
    else if (strcmp(t, "disallowed_name") == 0)
        cm_buf_printf(b, "Dropbox does not allow the name in %c", m);
    else if (strcmp(t, "too_many_write_operations") == 0)
        cm_buf_printf(b, "too many write operations at once in the namespace of %c; retry in a few seconds", m);
    else
        cm_buf_printf(b, "%c cannot be used here (%s)", m, t);
}

/* The text of a route error {error_summary, error}: DBX_TAG_* for the answers a tool handles itself. */
static void route_error_text(const json_t *body, char *buf, size_t n)
{
    const json_t *err = json_object_get(body, "error");
    const char *t = tag_of(err);
    const json_t *inner = t ? json_object_get(err, t) : NULL;
    cm_buf_t b = {0};
    if (t != NULL && strcmp(t, "shared_link_already_exists") == 0) {
        const char *url = json_string_value(json_object_get(json_object_get(inner, "metadata"), "url"));
        snprintf(buf, n, "%c%s", DBX_TAG_LINK_EXISTS, url && strlen(url) < n - 2 ? url : "");
        return;
    }
    if (t != NULL && strcmp(t, "lookup_failed") == 0) /* upload_session/finish wraps the session lookup error */
        t = tag_of(err = inner), inner = t ? json_object_get(err, t) : NULL;
    if (t != NULL && strcmp(t, "incorrect_offset") == 0 && json_is_integer(json_object_get(inner, "correct_offset"))) {
        snprintf(buf, n, "%c%lld", DBX_TAG_INCORRECT_OFFSET,
                 (long long)json_integer_value(json_object_get(inner, "correct_offset")));
        return;
    }
    cm_buf_appendz(&b, "Dropbox: ");
    char m = 0;
    if (t != NULL && (!strcmp(t, "path") || !strcmp(t, "path_lookup") || !strcmp(t, "path_write")))
        m = MARK_PATH;
    else if (t != NULL && (!strcmp(t, "from_lookup") || !strcmp(t, "from_write")))
        m = MARK_FROM;
    else if (t != NULL && !strcmp(t, "to"))
        m = MARK_TO;
    if (m != 0)
        describe_path_error(inner, m, &b);
    else if (t == NULL)
        cm_buf_appendz(&b, "the request was refused");
    else if (!strcmp(t, "reset"))
        cm_buf_appendz(&b, "the cursor is no longer valid; start again without it");
    else if (!strcmp(t, "not_found") || !strcmp(t, "closed"))
        cm_buf_printf(&b, "the upload session is %s (sessions last 7 days)",
                      strcmp(t, "closed") ? "unknown" : "closed");
    else if (!strcmp(t, "cant_move_folder_into_itself"))
        cm_buf_appendz(&b, "a folder cannot be moved or copied into itself");
    else if (!strcmp(t, "insufficient_quota"))
        cm_buf_appendz(&b, "the Dropbox account has not enough free space");
    else if (!strcmp(t, "too_many_files"))
        cm_buf_appendz(&b, "the folder holds too many files for one operation");
    else if (!strcmp(t, "settings_error"))
        cm_buf_appendz(&b, "the link settings are not allowed for this account");
    else
        cm_buf_printf(&b, "the request was refused (%s)", t);
    const char *summary = json_string_value(json_object_get(body, "error_summary"));
    if (summary != NULL)
        cm_buf_printf(&b, " (%.*s)", (int)mcp_utf8_prefix_chars(summary, strlen(summary), 200), summary);
    const char *um = json_string_value(json_object_get(json_object_get(body, "user_message"), "text"));
    if (um != NULL)
        cm_buf_printf(&b, ". Dropbox says: %.*s", (int)mcp_utf8_prefix_chars(um, strlen(um), 150), um);
    cm_buf_appendz(&b, ".");
    snprintf(buf, n, "%s", b.failed || b.data == NULL ? "Dropbox refused the request." : b.data);
    cm_buf_free(&b);
}

/* Appends a plain-text answer (400, 5xx) to generic: its first 150 characters (a cut never splits a UTF-8
 * sequence), control characters replaced. */
static void plain_text(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n)
{
    char said[600];
    size_t len = mcp_utf8_prefix_chars(res->body, res->body_len, 150), k = 0;
    for (size_t i = 0; i < len && k < sizeof(said) - 1; i++)
        said[k++] = (unsigned char)res->body[i] < 0x20 || res->body[i] == 0x7f ? ' ' : res->body[i];
    said[k] = '\0';
    if (k > 0)
        snprintf(buf, n, "%s Dropbox says: %s", generic, said);
}

static void error_text(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n)
{
    const json_t *err = json_object_get(res->json, "error");
    const char *t = tag_of(err);
    const char *summary = json_string_value(json_object_get(res->json, "error_summary"));
    if (res->status == 409 && json_is_object(res->json)) {
        route_error_text(res->json, buf, n);
    } else if (res->status == 401 && t != NULL && strcmp(t, "missing_scope") == 0) {
        const char *scope = json_string_value(json_object_get(json_object_get(err, "missing_scope"), "required_scope"));
        if (scope == NULL)
            scope = json_string_value(json_object_get(err, "required_scope"));
        snprintf(buf, n,
                 "Dropbox refused the request: this instance was not granted the permission (scope) %s "
                 "(missing_scope). Re-authorize this instance%s%s with that scope.",
                 scope ? scope : "it needs", res->authorize_url ? " at " : "",
                 res->authorize_url ? res->authorize_url : "");
    } else if (res->status == 403) {
        snprintf(buf, n,
                 "Dropbox denied access (403%s%s): the account type or its team's policy does not allow this request.",
                 t ? ", " : "", t ? t : "");
    } else if (res->status == 429) {
        const char *reason = tag_of(json_object_get(err, "reason"));
        long after = res->retry_after_s;
        if (after < 0 && json_is_integer(json_object_get(err, "retry_after")))
            after = (long)json_integer_value(json_object_get(err, "retry_after"));
        snprintf(buf, n, "Dropbox rate limit reached (429%s%s): %s; retry after %ld seconds.", reason ? ", " : "",
                 reason ? reason : "",
                 reason && !strcmp(reason, "too_many_write_operations")
                     ? "too many write operations at once in this Dropbox"
                     : "too many requests",
                 after >= 0 ? after : 1);
    } else if (res->json == NULL) {
        plain_text(res, generic, buf, n);
    } else if (summary != NULL) {
        snprintf(buf, n, "%s (Dropbox: %.*s)", generic, (int)mcp_utf8_prefix_chars(summary, strlen(summary), 200),
                 summary);
    }
}

struct wrap {
    mcp_provider_cb cb;
    void *arg;
    void (*arg_free)(void *);
    char *path, *from, *to;
    int route_errors;
};

static void wrap_free(struct wrap *w)
{
    free(w->path);
    free(w->from);
    free(w->to);
    free(w);
}

/* The error text with its path markers replaced by the arguments they stand for. */
static void fail_expanded(mcp_call_t *c, const struct wrap *w, const char *text)
{
    cm_buf_t b = {0};
    for (const char *p = text; *p != '\0'; p++) {
        const char *arg = *p == MARK_PATH ? "path" : *p == MARK_FROM ? "from_path" : *p == MARK_TO ? "to_path" : NULL;
        const char *val = *p == MARK_PATH ? w->path : *p == MARK_FROM ? w->from : w->to;
        if (arg == NULL)
            cm_buf_append(&b, p, 1);
        else if (val != NULL)
            cm_buf_printf(&b, "%s '%s'", arg, val);
        else
            cm_buf_printf(&b, "the given %s", arg);
    }
    mcp_call_fail(c, "%s", b.failed || b.data == NULL ? "Dropbox refused the request." : b.data);
    cm_buf_free(&b);
}

static void on_done(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    struct wrap *w = arg;
    if (res->error == NULL || (res->status == 409 && w->route_errors &&
                               (res->error[0] == DBX_TAG_LINK_EXISTS || res->error[0] == DBX_TAG_INCORRECT_OFFSET))) {
        w->cb(c, res, w->arg);
    } else {
        fail_expanded(c, w, res->error);
        if (w->arg_free != NULL)
            w->arg_free(w->arg);
    }
    wrap_free(w);
}

static char *dup_or_null(const char *s, int *failed)
{
    char *d = s ? strdup(s) : NULL;
    if (s != NULL && d == NULL)
        *failed = 1;
    return d;
}

void dbx_fetch(mcp_call_t *c, dbx_request_t *q, mcp_provider_cb cb, void *arg, void (*arg_free)(void *))
{
    struct wrap *w = calloc(1, sizeof(*w));
    char route[128], *argjson = NULL, *url = NULL;
    int failed = w == NULL;
    snprintf(route, sizeof(route), "/%s", q->route);
    if (w != NULL) {
        *w = (struct wrap){.cb = cb, .arg = arg, .arg_free = arg_free, .route_errors = q->route_errors_to_cb};
        w->path = dup_or_null(q->path, &failed);
        w->from = dup_or_null(q->from_path, &failed);
        w->to = dup_or_null(q->to_path, &failed);
    }
    if (q->arg != NULL)
        failed |= (argjson = q->content ? dbx_header_json(q->arg) : json_dumps(q->arg, JSON_COMPACT)) == NULL;
    failed |= (url = mcp_api_url(q->content ? &content_base : &rpc_base, route, NULL)) == NULL;
    json_decref(q->arg);
    q->arg = NULL;
    if (failed) {
        free(argjson);
        free(url);
        if (w != NULL)
            wrap_free(w);
        mcp_call_fail(c, "Could not build the Dropbox request (out of memory).");
        if (arg_free != NULL)
            arg_free(arg);
        return;
    }
    /* RPC: the argument is the JSON body; content: it is the Dropbox-API-Arg header and the body is the file's
     * bytes. A request without a JSON body must not carry curl's default form Content-Type ("" removes it). */
    cm_http_header_t h[2];
    size_t nh = 0;
    if (q->content && argjson != NULL)
        h[nh++] = (cm_http_header_t){"Dropbox-API-Arg", argjson};
    h[nh++] = (cm_http_header_t){"Content-Type", q->content ? (q->bytes ? "application/octet-stream" : "")
                                                 : argjson  ? "application/json"
                                                            : ""};
    mcp_provider_request_t req = {.provider = DROPBOX_PROVIDER,
                                  .method = "POST",
                                  .url = url,
                                  .headers = h,
                                  .n_headers = nh,
                                  .body = q->content ? q->bytes : argjson,
                                  .body_len = q->content ? q->n_bytes
                                              : argjson  ? strlen(argjson)
                                                         : 0,
                                  .timeout_ms = q->timeout_ms,
                                  .max_response = q->max_response,
                                  .too_large = q->too_large,
                                  .flags = MCP_PROVIDER_DELIVER_ERRORS,
                                  .error_text = error_text};
    mcp_provider_fetch(c, &req, on_done, w); /* copies the request */
    free(argjson);
    free(url);
}
