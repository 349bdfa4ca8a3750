/*
 * tools_upload.c - dropbox's upload tool. Up to DBX_SINGLE_UPLOAD_MAX bytes: one files/upload. Above: an upload
 * session, files/upload_session/start with the first DBX_CHUNK_SIZE bytes, append_v2 with the cursor {session_id,
 * offset} for the middle pieces, and finish with the last piece and the commit {path, mode, autorename}. Dropbox
 * answers a piece sent at the wrong offset with incorrect_offset and the offset it holds: the upload resumes from
 * there (a bounded number of requests, so a server that never advances cannot loop us).
 */
#include "mcp/args.h"
#include "common/status.h"
#include "dropbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct up {
    unsigned char *bytes;
    size_t len, offset, sent; /* sent: the end of the piece in flight */
    unsigned requests;
    char *session_id;
    json_t *commit; /* {path, mode, autorename, mute} */
};

static void up_free(void *p)
{
    struct up *u = p;
    if (u == NULL)
        return;
    free(u->bytes);
    free(u->session_id);
    json_decref(u->commit);
    free(u);
}

static void finish_file(mcp_call_t *c, struct up *u, const json_t *meta, const char *how)
{
    char heading[128];
    snprintf(heading, sizeof(heading), "Uploaded %zu bytes (%s).", u->len, how);
    dbx_finish_meta(c, heading, meta, json_pack("{s:s}", "upload", how));
    up_free(u);
}

static void on_single(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    finish_file(c, arg, res->json, "single request");
}

static void send_piece(mcp_call_t *c, struct up *u);

/* A session answer: start ({session_id}), append_v2 (null), finish (the file), or incorrect_offset. */
static void on_piece(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    struct up *u = arg;
    if (res->error != NULL) { /* incorrect_offset: resume from the offset Dropbox holds */
        long long at = strtoll(res->error + 1, NULL, 10);
        if (at < 0 || (size_t)at > u->len) {
            mcp_call_fail(c, "Dropbox reported an impossible upload session offset (%lld of %zu bytes).", at, u->len);
            up_free(u);
            return;
        }
        u->offset = (size_t)at;
        send_piece(c, u);
        return;
    }
    if (u->session_id == NULL) {
        const char *id = json_string_value(json_object_get(res->json, "session_id"));
        if (id == NULL || (u->session_id = strdup(id)) == NULL) {
            mcp_call_fail(c, "Dropbox returned an unexpected answer to upload_session/start (no session_id).");
            up_free(u);
            return;
        }
    } else if (u->sent == u->len && json_is_object(res->json)) {
        finish_file(c, u, res->json, "upload session");
        return;
    }
    u->offset = u->sent;
    send_piece(c, u);
}

static void send_piece(mcp_call_t *c, struct up *u)
{
    if (++u->requests > 2 * (u->len / DBX_CHUNK_SIZE + 3)) {
        mcp_call_fail(c, "The Dropbox upload session made no progress; the upload was abandoned.");
        up_free(u);
        return;
    }
    size_t rest = u->len - u->offset, n = rest < DBX_CHUNK_SIZE ? rest : DBX_CHUNK_SIZE;
    dbx_request_t q = {.content = 1,
                       .bytes = (const char *)u->bytes + u->offset,
                       .n_bytes = n,
                       .timeout_ms = 120000,
                       .path = json_string_value(json_object_get(u->commit, "path")),
                       .route_errors_to_cb = 1};
    u->sent = u->offset + n;
    if (u->session_id == NULL) {
        q.route = "files/upload_session/start";
        q.arg = json_pack("{s:b}", "close", 0);
    } else {
        json_t *cursor = json_pack("{s:s, s:I}", "session_id", u->session_id, "offset", (json_int_t)u->offset);
        if (rest > DBX_CHUNK_SIZE) {
            q.route = "files/upload_session/append_v2";
            q.arg = cursor ? json_pack("{s:o, s:b}", "cursor", cursor, "close", 0) : NULL;
        } else {
            q.route = "files/upload_session/finish";
            q.arg = cursor ? json_pack("{s:o, s:O}", "cursor", cursor, "commit", u->commit) : NULL;
        }
    }
    if (q.arg == NULL) {
        mcp_call_fail(c, "out of memory");
        up_free(u);
        return;
    }
    dbx_fetch(c, &q, on_piece, u, up_free);
}

void dropbox_upload(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    if (!dbx_path_arg_ok(c, args, "path"))
        return;
    const char *path = dbx_arg_str(args, "path");
    const char *mode = dbx_arg_str(args, "mode") ?: "add";
    const char *rev = dbx_arg_str(args, "rev");
    const json_t *content = json_object_get(args, "content");
    const char *enc = dbx_arg_str(args, "encoding");
    int b64 = enc != NULL && strcmp(enc, "base64") == 0;
    if (path == NULL || path[0] != '/' || path[strlen(path) - 1] == '/') {
        mcp_call_fail(c, "Invalid argument 'path': the file's full path, like /Documents/report.txt.");
        return;
    }
    if ((strcmp(mode, "update") == 0) != (rev != NULL)) {
        mcp_call_fail(c, "Invalid arguments: 'rev' goes with mode 'update' (overwrite only that revision), and "
                         "mode 'update' needs 'rev'.");
        return;
    }
    struct up *u = calloc(1, sizeof(*u));
    if (u == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    char err[256];
    int rc = mcp_arg_bytes(content, b64, DBX_MAX_UPLOAD, "content", &u->bytes, &u->len, err, sizeof(err));
    if (rc != CM_OK) {
        mcp_call_fail(c, "%s", rc == CM_ENOMEM ? "out of memory" : err);
        up_free(u);
        return;
    }
    json_t *m = rev ? json_pack("{s:s, s:s}", ".tag", "update", "update", rev) : json_string(mode);
    u->commit = m ? json_pack("{s:s, s:o, s:b, s:b}", "path", path, "mode", m, "autorename",
                              json_is_true(json_object_get(args, "autorename")), "mute", 0)
                  : NULL;
    if (u->commit == NULL) {
        mcp_call_fail(c, "out of memory");
        up_free(u);
        return;
    }
    if (u->len > DBX_SINGLE_UPLOAD_MAX) {
        send_piece(c, u);
        return;
    }
    dbx_request_t q = {.route = "files/upload",
                       .content = 1,
                       .arg = json_incref(u->commit),
                       .bytes = (const char *)u->bytes,
                       .n_bytes = u->len,
                       .timeout_ms = 120000,
                       .path = path};
    dbx_fetch(c, &q, on_single, u, up_free);
}
