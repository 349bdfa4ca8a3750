/*
 * tools_send.c - the composing tools: send_email, send_email_with_attachments, create_draft, send_draft,
 * reply_to_email (threading: threadId, In-Reply-To and References from the original's Message-ID, "Re: " once).
 * Messages are built by the mail library's MIME builder (mail/mime.h) and sent as base64url `raw` JSON, or, with
 * attachments or above GM_UPLOAD_THRESHOLD, as message/rfc822 through the media upload URI (gm_fetch_upload).
 */
#include "common/crypto.h"
#include "gmail.h"
#include "mail/mime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lenient base64 (standard or url alphabet, padding optional, whitespace ignored). malloc'ed or NULL. */
static uint8_t *decode_b64_arg(const char *s, size_t *n)
{
    size_t len = strlen(s), o = 0;
    char *clean = malloc(len + 1);
    if (clean == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (isspace((unsigned char)ch) || ch == '=')
            continue;
        clean[o++] = ch == '+' ? '-' : ch == '/' ? '_' : ch;
    }
    clean[o] = '\0';
    uint8_t *r = cm_b64url_decode(clean, o, n);
    free(clean);
    return r;
}

/* Decoded attachments of a composing tool (args.attachments). */
typedef struct atts {
    mcp_mime_attachment_t a[GM_MAX_ATTACHMENTS];
    uint8_t *bufs[GM_MAX_ATTACHMENTS];
    size_t n;
} atts_t;

static void atts_free(atts_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        cm_wipe(t->bufs[i], t->a[i].len);
        free(t->bufs[i]);
    }
    t->n = 0;
}

/* Decodes args.attachments (may be absent) into t (zero-initialised; release with atts_free, also after a failure).
 * 0, or -1 with the tool error in err. The filename / mime_type strings stay borrowed from args. */
static int decode_attachments(json_t *args, atts_t *t, char *err, size_t errsz)
{
    json_t *list = json_object_get(args, "attachments"), *a;
    size_t i, total = 0;
    json_array_foreach(list, i, a)
    {
        if (t->n == GM_MAX_ATTACHMENTS)
            break;
        size_t len = 0;
        uint8_t *buf = decode_b64_arg(json_string_value(json_object_get(a, "content_base64")) ?: "", &len);
        if (buf == NULL) {
            snprintf(err, errsz, "Invalid arguments: attachments[%zu].content_base64: not valid base64", i);
            return -1;
        }
        t->bufs[t->n] = buf;
        t->a[t->n] = (mcp_mime_attachment_t){.filename = json_string_value(json_object_get(a, "filename")),
                                             .content_type = gm_str(a, "mime_type"),
                                             .data = buf,
                                             .len = len};
        t->n++;
        total += len;
        if (total > GM_MAX_ATTACHMENT_TOTAL) {
            snprintf(err, errsz,
                     "Invalid arguments: attachments: more than " GM_MAX_ATTACHMENT_TOTAL_TEXT
                     " (%u bytes) in total after decoding",
                     GM_MAX_ATTACHMENT_TOTAL);
            return -1;
        }
    }
    return 0;
}

/* Builds the MIME message (RFC 5322 text, CRLF) from the common arguments plus threading. 0 with *msg (malloc'ed,
 * caller wipes and frees) and *len, or -1 with err. */
static int build_message(json_t *args, const char *to, const char *cc, const char *subject, const char *in_reply_to,
                         const char *references, const atts_t *atts, char **msg, size_t *len, char *err, size_t errsz)
{
    mcp_mime_message_t m = {.to = to,
                            .cc = cc,
                            .bcc = gm_str(args, "bcc"),
                            .subject = subject,
                            .text_body = json_string_value(json_object_get(args, "body")),
                            .html_body = gm_str(args, "html_body"),
                            .in_reply_to = in_reply_to,
                            .references = references,
                            .attachments = atts ? atts->a : NULL,
                            .n_attachments = atts ? atts->n : 0};
    *msg = NULL;
    *len = 0;
    return mcp_mime_build(&m, msg, len, err, errsz) != 0 ? -1 : 0;
}

/*
 * Sends a built message (draft = 0: users.messages.send) or saves it (draft = 1: users.drafts.create). A message
 * with attachments or above GM_UPLOAD_THRESHOLD goes to the upload URI as multipart/related (metadata {threadId},
 * or {message: {threadId}} for a draft, then the message/rfc822 part); a smaller one as JSON {raw (base64url),
 * threadId}. msg is wiped and freed here; thread (borrowed, may be NULL) is the thread to send into.
 */
