/*
 * mime_build.c - building an RFC 5322 / MIME message: headers, text and HTML bodies, attachments
 * (multipart/mixed), CRLF line endings, base64 where needed (see mail/mime.h).
 */
#include "common/crypto.h"
#include "common/url.h"
#include "mail/mime.h"
#include "mime_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *mcp_mime_type_for_filename(const char *filename)
{
    static const char *const table[][2] = {
        {"pdf", "application/pdf"},
        {"txt", "text/plain"},
        {"csv", "text/csv"},
        {"html", "text/html"},
        {"htm", "text/html"},
        {"json", "application/json"},
        {"xml", "application/xml"},
        {"zip", "application/zip"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"svg", "image/svg+xml"},
        {"ics", "text/calendar"},
        {"md", "text/markdown"},
        {"gz", "application/gzip"},
        {"mp3", "audio/mpeg"},
        {"mp4", "video/mp4"},
        {"doc", "application/msword"},
        {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    };
    const char *dot = filename ? strrchr(filename, '.') : NULL;
    if (dot != NULL)
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
            if (strcasecmp(dot + 1, table[i][0]) == 0)
                return table[i][1];
    return "application/octet-stream";
}

/* type/subtype with token characters only (no parameters: they would be a way around the header checks). */
static int content_type_ok(const char *s)
{
    const char *slash = strchr(s, '/');
    if (slash == NULL || slash == s || slash[1] == '\0' || strlen(s) > 127)
        return 0;
    for (const char *p = s; *p; p++)
        if (p != slash && !(isalnum((unsigned char)*p) || strchr("!#$&^_.+-", *p)))
            return 0;
    return 1;
}

/* Appends data as base64 in 76-column lines. */
static void append_b64_lines(cm_buf_t *b, const unsigned char *data, size_t len)
{
    for (size_t i = 0; i < len; i += 57) { /* 57 bytes -> 76 characters */
        char *e = cm_b64_encode(data + i, len - i > 57 ? 57 : len - i);
        if (e == NULL) {
            b->failed = 1;
            return;
        }
        cm_buf_printf(b, "%s\r\n", e);
        free(e);
    }
}

/* A text part (headers + body): 7bit with CRLF when ASCII with short lines, else base64 of the CRLF text. */
static void append_text_part(cm_buf_t *b, const char *subtype, const char *text)
{
    cm_buf_t norm = {0};
    int ascii = 1;
    size_t line = 0, maxline = 0;
    cm_buf_append(&norm, "", 0);
    for (const char *p = text; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        if (*p == '\n' || *p == '\r') {
            cm_buf_append(&norm, "\r\n", 2);
            line = 0;
            continue;
        }
        ascii &= (unsigned char)*p < 0x80;
        cm_buf_append(&norm, p, 1);
        if (++line > maxline)
            maxline = line;
    }
    if (norm.failed) {
        b->failed = 1;
        cm_buf_free(&norm);
        return;
    }
    cm_buf_printf(b, "Content-Type: text/%s; charset=\"UTF-8\"\r\n", subtype);
    if (ascii && maxline <= 998) {
        cm_buf_appendz(b, "Content-Transfer-Encoding: 7bit\r\n\r\n");
        cm_buf_append(b, norm.data, norm.len);
        cm_buf_appendz(b, "\r\n");
    } else {
        cm_buf_appendz(b, "Content-Transfer-Encoding: base64\r\n\r\n");
        append_b64_lines(b, (const unsigned char *)norm.data, norm.len);
    }
    cm_buf_free(&norm);
}

static void new_boundary(char *out, size_t outsz)
{
    char hex[33];
    if (cm_random_hex(hex, sizeof(hex), 16) != 0)
        snprintf(hex, sizeof(hex), "%lx", (unsigned long)time(NULL));
    snprintf(out, outsz, "=_mcp_%s", hex);
}

/* The body: text, or text + html as multipart/alternative. */
static void append_body(cm_buf_t *b, const mcp_mime_message_t *m)
{
    const char *text = m->text_body ? m->text_body : "";
    if (m->html_body == NULL || m->html_body[0] == '\0') {
        append_text_part(b, "plain", text);
        return;
    }
    char bd[48];
    new_boundary(bd, sizeof(bd));
    cm_buf_printf(b, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", bd);
    cm_buf_printf(b, "--%s\r\n", bd);
    append_text_part(b, "plain", text);
    cm_buf_printf(b, "--%s\r\n", bd);
    append_text_part(b, "html", m->html_body);
    cm_buf_printf(b, "--%s--\r\n", bd);
}

static int append_attachment(cm_buf_t *b, const mcp_mime_attachment_t *a, size_t idx, char *err, size_t errsz)
{
    const char *ct = a->content_type && a->content_type[0] ? a->content_type : mcp_mime_type_for_filename(a->filename);
    if (a->filename == NULL || a->filename[0] == '\0' || !mcp_mime_header_text_ok(a->filename) ||
        strlen(a->filename) > 255) {
        snprintf(err, errsz, "attachments[%zu].filename: must be 1..255 characters without line breaks", idx);
        return -1;
    }
    if (!content_type_ok(ct)) {
        snprintf(err, errsz, "attachments[%zu].mime_type: '%.60s' is not a type/subtype", idx, ct);
        return -1;
    }
    char *name = mcp_mime_param("name", a->filename), *fname = mcp_mime_param("filename", a->filename);
    if (name == NULL || fname == NULL) {
        free(name);
        free(fname);
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    cm_buf_printf(b, "Content-Type: %s%s\r\nContent-Disposition: attachment%s\r\n", ct, name, fname);
    cm_buf_appendz(b, "Content-Transfer-Encoding: base64\r\n\r\n");
    append_b64_lines(b, a->data, a->len);
    free(name);
    free(fname);
    return 0;
}

/* Appends "Name: <addresses>\r\n" when list is set. */
static int address_header(cm_buf_t *b, const char *name, const char *field, const char *list, size_t *count, char *err,
                          size_t errsz)
{
    char e[200];
    char *v = NULL;
    if (list == NULL || list[0] == '\0')
        return 0;
    if (mcp_mime_format_addresses(list, strlen(name) + 2, &v, count, e, sizeof(e)) != 0) {
        snprintf(err, errsz, "%s: %s", field, e);
        return -1;
    }
    cm_buf_printf(b, "%s: %s\r\n", name, v);
    free(v);
    return 0;
}

/* A message id list ("<a@b> <c@d>"): header-safe, each <...> without spaces; folded one per line. */
static int msgid_header(cm_buf_t *b, const char *name, const char *field, const char *ids, char *err, size_t errsz)
{
    if (ids == NULL || ids[0] == '\0')
        return 0;
    if (!mcp_mime_header_text_ok(ids) || strlen(ids) > 8000) {
        snprintf(err, errsz, "%s: must be message ids without line breaks", field);
        return -1;
    }
    cm_buf_printf(b, "%s:", name);
    const char *p = ids;
    int n = 0;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\t' && *e != ',')
            e++;
        if (*p != '<' || e[-1] != '>' || e - p < 3) {
            snprintf(err, errsz, "%s: '%.60s' is not a <message-id>", field, p);
            return -1;
        }
        cm_buf_printf(b, "%s%.*s", n++ ? "\r\n " : " ", (int)(e - p), p);
        p = e;
    }
    cm_buf_appendz(b, "\r\n");
    return 0;
}

int mcp_mime_build(const mcp_mime_message_t *m, char **out, size_t *out_len, char *err, size_t errsz)
{
    cm_buf_t b = {0};
    size_t nto = 0, ncc = 0, nbcc = 0;
    *out = NULL;
    if (address_header(&b, "From", "from", m->from, NULL, err, errsz) != 0 ||
        address_header(&b, "To", "to", m->to, &nto, err, errsz) != 0 ||
        address_header(&b, "Cc", "cc", m->cc, &ncc, err, errsz) != 0 ||
        address_header(&b, "Bcc", "bcc", m->bcc, &nbcc, err, errsz) != 0 ||
        address_header(&b, "Reply-To", "reply_to", m->reply_to, NULL, err, errsz) != 0)
        goto out_fail;
    if (nto + ncc + nbcc == 0) {
        snprintf(err, errsz, "to: at least one recipient is required");
        goto out_fail;
    }
    char *subj = mcp_mime_header_line("Subject", m->subject ? m->subject : "");
    if (subj == NULL) {
        snprintf(err, errsz, "subject: must be text without line breaks");
        goto out_fail;
    }
    cm_buf_appendz(&b, subj);
    free(subj);
    char date[64];
    time_t t = m->date ? (time_t)m->date : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    cm_buf_printf(&b, "Date: %s\r\n", date);
    if (msgid_header(&b, "In-Reply-To", "in_reply_to", m->in_reply_to, err, errsz) != 0 ||
        msgid_header(&b, "References", "references", m->references, err, errsz) != 0)
        goto out_fail;
    if ((m->text_body && !mcp__utf8_valid(m->text_body, strlen(m->text_body))) ||
        (m->html_body && !mcp__utf8_valid(m->html_body, strlen(m->html_body)))) {
        snprintf(err, errsz, "body: must be UTF-8 text");
        goto out_fail;
    }
    cm_buf_appendz(&b, "MIME-Version: 1.0\r\n");
    if (m->n_attachments == 0) {
        append_body(&b, m);
    } else {
        char bd[48];
        new_boundary(bd, sizeof(bd));
        cm_buf_printf(&b, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n", bd);
        cm_buf_printf(&b, "--%s\r\n", bd);
        append_body(&b, m);
        for (size_t i = 0; i < m->n_attachments; i++) {
            cm_buf_printf(&b, "--%s\r\n", bd);
            if (append_attachment(&b, &m->attachments[i], i, err, errsz) != 0)
                goto out_fail;
        }
        cm_buf_printf(&b, "--%s--\r\n", bd);
    }
    if (b.failed) {
        snprintf(err, errsz, "out of memory");
        goto out_fail;
    }
    *out_len = b.len;
    *out = cm_buf_take(&b);
    return 0;
out_fail:
    cm_buf_free(&b);
    return -1;
}
