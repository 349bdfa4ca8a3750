/*
 * tools_issues.c - github tools on issues and pull requests: list_issues (pull requests appear in the issues API:
 * marked, and left out unless asked for), get_issue, create_issue, comment_on_issue, list_pull_requests.
 */
#include "gh.h"
#include "tools.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX_CHARS 20000

static const char *arg_str(json_t *args, const char *k)
{
    return json_string_value(json_object_get(args, k));
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ["name", ...] of GitHub objects (labels by "name", users by "login"). */
static json_t *names(const json_t *arr, const char *key)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_is_string(v) ? json_string_value(v) : jstr(v, key);
        if (s)
            json_array_append_new(out, json_string(s));
    }
    return out;
}

static void append_list(cm_buf_t *b, const char *label, const json_t *list)
{
    if (json_array_size(list) == 0)
        return;
    cm_buf_printf(b, " %s: ", label);
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) cm_buf_printf(b, "%s%s", i ? ", " : "", json_string_value(v));
    cm_buf_appendz(b, ";");
}

/* Structured summary of an issue or pull request. */
static json_t *issue_summary(const json_t *it)
{
    json_t *s = json_pack("{s:I, s:s?, s:s?, s:s?, s:o, s:o, s:I, s:s?, s:s?, s:s?, s:b}", "number",
                          json_integer_value(json_object_get(it, "number")), "title", jstr(it, "title"), "state",
                          jstr(it, "state"), "author", jstr(json_object_get(it, "user"), "login"), "labels",
                          names(json_object_get(it, "labels"), "name"), "assignees",
                          names(json_object_get(it, "assignees"), "login"), "comments",
                          json_integer_value(json_object_get(it, "comments")), "created_at", jstr(it, "created_at"),
                          "updated_at", jstr(it, "updated_at"), "html_url", jstr(it, "html_url"), "is_pull_request",
                          json_object_get(it, "pull_request") != NULL || json_object_get(it, "head") != NULL);
    if (json_is_true(json_object_get(it, "draft")))
        json_object_set_new(s, "draft", json_true());
    const char *head = jstr(json_object_get(it, "head"), "ref"), *base = jstr(json_object_get(it, "base"), "ref");
    if (head && base)
        json_object_set_new(s, "branches", json_sprintf("%s -> %s", head, base));
    return s;
}

static void append_line(cm_buf_t *b, const json_t *s)
{
    cm_buf_printf(b, "#%lld [%s%s]%s %s (by %s, %lld comments, updated %s);",
                  (long long)json_integer_value(json_object_get(s, "number")),
                  jstr(s, "state") ? jstr(s, "state") : "?", json_is_true(json_object_get(s, "draft")) ? ", draft" : "",
                  json_is_true(json_object_get(s, "is_pull_request")) ? " [PR]" : "",
                  jstr(s, "title") ? jstr(s, "title") : "", jstr(s, "author") ? jstr(s, "author") : "?",
                  (long long)json_integer_value(json_object_get(s, "comments")),
                  jstr(s, "updated_at") ? jstr(s, "updated_at") : "?");
    append_list(b, "labels", json_object_get(s, "labels"));
    if (jstr(s, "branches"))
        cm_buf_printf(b, " %s;", jstr(s, "branches"));
    cm_buf_appendz(b, "\n");
}

/* ---- list_issues / list_pull_requests ---- */

#define LIST_PRS 1u /* the list is /pulls */
#define KEEP_PRS 2u /* include pull requests found in /issues */

static void on_list(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    unsigned flags = (unsigned)(uintptr_t)arg;
    if (!json_is_array(res->json)) {
        mcp_call_fail(c, "GitHub returned an unexpected answer (no list).");
        return;
    }
    long next = gh_next_page(res);
    json_t *items = json_array();
    size_t i, omitted = 0;
    const json_t *it;
    cm_buf_t b = {0};
    json_array_foreach(res->json, i, it)
    {
        if (!(flags & (LIST_PRS | KEEP_PRS)) && json_object_get(it, "pull_request") != NULL) {
            omitted++;
            continue;
        }
        json_t *s = issue_summary(it);
        append_line(&b, s);
        json_array_append_new(items, s);
    }
    const char *what = flags & LIST_PRS ? "pull requests" : "issues";
    char head[160];
    snprintf(head, sizeof(head), "%zu %s%s\n", json_array_size(items), what, json_array_size(items) ? ":" : "");
    cm_buf_t t = {0};
    cm_buf_appendz(&t, head);
    if (b.len)
        cm_buf_append(&t, b.data, b.len);
    cm_buf_free(&b);
    if (omitted)
        cm_buf_printf(&t,
                      "(%zu pull requests on this page left out; set include_pull_requests or use "
                      "list_pull_requests.)\n",
                      omitted);
    json_t *out = json_pack("{s:o}", flags & LIST_PRS ? "pull_requests" : "issues", items);
    if (!(flags & LIST_PRS))
        json_object_set_new(out, "pull_requests_omitted", json_integer((json_int_t)omitted));
    gh_finish_page(c, &t, out, next, 0);
}

