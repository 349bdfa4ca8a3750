/*
 * tools_repos.c - github tools about the user and repositories: get_authenticated_user, list_repositories,
 * get_file_contents, search_code.
 */
#include "common/crypto.h"
#include "gh.h"
#include "tools.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *arg_str(json_t *args, const char *k)
{
    return json_string_value(json_object_get(args, k));
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* ---- get_authenticated_user ---- */

static void on_user(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    const json_t *u = res->json;
    if (!json_is_object(u) || jstr(u, "login") == NULL) {
        mcp_call_fail(c, "GitHub returned an unexpected answer (no user).");
        return;
    }
    json_t *out =
        json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:I, s:s?}", "login", jstr(u, "login"), "name", jstr(u, "name"),
                  "email", jstr(u, "email"), "company", jstr(u, "company"), "html_url", jstr(u, "html_url"),
                  "public_repos", json_integer_value(json_object_get(u, "public_repos")), "followers",
                  json_integer_value(json_object_get(u, "followers")), "created_at", jstr(u, "created_at"));
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Signed in to GitHub as %s%s%s%s (%s). %lld public repositories.\n", jstr(u, "login"),
                  jstr(u, "name") ? " (" : "", jstr(u, "name") ? jstr(u, "name") : "", jstr(u, "name") ? ")" : "",
                  jstr(u, "html_url") ? jstr(u, "html_url") : "",
                  (long long)json_integer_value(json_object_get(u, "public_repos")));
    mcp_tool_finish_buf(c, &b, out);
}

void gh_get_authenticated_user(mcp_call_t *c, json_t *args, void *data)
{
    (void)args;
    (void)data;
    gh_fetch(c, NULL, gh_url("/user", NULL), NULL, on_user, NULL);
}

/* ---- list_repositories ---- */

static void on_repos(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    if (!json_is_array(res->json)) {
        mcp_call_fail(c, "GitHub returned an unexpected answer (no repository list).");
        return;
    }
    long next = gh_next_page(res);
    json_t *repos = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *r;
    cm_buf_printf(&b, "%zu repositories\n", json_array_size(res->json));
    json_array_foreach(res->json, i, r)
    {
        const char *desc = jstr(r, "description");
        int priv = json_is_true(json_object_get(r, "private"));
        cm_buf_printf(&b, "- %s%s%s%s%s | %lld stars | updated %s\n", jstr(r, "full_name") ? jstr(r, "full_name") : "?",
                      priv ? " [private]" : "", json_is_true(json_object_get(r, "fork")) ? " [fork]" : "",
                      desc ? ": " : "", desc ? desc : "",
                      (long long)json_integer_value(json_object_get(r, "stargazers_count")),
                      jstr(r, "updated_at") ? jstr(r, "updated_at") : "?");
        json_array_append_new(repos,
                              json_pack("{s:s?, s:s?, s:b, s:b, s:s?, s:I, s:s?, s:s?, s:s?}", "full_name",
                                        jstr(r, "full_name"), "description", desc, "private", priv, "fork",
                                        json_is_true(json_object_get(r, "fork")), "language", jstr(r, "language"),
                                        "stars", json_integer_value(json_object_get(r, "stargazers_count")),
                                        "default_branch", jstr(r, "default_branch"), "updated_at",
                                        jstr(r, "updated_at"), "html_url", jstr(r, "html_url")));
    }
    json_t *out = json_pack("{s:o}", "repositories", repos);
    gh_finish_page(c, &b, out, next, (json_int_t)(uintptr_t)arg);
}

void gh_list_repositories(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char per[GH_NUM_LEN], page[GH_NUM_LEN];
    gh_page_args(args, per, page);
    const char *q[] = {"type",      arg_str(args, "type"),
                       "sort",      arg_str(args, "sort"),
                       "direction", arg_str(args, "direction"),
                       "per_page",  per,
                       "page",      page,
                       NULL};
    gh_fetch(c, NULL, gh_url("/user/repos", q), NULL, on_repos, NULL);
}

/* ---- get_file_contents ---- */