static void submit(mcp_call_t *c, int draft, char *msg, size_t len, int has_attachments, json_t *thread,
                   mcp_provider_cb cb, void *arg)
{
    gm_scope_t scope = draft ? GM_SCOPE_COMPOSE : GM_SCOPE_SEND;
    const char *path = draft ? "/drafts" : "/messages/send";
    json_t *m = json_object();
    if (m != NULL && json_is_string(thread))
        json_object_set(m, "threadId", thread);
    if (has_attachments || len > GM_UPLOAD_THRESHOLD) {
        gm_fetch_upload(c, path, draft ? json_pack("{s:o}", "message", m) : m, msg, len, scope, cb, arg);
        goto out_free_msg;
    }
    char *raw = cm_b64url_encode(msg, len);
    if (m == NULL || raw == NULL) {
        json_decref(m);
        free(raw);
        mcp_call_fail(c, "out of memory");
        goto out_free_msg;
    }
    json_object_set_new(m, "raw", json_string(raw));
    free(raw);
    gm_fetch(c, "POST", gm_url(path, NULL), draft ? json_pack("{s:o}", "message", m) : m, scope, cb, arg, NULL);
out_free_msg:
    cm_wipe(msg, len);
    free(msg);
}

static void on_sent(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    const char *what = arg;
    json_t *j = res->json;
    cm_buf_t b = {0};
    cm_buf_printf(&b, "%s: message id %s, thread id %s.", what, json_string_value(json_object_get(j, "id")) ?: "?",
                  json_string_value(json_object_get(j, "threadId")) ?: "?");
    json_t *labels = json_object_get(j, "labelIds");
    mcp_tool_finish_buf(c, &b,
                        json_pack("{s:O, s:O, s:O}", "id", json_object_get(j, "id") ?: json_null(), "threadId",
                                  json_object_get(j, "threadId") ?: json_null(), "labelIds",
                                  labels ? labels : json_array()));
}

/* The new message of a compose tool (to, cc, subject, bodies, attachments) into *msg / *len (malloc'ed). 0, or -1
 * with the call failed (bad arguments). */
static int compose(mcp_call_t *c, json_t *args, const atts_t *atts, char **msg, size_t *len)
{
    char err[300];
    if (build_message(args, gm_str(args, "to"), gm_str(args, "cc"), json_string_value(json_object_get(args, "subject")),
                      NULL, NULL, atts, msg, len, err, sizeof(err)) != 0) {
        mcp_call_fail(c, "Invalid arguments: %s", err);
        return -1;
    }
    return 0;
}

static void send_common(mcp_call_t *c, json_t *args, const atts_t *atts)
{
    char *msg = NULL;
    size_t len = 0;
    if (compose(c, args, atts, &msg, &len) != 0)
        return;
    int with = atts != NULL && atts->n > 0;
    submit(c, 0, msg, len, with, NULL, on_sent, with ? "Email with attachments sent" : "Email sent");
}

void gm_send_email(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    send_common(c, args, NULL);
}

void gm_send_email_with_attachments(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    atts_t atts = {0};
    char err[300];
    if (decode_attachments(args, &atts, err, sizeof(err)) != 0)
        mcp_call_fail(c, "%s", err);
    else
        send_common(c, args, &atts);
    atts_free(&atts);
}

/* ---- drafts ---- */

static void on_draft(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    (void)arg;
    json_t *j = res->json, *m = json_object_get(j, "message");
    cm_buf_t b = {0};
    cm_buf_printf(&b, "Draft created: draft id %s (message id %s). Send it with send_draft.",
                  json_string_value(json_object_get(j, "id")) ?: "?",
                  json_string_value(json_object_get(m, "id")) ?: "?");
    mcp_tool_finish_buf(c, &b,
                        json_pack("{s:O, s:O, s:O}", "draft_id", json_object_get(j, "id") ?: json_null(), "message_id",
                                  json_object_get(m, "id") ?: json_null(), "threadId",
                                  json_object_get(m, "threadId") ?: json_null()));
}

void gm_create_draft(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    char *msg = NULL;
    size_t len = 0;
    if (compose(c, args, NULL, &msg, &len) != 0)
        return;
    submit(c, 1, msg, len, 0, NULL, on_draft, NULL);
}

void gm_send_draft(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    gm_fetch(c, "POST", gm_url("/drafts/send", NULL), json_pack("{s:s}", "id", gm_str(args, "draft_id")),
             GM_SCOPE_COMPOSE, on_sent, "Draft sent", NULL);
}

/* ---- reply ---- */

typedef struct reply {
    json_t *args, *orig;
    atts_t atts; /* decoded before the original is fetched: bad input reaches nothing upstream */
} reply_t;

static void reply_free(void *arg)
{
    reply_t *r = arg;
    atts_free(&r->atts);
    json_decref(r->args);
    json_decref(r->orig);
    free(r);
}

/* 1 when spec (len n) is one of the comma separated entries of list. */
static int in_list(const char *list, const char *spec, size_t n)
{
    for (const char *h = list; h && (h = strstr(h, spec)) != NULL; h += n)
        if ((h == list || h[-1] == ',') && (h[n] == '\0' || h[n] == ','))
            return 1;
    return 0;
}

