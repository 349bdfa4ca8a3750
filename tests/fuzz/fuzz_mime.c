/*
 * fuzz_mime.c - MIME header parsing and building (mcp-servers/runtime/src/mime_*.c): encoded-words of received
 * headers, address lists (received and user-given), charsets, parameters, and whole messages built from
 * user fields.
 *
 * Input: function selector, then NUL-separated fields. Outputs that claim to be header-safe are checked:
 * no bare CR or LF inside a header line, valid UTF-8 where UTF-8 is promised.
 */
#include "fuzz.h"

#include "mail/mime.h"
#include "mime_internal.h"

/* A header value or line ("...\r\n" allowed only as CRLF followed by a space or tab, i.e. folding). */
static void check_header_safe(const char *s, int line)
{
    size_t n = strlen(s);
    if (line) {
        FZ_CHECK(n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n');
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r')
            FZ_CHECK(i + 2 < n && s[i + 1] == '\n' && (s[i + 2] == ' ' || s[i + 2] == '\t'));
        else if (s[i] == '\n')
            FZ_CHECK(i > 0 && s[i - 1] == '\r');
    }
}

static void one_field(int fn, const char *a, size_t alen, const char *b)
{
    char err[256], *out = NULL;
    size_t count = 0;
    switch (fn) {
    case 0:
        out = mcp_mime_decode_words(a);
        FZ_CHECK(out != NULL); /* raw bytes outside encoded-words pass as they are: UTF-8 in, UTF-8 out */
        FZ_CHECK(!mcp__utf8_valid(a, strlen(a)) || mcp__utf8_valid(out, strlen(out)));
        break;
    case 1:
        if (mcp_mime_format_addresses(a, 4, &out, &count, err, sizeof(err)) == 0) {
            FZ_CHECK(out != NULL && count > 0 && count <= MCP_MIME_MAX_ADDRESSES);
            check_header_safe(out, 0);
        } else {
            FZ_CHECK(out == NULL && err[0] != '\0');
        }
        break;
    case 2:
        out = mcp_mime_address_specs(a);
        FZ_CHECK(out != NULL);
        break;
    case 3:
        out = mcp_mime_to_utf8(a, alen, b);
        FZ_CHECK(out != NULL && mcp__utf8_valid(out, strlen(out)));
        break;
    case 4:
        if ((out = mcp_mime_header_line("Subject", a)) != NULL) {
            FZ_CHECK(mcp_mime_header_text_ok(a));
            check_header_safe(out, 1);
        }
        break;
    case 5:
        if (mcp_mime_header_text_ok(a)) {
            out = mcp_mime_encode_words(a, (size_t)(alen % 80));
            FZ_CHECK(out != NULL);
            check_header_safe(out, 0);
            char *back = mcp_mime_decode_words(out);
            FZ_CHECK(back != NULL && strcmp(back, a) == 0); /* encoded-words decode to the text again */
            free(back);
        }
        break;
    case 6:
        if ((out = mcp_mime_param("filename", a)) != NULL)
            check_header_safe(out, 0);
        break;
    case 7:
        out = mcp_mime_reply_subject(a);
        break;
    case 8: {
        (void)mcp_mime_addr_spec_valid(a);
        size_t t = mcp_utf8_truncate(a, alen, alen / 2);
        FZ_CHECK(t <= alen / 2);
        (void)mcp_mime_type_for_filename(a);
        break;
    }
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    int fn = fz_byte(&in) % 10;
    size_t alen = 0;
    char *a = fz_field(&in, &alen);
    char *b = fz_field(&in, NULL);
    if (fn < 9) {
        one_field(fn, a, alen, b);
    } else {
        /* a whole message: to, subject, text, html, attachment name, references from the fields */
        char *c = fz_field(&in, NULL), *d = fz_field(&in, NULL), *e = fz_field(&in, NULL);
        mcp_mime_attachment_t att = {.filename = e, .data = (const unsigned char *)d, .len = strlen(d)};
        mcp_mime_message_t m = {.from = "Me <me@example.com>",
                                .to = a,
                                .cc = "x@example.com",
                                .subject = b,
                                .text_body = c,
                                .html_body = d[0] ? d : NULL,
                                .in_reply_to = "<id@example.com>",
                                .references = e,
                                .attachments = e[0] ? &att : NULL,
                                .n_attachments = e[0] ? 1 : 0,
                                .date = 1700000000};
        char *out = NULL, err[256];
        size_t out_len = 0;
        if (mcp_mime_build(&m, &out, &out_len, err, sizeof(err)) == 0) {
            FZ_CHECK(out != NULL && out_len == strlen(out));
            free(out);
        }
        free(c);
        free(d);
        free(e);
    }
    free(a);
    free(b);
    return 0;
}