/* 1 when the bytes are valid UTF-8 text without NUL. */
static int is_text(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char ch = s[i];
        size_t n = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : (ch & 0xF8) == 0xF0 ? 4 : 0;
        if (ch == 0 || n == 0 || i + n > len)
            return 0;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += n;
    }
    return 1;
}

static void on_dir(mcp_call_t *c, const json_t *list)
{
    json_t *entries = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *e;
    cm_buf_printf(&b, "Directory with %zu entries:\n", json_array_size(list));
    json_array_foreach(list, i, e)
    {
        const char *type = jstr(e, "type");
        cm_buf_printf(&b, "- %s%s", jstr(e, "path") ? jstr(e, "path") : "?", type && !strcmp(type, "dir") ? "/" : "");
        if (type && !strcmp(type, "file"))
            cm_buf_printf(&b, " (%lld bytes)", (long long)json_integer_value(json_object_get(e, "size")));
        cm_buf_appendz(&b, "\n");
        json_array_append_new(entries,
                              json_pack("{s:s?, s:s?, s:s?, s:I}", "name", jstr(e, "name"), "path", jstr(e, "path"),
                                        "type", type, "size", json_integer_value(json_object_get(e, "size"))));
    }
    mcp_tool_finish_buf(c, &b, json_pack("{s:s, s:o}", "type", "dir", "entries", entries));
}

static void on_contents(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    size_t max_chars = (size_t)(uintptr_t)arg;
    const json_t *f = res->json;
    if (json_is_array(f)) {
        on_dir(c, f);
        return;
    }
    const char *type = jstr(f, "type"), *path = jstr(f, "path") ? jstr(f, "path") : "?";
    json_int_t size = json_integer_value(json_object_get(f, "size"));
    if (type == NULL || strcmp(type, "file") != 0) {
        cm_buf_t b = {0};
        cm_buf_printf(&b, "%s is a %s, not a file%s%s.\n", path, type ? type : "?",
                      jstr(f, "target") ? " pointing to " : "", jstr(f, "target") ? jstr(f, "target") : "");
        mcp_tool_finish_buf(
            c, &b,
            json_pack("{s:s, s:s, s:s?}", "type", type ? type : "unknown", "path", path, "target", jstr(f, "target")));
        return;
    }
    const char *enc = jstr(f, "encoding"), *content = jstr(f, "content");
    if (enc == NULL || strcmp(enc, "base64") != 0 || content == NULL || (*content == '\0' && size > 0)) {
        /* files over 1 MB come without content (encoding "none") */
        mcp_call_fail(c, "%s is too large for the contents API (%lld bytes); download it from %s.", path,
                      (long long)size, jstr(f, "download_url") ? jstr(f, "download_url") : "the repository");
        return;
    }
    cm_buf_t clean = {0};
    for (const char *p = content; *p; p++)
        if (*p != '\n' && *p != '\r' && *p != ' ')
            cm_buf_append(&clean, p, 1);
    char *b64 = cm_buf_take(&clean);
    size_t len = 0;
    uint8_t *raw = b64 ? cm_b64_decode(b64, strlen(b64), &len) : NULL;
    free(b64);
    if (raw == NULL && size > 0) {
        mcp_call_fail(c, "GitHub returned content for %s that is not valid base64.", path);
        return;
    }
    cm_buf_t b = {0};
    json_t *out = json_pack("{s:s, s:s, s:I, s:s?, s:s?}", "type", "file", "path", path, "size", size, "sha",
                            jstr(f, "sha"), "html_url", jstr(f, "html_url"));
    if (raw != NULL && !is_text(raw, len)) {
        cm_buf_printf(&b, "%s is a binary file (%zu bytes); its content is not shown.\n", path, len);
        json_object_set_new(out, "binary", json_true());
    } else {
        size_t cut = raw ? mcp_utf8_prefix_chars((const char *)raw, len, max_chars) : 0;
        json_object_set_new(out, "content", json_stringn(raw ? (char *)raw : "", cut));
        json_object_set_new(out, "truncated", json_boolean(cut < len));
        cm_buf_printf(&b, "%s (%zu bytes)%s:\n", path, len, cut < len ? ", truncated: raise max_chars for more" : "");
        cm_buf_append(&b, raw ? (char *)raw : "", cut);
    }
    free(raw);
    mcp_tool_finish_buf(c, &b, out);
}

