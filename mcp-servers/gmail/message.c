/*
 * message.c - Gmail message resources (format full / metadata) to summaries: headers (RFC 2047 decoded), the
 * body from the payload part tree (text/plain preferred, else HTML converted to text; base64url bodies, charsets
 * normalised to UTF-8) and the attachment list.
 */
#include "common/crypto.h"
#include "gmail.h"
#include "mail/html_text.h"
#include "mail/mime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PART_DEPTH 20

static const char *part_header(json_t *part, const char *name)
{
    json_t *h;
    size_t i;
    json_array_foreach(json_object_get(part, "headers"), i, h)
    {
        const char *n = json_string_value(json_object_get(h, "name"));
        if (n != NULL && strcasecmp(n, name) == 0)
            return json_string_value(json_object_get(h, "value"));
    }
    return NULL;
}

const char *gm_header(json_t *msg, const char *name)
{
    return part_header(json_object_get(msg, "payload"), name);
}

/* charset parameter of a part's Content-Type (copied into out), or "" */
static void part_charset(json_t *part, char *out, size_t outsz)
{
    const char *ct = part_header(part, "Content-Type");
    const char *p = ct ? strcasestr(ct, "charset=") : NULL;
    out[0] = '\0';
    if (p == NULL)
        return;
    p += 8;
    if (*p == '"')
        p++;
    size_t n = 0;
    while (p[n] && p[n] != '"' && p[n] != ';' && p[n] != ' ' && n + 1 < outsz)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
}

typedef struct found {
    json_t *plain, *html;
    json_t *attachments;
} found_t;

static void walk(json_t *part, found_t *f, int depth)
{
    if (!json_is_object(part) || depth > MAX_PART_DEPTH)
        return;
    const char *mime = json_string_value(json_object_get(part, "mimeType"));
    const char *filename = json_string_value(json_object_get(part, "filename"));
    json_t *body = json_object_get(part, "body");
    const char *att_id = json_string_value(json_object_get(body, "attachmentId"));
    if (mime == NULL)
        mime = "";
    if ((filename != NULL && filename[0] != '\0') || (att_id != NULL && strncasecmp(mime, "text/", 5) != 0)) {
        json_array_append_new(f->attachments,
                              json_pack("{s:s, s:s, s:I, s:s, s:s}", "filename", filename ? filename : "", "mime_type",
                                        mime, "size", (json_int_t)json_integer_value(json_object_get(body, "size")),
                                        "attachment_id", att_id ? att_id : "", "part_id",
                                        json_string_value(json_object_get(part, "partId")) ?: ""));
    } else if (strcasecmp(mime, "text/plain") == 0 && f->plain == NULL && json_object_get(body, "data")) {
        f->plain = part;
    } else if (strcasecmp(mime, "text/html") == 0 && f->html == NULL && json_object_get(body, "data")) {
        f->html = part;
    }
    json_t *sub;
    size_t i;
    json_array_foreach(json_object_get(part, "parts"), i, sub) walk(sub, f, depth + 1);
}

/* Decoded UTF-8 text of a text part, HTML converted when html. malloc'ed or NULL. */
static char *part_text(json_t *part, int html)
{
    const char *data = json_string_value(json_object_get(json_object_get(part, "body"), "data"));
    size_t n = 0;
    if (data == NULL)
        return NULL;
    uint8_t *raw = cm_b64url_decode(data, strlen(data), &n);
    if (raw == NULL)
        return NULL;
    char cs[40];
    part_charset(part, cs, sizeof(cs));
    char *u = mcp_mime_to_utf8((const char *)raw, n, cs[0] ? cs : NULL);
    free(raw);
    if (u == NULL || !html)
        return u;
    char *t = mcp_html_to_text(u, strlen(u));
    free(u);
    return t;
}

static void set_header(json_t *o, const char *key, json_t *msg, const char *name)
{
    const char *v = gm_header(msg, name);
    if (v == NULL)
        return;
    char *d = mcp_mime_decode_words(v);
    if (d != NULL) {
        char *u = mcp_mime_to_utf8(d, strlen(d), NULL);
        if (u)
            json_object_set_new(o, key, json_string(u));
        free(u);
    }
    free(d);
}