/* Appends the addr-specs of specs (comma separated) to b, skipping those in ex1/ex2 and those already in b. */
static void add_specs(cm_buf_t *b, const char *specs, const char *ex1, const char *ex2)
{
    for (const char *p = specs ? specs : ""; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char one[256];
        if (n > 0 && n < sizeof(one)) {
            memcpy(one, p, n);
            one[n] = '\0';
            if (!in_list(ex1, one, n) && !in_list(ex2, one, n) && !(b->len && in_list(b->data, one, n)))
                cm_buf_printf(b, "%s%s", b->len ? "," : "", one);
        }
        p += n + (e != NULL);
    }
}

static void send_reply(mcp_call_t *c, reply_t *r, const char *self)
{
    json_t *o = r->orig, *args = r->args;
    char *self_l = mcp_mime_address_specs(self ? self : "");
    const char *reply_to = gm_header(o, "Reply-To") ? gm_header(o, "Reply-To") : gm_header(o, "From");
    char *to = mcp_mime_address_specs(reply_to);
    cm_buf_t cc = {0};
    if (json_is_true(json_object_get(args, "reply_all"))) {
        char *ot = mcp_mime_address_specs(gm_header(o, "To")), *oc = mcp_mime_address_specs(gm_header(o, "Cc"));
        add_specs(&cc, ot, to, self_l);
        add_specs(&cc, oc, to, self_l);
        free(ot);
        free(oc);
    }
    if (gm_str(args, "cc"))
        cm_buf_printf(&cc, "%s%s", cc.len ? ", " : "", gm_str(args, "cc"));
    char *ccs = cm_buf_take(&cc);
    char *subj_dec = mcp_mime_decode_words(gm_header(o, "Subject") ?: "");
    char *subject = mcp_mime_reply_subject(subj_dec);
    const char *mid = gm_header(o, "Message-ID") ?: gm_header(o, "Message-Id");
    cm_buf_t refs = {0};
    cm_buf_append(&refs, "", 0);
    if (gm_header(o, "References"))
        cm_buf_printf(&refs, "%s ", gm_header(o, "References"));
    if (mid)
        cm_buf_appendz(&refs, mid);
    char *references = cm_buf_take(&refs);
    char err[300], *msg = NULL;
    size_t len = 0;
    int rc = build_message(args, to && to[0] ? to : NULL, ccs && ccs[0] ? ccs : NULL, subject, mid, references,
                           &r->atts, &msg, &len, err, sizeof(err));
    int with = r->atts.n > 0;
    json_t *thread = json_incref(json_object_get(o, "threadId"));
    free(self_l);
    free(to);
    free(ccs);
    free(subj_dec);
    free(subject);
    free(references);
    reply_free(r);
    if (rc != 0) {
        json_decref(thread);
        mcp_call_fail(c, "Cannot build the reply: %s", err);
        return;
    }
    submit(c, 0, msg, len, with, thread, on_sent, with ? "Reply with attachments sent" : "Reply sent");
    json_decref(thread);
}

static void on_profile(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    send_reply(c, arg, json_string_value(json_object_get(res->json, "emailAddress")));
}

static void on_original(mcp_call_t *c, const mcp_provider_response_t *res, void *arg)
{
    reply_t *r = arg;
    r->orig = json_incref(res->json);
    if (json_is_true(json_object_get(r->args, "reply_all")))
        gm_fetch(c, "GET", gm_url("/profile", NULL), NULL, GM_SCOPE_READ, on_profile, r, reply_free);
    else
        send_reply(c, r, NULL);
}

void gm_reply_to_email(mcp_call_t *c, json_t *args, void *data)
{
    (void)data;
    static const char *const q[] = {"format",
                                    "metadata",
                                    "metadataHeaders",
                                    "Subject",
                                    "metadataHeaders",
                                    "From",
                                    "metadataHeaders",
                                    "To",
                                    "metadataHeaders",
                                    "Cc",
                                    "metadataHeaders",
                                    "Reply-To",
                                    "metadataHeaders",
                                    "Message-ID",
                                    "metadataHeaders",
                                    "References",
                                    NULL};
    reply_t *r = calloc(1, sizeof(*r));
    cm_buf_t p = {0};
    if (r == NULL) {
        mcp_call_fail(c, "out of memory");
        return;
    }
    r->args = json_incref(args);
    char err[300];
    if (decode_attachments(args, &r->atts, err, sizeof(err)) != 0) {
        reply_free(r);
        mcp_call_fail(c, "%s", err);
        return;
    }
    cm_buf_printf(&p, "/messages/%s", gm_str(args, "message_id"));
    char *path = cm_buf_take(&p);
    gm_fetch(c, "GET", path ? gm_url(path, q) : NULL, NULL, GM_SCOPE_READ, on_original, r, reply_free);
    free(path);
}