void gh_get_file_contents(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    const char *path = arg_str(args, "path");
    cm_buf_t pb = {0};
    cm_buf_appendz(&pb, "/contents");
    for (const char *p = path; p && *p;) { /* escape each segment, keep the slashes */
        size_t len = strcspn(p, "/");
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
            cm_buf_free(&pb);
            mcp_call_fail(c, "Invalid argument 'path': '.' and '..' segments are not allowed.");
            return;
        }
        if (len > 0) {
            char *e = cm_url_escape(p, len);
            cm_buf_printf(&pb, "/%s", e ? e : "");
            free(e);
        }
        p += len + (p[len] == '/');
    }
    char *suffix = cm_buf_take(&pb);
    char rpath[4096];
    if (suffix == NULL || gh_repo_path(c, arg_str(args, "repo"), suffix, rpath, sizeof(rpath)) != 0) {
        if (suffix == NULL)
            mcp_call_fail(c, "out of memory");
        free(suffix);
        return;
    }
    free(suffix);
    const char *ref = arg_str(args, "ref");
    const char *q[] = {"ref", ref && *ref ? ref : NULL, NULL};
    gh_fetch(c, NULL, gh_url(rpath, q), NULL, on_contents,
             (void *)(uintptr_t)json_integer_value(json_object_get(args, "max_chars")));
}

/* ---- search_code ---- */

static void on_code(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    const json_t *items = json_object_get(res->json, "items");
    if (!json_is_array(items)) {
        mcp_call_fail(c, "GitHub returned an unexpected answer (no search results).");
        return;
    }
    long next = gh_next_page(res);
    json_int_t total = json_integer_value(json_object_get(res->json, "total_count"));
    json_t *hits = json_array();
    cm_buf_t b = {0};
    size_t i;
    const json_t *it;
    cm_buf_printf(&b, "%lld results%s; showing %zu\n", (long long)total,
                  json_is_true(json_object_get(res->json, "incomplete_results")) ? " (incomplete: search timed out)"
                                                                                 : "",
                  json_array_size(items));
    json_array_foreach(items, i, it)
    {
        const char *repo = jstr(json_object_get(it, "repository"), "full_name");
        cm_buf_printf(&b, "- %s: %s\n", repo ? repo : "?", jstr(it, "path") ? jstr(it, "path") : "?");
        json_array_append_new(hits, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "repository", repo, "path",
                                              jstr(it, "path"), "name", jstr(it, "name"), "sha", jstr(it, "sha"),
                                              "html_url", jstr(it, "html_url")));
    }
    json_t *out = json_pack("{s:I, s:b, s:o}", "total_count", total, "incomplete_results",
                            json_is_true(json_object_get(res->json, "incomplete_results")), "items", hits);
    gh_finish_page(c, &b, out, next, (json_int_t)(uintptr_t)arg);
}

void gh_search_code(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    json_int_t per_page = json_integer_value(json_object_get(args, "per_page"));
    json_int_t pg = json_integer_value(json_object_get(args, "page"));
    if (per_page > 0 && (pg - 1) * per_page >= GH_SEARCH_MAX_RESULTS) { /* GitHub answers 422 */
        mcp_call_fail(c,
                      "Invalid argument 'page': GitHub search returns only the first %d results; with per_page %lld "
                      "the last page is %lld. Narrow the query instead.",
                      GH_SEARCH_MAX_RESULTS, (long long)per_page,
                      (long long)((GH_SEARCH_MAX_RESULTS + per_page - 1) / per_page));
        return;
    }
    char per[GH_NUM_LEN], page[GH_NUM_LEN];
    gh_page_args(args, per, page);
    const char *q[] = {"q", arg_str(args, "q"), "per_page", per, "page", page, NULL};
    gh_fetch(c, NULL, gh_url("/search/code", q), NULL, on_code, (void *)(uintptr_t)per_page);
}
