/*
 * api.c - the teams service's Graph requests (teams.h): the permission a 403 names per tool group, the id a 404
 * names, cursors, paths built from ids. The Graph conventions themselves are apis/msgraph.h.
 */
#include "common/status.h"
#include "teams.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tm_arg_str(json_t *args, const char *k)
{
    const char *s = json_string_value(json_object_get(args, k));
    return s != NULL && *s != '\0' ? s : NULL;
}

long long tm_arg_int(json_t *args, const char *k)
{
    return (long long)json_integer_value(json_object_get(args, k));
}

/* The least delegated permission of each tool group, and what else Graph accepts (the 403 text names them). */
#define ERR_HOOK(fn_, perm_)                                                                                           \
    static void fn_(const mcp_provider_response_t *res, const char *generic, char *buf, size_t n)                      \
    {                                                                                                                  \
        msgraph_error_text(res, generic, perm_, buf, n);                                                               \
    }
ERR_HOOK(err_teams, "Team.ReadBasic.All")
ERR_HOOK(err_channels, "Channel.ReadBasic.All")
ERR_HOOK(err_chmsg_read, "ChannelMessage.Read.All (admin consent required)")
ERR_HOOK(err_chmsg_send, "ChannelMessage.Send")
ERR_HOOK(err_chat_read, "Chat.Read (or Chat.ReadWrite)")
ERR_HOOK(err_chat_send, "ChatMessage.Send (or Chat.ReadWrite)")

static const mcp_provider_error_fn err_hooks[] = {
    [TM_PERM_TEAMS] = err_teams,           [TM_PERM_CHANNELS] = err_channels,   [TM_PERM_CHMSG_READ] = err_chmsg_read,
    [TM_PERM_CHMSG_SEND] = err_chmsg_send, [TM_PERM_CHAT_READ] = err_chat_read, [TM_PERM_CHAT_SEND] = err_chat_send,
};

/* The tool's continuation: cb with its option, on success only (the runtime finishes the call on a failure). */
typedef struct {
    tm_cb cb;
    long opt;
} graph_req_t;

static void on_answer(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    graph_req_t *g = arg;
    g->cb(c, res, g->opt);
    free(g);
}

void tm_graph(mcp_call_t *c, const char *method, char *url, json_t *body, tm_perm_t perm, const char *what, tm_cb cb,
              long opt)
{
    graph_req_t *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        free(url);
        json_decref(body);
        mcp_call_fail(c, "out of memory");
        return;
    }
    g->cb = cb;
    g->opt = opt;
    mcp_provider_request_t req = {.provider = MSGRAPH_PROVIDER,
                                  .method = method,
                                  .error_text = err_hooks[perm],
                                  .arg_free = free,
                                  .subject = what};
    mcp_provider_fetch_json(c, &req, url, body, on_answer, g);
}

/* 1 when the n bytes at path end with suffix. */
static int ends_with(const char *path, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(path + n - k, suffix, k) == 0;
}

int tm_follow_cursor(mcp_call_t *c, json_t *args, const char *contains, const char *suffix, const char *suffix2,
                     tm_perm_t perm, tm_cb cb, long opt)
{
    const char *t = tm_arg_str(args, "cursor");
    if (t == NULL)
        return 0;
    /* the path (the query may echo anything) says which listing the link continues: a cursor of another listing
     * would be rendered as the wrong kind of thing */
    const char *base = msgraph_base();
    size_t blen = strlen(base);
    int ok = msgraph_page_token_ok(t) && strncmp(t, base, blen) == 0;
    const char *path = t + (ok ? blen : 0);
    size_t n = strcspn(path, "?#");
    const char *hit = contains ? strstr(path, contains) : path;
    ok = ok && hit != NULL && (size_t)(hit - path) < n &&
         (ends_with(path, n, suffix) || (suffix2 != NULL && ends_with(path, n, suffix2)));
    if (!ok)
        mcp_call_fail(c, "Invalid argument 'cursor': use the next_cursor value of a previous result of this tool.");
    else
        tm_graph(c, NULL, strdup(t), NULL, perm, NULL, cb, opt);
    return 1;
}

int tm_path(mcp_call_t *c, char *out, size_t outsz, const char *fmt, ...)
{
    cm_buf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p != '\0'; p++) {
        if (p[0] == '%' && p[1] == 's') {
            const char *id = va_arg(ap, const char *);
            char *e = id ? msgraph_escape(id) : NULL;
            if (e == NULL)
                b.failed = 1;
            else
                cm_buf_appendz(&b, e);
            free(e);
            p++;
        } else {
            cm_buf_append(&b, p, 1);
        }
    }
    va_end(ap);
    if (b.failed || b.data == NULL || b.len >= outsz) {
        cm_buf_free(&b);
        mcp_call_fail(c, "Invalid arguments: the ids are too long.");
        return CM_EINVAL;
    }
    memcpy(out, b.data, b.len + 1);
    cm_buf_free(&b);
    return CM_OK;
}
