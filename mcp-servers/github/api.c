/*
 * api.c - the github service's upstream calls: GitHub REST helpers (see gh.h).
 */
#include "gh.h"
#include "common/log.h"
#include "common/status.h"
#include "mcp/provider_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static mcp_api_base_t base;

int gh_init(void)
{
    char err[160];
    if (mcp_api_base_init(&base, "GITHUB_API_BASE", "https://api.github.com", NULL, err, sizeof(err)) != CM_OK) {
        cm_error("github", "configuration: %s", err);
        return CM_EINVAL;
    }
    return CM_OK;
}

const char *gh_base(void)
{
    return mcp_api_base_url(&base);
}

char *gh_url(const char *path, const char *const *query)
{
    return mcp_api_url(&base, path, query);
}

static int name_ok(const char *s, size_t len, int owner)
{
    if (len == 0 || len > 100 || (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 (!owner && (ch == '.' || ch == '_'));
        if (!ok)
            return 0;
    }
    return 1;
}

int gh_repo_path(mcp_call_t *c, const char *repo, const char *suffix, char *buf, size_t n)
{
    const char *slash = repo ? strchr(repo, '/') : NULL;
    if (slash == NULL || !name_ok(repo, (size_t)(slash - repo), 1) || !name_ok(slash + 1, strlen(slash + 1), 0)) {
        mcp_call_fail(c, "Invalid argument 'repo': expected \"owner/name\", e.g. \"octocat/Hello-World\".");
        return -1;
    }
    if ((size_t)snprintf(buf, n, "/repos/%s%s", repo, suffix) >= n) {
        mcp_call_fail(c, "Invalid arguments: the request path is too long.");
        return -1;
    }
    return 0;
}

void gh_fetch(mcp_call_t *c, const char *method, char *url, json_t *body, mcp_provider_cb cb, void *arg)
{
    static const cm_http_header_t h[] = {{"Accept", "application/vnd.github+json"},
                                         {"X-GitHub-Api-Version", "2022-11-28"}};
    mcp_provider_request_t req = {
        .provider = GH_PROVIDER, .method = method, .headers = h, .n_headers = 2, .error_text = gh_error_text};
    mcp_provider_fetch_json(c, &req, url, body, cb, arg);
}

long gh_next_page(const mcp_provider_response_t *res)
{
    char *next = mcp_link_find(mcp_header_get(res->headers, res->n_headers, "link"), "next");
    char *page = next ? mcp_url_query_get(next, "page") : NULL;
    char *end = NULL;
    long p = page ? strtol(page, &end, 10) : 0;
    if (page == NULL || end == page || *end != '\0' || p < 1)
        p = 0;
    free(page);
    free(next);
    return p;
}

void gh_page_args(json_t *args, char per_page[GH_NUM_LEN], char page[GH_NUM_LEN])
{
    snprintf(per_page, GH_NUM_LEN, "%lld", (long long)json_integer_value(json_object_get(args, "per_page")));
    snprintf(page, GH_NUM_LEN, "%lld", (long long)json_integer_value(json_object_get(args, "page")));
}

void gh_finish_page(mcp_call_t *c, cm_buf_t *b, json_t *out, long next, json_int_t search_per_page)
{
    if (next > 0 && search_per_page > 0 && (next - 1) * search_per_page >= GH_SEARCH_MAX_RESULTS)
        next = 0; /* beyond what GitHub search serves */
    if (next > 0) {
        cm_buf_printf(b, "More: call again with page=%ld.\n", next);
        json_object_set_new(out, "next_page", json_integer(next));
    }
    mcp_tool_finish_buf(c, b, out);
}

/* The next item of a comma list at *p (spaces around it trimmed; may be empty): its start, its length in *len, and
 * *p moved past it. NULL at the end of the list. */
static const char *list_next(const char **p, size_t *len)
{
    const char *s = *p;
    if (s == NULL)
        return NULL;
    while (*s == ' ' || *s == ',')
        s++;
    if (*s == '\0')
        return NULL;
    size_t n = strcspn(s, ",");
    *p = s + n;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    *len = n;
    return s;
}

/* 1 when the comma list has item (trimmed, case-sensitive). */
static int list_has(const char *list, const char *item, size_t ilen)
{
    const char *s;
    size_t len;
    while ((s = list_next(&list, &len)) != NULL)
        if (len == ilen && len > 0 && strncmp(s, item, ilen) == 0)
            return 1;
    return 0;
}

void gh_missing_scopes(const char *accepted, const char *granted, char *buf, size_t n)
{
    cm_buf_t b = {0};
    const char *s;
    size_t len;
    int any_granted = 0;
    while ((s = list_next(&accepted, &len)) != NULL) {
        if (len == 0)
            continue;
        if (list_has(granted, s, len))
            any_granted = 1;
        else
            cm_buf_printf(&b, "%s%.*s", b.len ? ", " : "", (int)len, s);
    }
    char *missing = cm_buf_take(&b);
    snprintf(buf, n, "%s", any_granted || missing == NULL ? "" : missing);
    free(missing);
}

void gh_error_text_at(const mcp_provider_response_t *res, const char *generic, time_t now, char *buf, size_t n)
{
    const char *msg = json_string_value(json_object_get(res->json, "message"));
    const char *remaining = mcp_header_get(res->headers, res->n_headers, "x-ratelimit-remaining");
    const char *reset = mcp_header_get(res->headers, res->n_headers, "x-ratelimit-reset");
    char gh[400] = "";
    if (msg != NULL)
        snprintf(gh, sizeof(gh), " GitHub says: %s", msg);
    if ((res->status == 403 || res->status == 429) && remaining != NULL && strcmp(remaining, "0") == 0) {
        char *end = NULL;
        long long r = reset ? strtoll(reset, &end, 10) : 0;
        if (reset != NULL && end != reset && *end == '\0' && r > 0) {
            time_t t = (time_t)r;
            struct tm tm;
            char when[32] = "?";
            if (gmtime_r(&t, &tm) != NULL)
                strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
            snprintf(buf, n, "GitHub API rate limit exceeded; it resets at %s (in %lld seconds).%s", when,
                     r > (long long)now ? r - (long long)now : 0LL, gh);
        } else {
            snprintf(buf, n, "GitHub API rate limit exceeded; try again later.%s", gh);
        }
        return;
    }
    if ((res->status == 403 || res->status == 429) && res->retry_after_s >= 0) {
        snprintf(buf, n, "GitHub secondary rate limit reached; retry after %ld seconds.%s", res->retry_after_s, gh);
        return;
    }
    if (res->status == 403) {
        const char *accepted = mcp_header_get(res->headers, res->n_headers, "x-accepted-oauth-scopes");
        const char *granted = mcp_header_get(res->headers, res->n_headers, "x-oauth-scopes");
        char missing[256] = "";
        if (accepted != NULL && granted != NULL)
            gh_missing_scopes(accepted, granted, missing, sizeof(missing));
        if (missing[0] != '\0')
            snprintf(buf, n,
                     "GitHub denied the request (403): the authorization lacks the OAuth scope %s (granted: %s). "
                     "Re-authorize this instance with that scope.%s",
                     missing, *granted ? granted : "none", gh);
        else
            snprintf(buf, n,
                     "GitHub denied the request (403): this account or token has no permission for this action "
                     "(repository access, organization policy or a blocked action).%s",
                     gh);
        return;
    }
    if (res->status == 404) {
        snprintf(buf, n,
                 "GitHub answered 404: the item does not exist, or it is private and this authorization cannot see "
                 "it (GitHub hides private repositories it does not let you access; check the name, that the 'repo' "
                 "scope was granted and that an organization allows this app).%s",
                 gh);
        return;
    }
    if (res->status == 422 || res->status == 400) {
        cm_buf_t b = {0};
        size_t i;
        const json_t *e;
        json_array_foreach(json_object_get(res->json, "errors"), i, e)
        {
            if (i >= 5)
                break;
            const char *field = json_string_value(json_object_get(e, "field"));
            const char *code = json_string_value(json_object_get(e, "code"));
            const char *emsg = json_string_value(json_object_get(e, "message"));
            cm_buf_printf(&b, "%s%s%s%s%s", b.len ? "; " : " Details: ", field ? field : "",
                          field && (code || emsg) ? " " : "",
                          emsg   ? emsg
                          : code ? code
                                 : "",
                          "");
        }
        char *d = cm_buf_take(&b);
        snprintf(buf, n, "GitHub rejected the request (HTTP %d) as invalid.%s%s", res->status, gh, d ? d : "");
        free(d);
        return;
    }
    snprintf(buf, n, "%s%s", generic, gh);
}

void gh_error_text(const struct mcp_provider_response *res, const char *generic, char *buf, size_t n)
{
    gh_error_text_at(res, generic, time(NULL), buf, n);
}