json_t *gm_message_summary(json_t *msg, int with_body, size_t max_body)
{
    json_t *o = json_object();
    json_object_set(o, "id", json_object_get(msg, "id") ?: json_null());
    json_object_set(o, "threadId", json_object_get(msg, "threadId") ?: json_null());
    json_t *labels = json_object_get(msg, "labelIds");
    json_object_set_new(o, "labelIds", labels ? json_deep_copy(labels) : json_array());
    int unread = 0;
    json_t *l;
    size_t i;
    json_array_foreach(labels, i, l) unread |= json_string_value(l) && strcmp(json_string_value(l), "UNREAD") == 0;
    json_object_set_new(o, "unread", json_boolean(unread));
    set_header(o, "from", msg, "From");
    set_header(o, "to", msg, "To");
    set_header(o, "cc", msg, "Cc");
    set_header(o, "date", msg, "Date");
    set_header(o, "subject", msg, "Subject");
    set_header(o, "message_id", msg, "Message-ID");
    set_header(o, "references", msg, "References");
    const char *snippet = json_string_value(json_object_get(msg, "snippet"));
    if (snippet != NULL) {
        char *d = mcp_html_to_text(snippet, strlen(snippet)); /* snippets carry HTML entities */
        if (d)
            json_object_set_new(o, "snippet", json_string(d));
        free(d);
    }
    if (!with_body)
        return o;
    found_t f = {.attachments = json_array()};
    walk(json_object_get(msg, "payload"), &f, 0);
    char *text = f.plain ? part_text(f.plain, 0) : f.html ? part_text(f.html, 1) : NULL;
    if (text != NULL) {
        size_t len = strlen(text), keep = mcp_utf8_prefix_chars(text, len, max_body);
        text[keep] = '\0';
        json_object_set_new(o, "body", json_string(text));
        json_object_set_new(o, "body_format", json_string(f.plain ? "text/plain" : "text/html (converted)"));
        json_object_set_new(o, "body_truncated", json_boolean(keep < len));
        free(text);
    } else {
        json_object_set_new(o, "body", json_string(""));
    }
    json_object_set_new(o, "attachments", f.attachments);
    return o;
}

static void line(cm_buf_t *b, const char *label, json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (v != NULL && v[0] != '\0')
        cm_buf_printf(b, "%s: %s\n", label, v);
}

void gm_message_render(cm_buf_t *b, json_t *s)
{
    cm_buf_printf(b, "Message %s (thread %s)%s\n", json_string_value(json_object_get(s, "id")) ?: "?",
                  json_string_value(json_object_get(s, "threadId")) ?: "?",
                  json_is_true(json_object_get(s, "unread")) ? " [unread]" : "");
    line(b, "From", s, "from");
    line(b, "To", s, "to");
    line(b, "Cc", s, "cc");
    line(b, "Date", s, "date");
    line(b, "Subject", s, "subject");
    json_t *labels = json_object_get(s, "labelIds"), *l;
    size_t i;
    if (json_array_size(labels) > 0) {
        cm_buf_appendz(b, "Labels:");
        json_array_foreach(labels, i, l) cm_buf_printf(b, "%s %s", i ? "," : "", json_string_value(l) ?: "");
        cm_buf_appendz(b, "\n");
    }
    json_t *atts = json_object_get(s, "attachments"), *a;
    json_array_foreach(atts, i, a)
    {
        cm_buf_printf(b, "Attachment: %s (%s, %lld bytes, attachment_id %s)\n",
                      json_string_value(json_object_get(a, "filename")) ?: "",
                      json_string_value(json_object_get(a, "mime_type")) ?: "",
                      (long long)json_integer_value(json_object_get(a, "size")),
                      json_string_value(json_object_get(a, "attachment_id")) ?: "");
    }
    const char *body = json_string_value(json_object_get(s, "body"));
    if (body != NULL) {
        cm_buf_printf(b, "\n%s\n", body[0] ? body : "(no text body)");
        if (json_is_true(json_object_get(s, "body_truncated")))
            cm_buf_appendz(b, "[body truncated; raise max_body_chars to see more]\n");
    } else {
        line(b, "Snippet", s, "snippet");
    }
}