void gh_list_issues(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[512], per[GH_NUM_LEN], page[GH_NUM_LEN];
    if (gh_repo_path(c, arg_str(args, "repo"), "/issues", path, sizeof(path)) != 0)
        return;
    gh_page_args(args, per, page);
    cm_buf_t lb = {0}; /* labels: comma-separated list */
    size_t i;
    const json_t *l;
    json_array_foreach(json_object_get(args, "labels"), i, l)
        cm_buf_printf(&lb, "%s%s", i ? "," : "", json_string_value(l));
    char *labels = lb.len ? cm_buf_take(&lb) : NULL;
    cm_buf_free(&lb);
    const char *q[] = {"state",     arg_str(args, "state"),     "labels",   labels, "sort", arg_str(args, "sort"),
                       "direction", arg_str(args, "direction"), "per_page", per,    "page", page,
                       NULL};
    unsigned flags = json_is_true(json_object_get(args, "include_pull_requests")) ? KEEP_PRS : 0;
    gh_fetch(c, NULL, gh_url(path, q), NULL, on_list, (void *)(uintptr_t)flags);
    free(labels);
}

void gh_list_pull_requests(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[512], per[GH_NUM_LEN], page[GH_NUM_LEN];
    if (gh_repo_path(c, arg_str(args, "repo"), "/pulls", path, sizeof(path)) != 0)
        return;
    gh_page_args(args, per, page);
    const char *q[] = {"state",     arg_str(args, "state"),
                       "base",      arg_str(args, "base"),
                       "sort",      arg_str(args, "sort"),
                       "direction", arg_str(args, "direction"),
                       "per_page",  per,
                       "page",      page,
                       NULL};
    gh_fetch(c, NULL, gh_url(path, q), NULL, on_list, (void *)(uintptr_t)LIST_PRS);
}

/* ---- get_issue ---- */

static void on_issue(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const json_t *it = res->json;
    if (!json_is_object(it) || !json_is_integer(json_object_get(it, "number"))) {
        mcp_call_fail(c, "GitHub returned an unexpected answer (no issue).");
        return;
    }
    json_t *s = issue_summary(it);
    const char *body = jstr(it, "body");
    size_t len = body ? strlen(body) : 0, chars = 0, cut = len;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)body[i] & 0xC0) != 0x80 && chars++ == BODY_MAX_CHARS) {
            cut = i;
            break;
        }
    json_object_set_new(s, "body", json_stringn(body ? body : "", cut));
    json_object_set_new(s, "body_truncated", json_boolean(cut < len));
    cm_buf_t b = {0};
    append_line(&b, s);
    append_list(&b, "assignees", json_object_get(s, "assignees"));
    cm_buf_printf(&b, "%s\n\n", jstr(s, "html_url") ? jstr(s, "html_url") : "");
    cm_buf_append(&b, body ? body : "(no description)", body ? cut : strlen("(no description)"));
    cm_buf_appendz(&b, cut < len ? "\n[description truncated]\n" : "\n");
    mcp_tool_finish_buf(c, &b, s);
}

static int issue_path(mcp_call_t *c, json_t *args, const char *suffix, char *path, size_t n)
{
    char sfx[96];
    snprintf(sfx, sizeof(sfx), "/issues/%lld%s", (long long)json_integer_value(json_object_get(args, "number")),
             suffix);
    return gh_repo_path(c, arg_str(args, "repo"), sfx, path, n);
}

void gh_get_issue(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[512];
    if (issue_path(c, args, "", path, sizeof(path)) == 0)
        gh_fetch(c, NULL, gh_url(path, NULL), NULL, on_issue, NULL);
}

/* ---- create_issue / comment_on_issue ---- */

static void on_created(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_int_t num = json_integer_value(json_object_get(res->json, "number"));
    const char *url = jstr(res->json, "html_url");
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Created issue #%lld: %s\n", (long long)num, url ? url : "");
    mcp_tool_finish_buf(c, &b, json_pack("{s:I, s:s?}", "number", num, "html_url", url));
}

void gh_create_issue(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[512];
    if (gh_repo_path(c, arg_str(args, "repo"), "/issues", path, sizeof(path)) != 0)
        return;
    json_t *body = json_pack("{s:s}", "title", arg_str(args, "title"));
    const char *keys[] = {"body", "labels", "assignees"};
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(args, keys[i]) != NULL)
            json_object_set(body, keys[i], json_object_get(args, keys[i]));
    gh_fetch(c, "POST", gh_url(path, NULL), body, on_created, NULL);
}

static void on_commented(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const char *url = jstr(res->json, "html_url");
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Comment added: %s\n", url ? url : "");
    mcp_tool_finish_buf(
        c, &b, json_pack("{s:I, s:s?}", "id", json_integer_value(json_object_get(res->json, "id")), "html_url", url));
}

void gh_comment_on_issue(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char path[512];
    if (issue_path(c, args, "/comments", path, sizeof(path)) == 0)
        gh_fetch(c, "POST", gh_url(path, NULL), json_pack("{s:s}", "body", arg_str(args, "body")), on_commented, NULL);
}
