/* test_mime.c - the runtime's MIME pieces: header safety, addresses, RFC 2047 both ways, RFC 2231, charsets,
 * message building (CRLF, multipart, threading headers). */
#include "common/crypto.h"
#include "cu.h"
#include "mail/mime.h"

#include <stdlib.h>
#include <string.h>

static void test_header_safety(void)
{
    CU_ASSERT_TRUE(mcp_mime_header_text_ok("Grüße"));
    CU_ASSERT_FALSE(mcp_mime_header_text_ok("a\r\nBcc: x@y.z"));
    CU_ASSERT_FALSE(mcp_mime_header_text_ok("a\nb"));
    CU_ASSERT_FALSE(mcp_mime_header_text_ok("bad \xC3\x28 utf8"));
    CU_ASSERT_PTR_NULL(mcp_mime_header_line("Subject", "x\rBcc: y"));
    CU_ASSERT_PTR_NULL(mcp_mime_param("filename", "a\nb"));
}

static void test_addr_spec(void)
{
    CU_ASSERT_TRUE(mcp_mime_addr_spec_valid("a.b+tag@example.co.uk"));
    CU_ASSERT_TRUE(mcp_mime_addr_spec_valid("o'neil@ex-ample.com"));
    CU_ASSERT_FALSE(mcp_mime_addr_spec_valid("no-at.example.com"));
    CU_ASSERT_FALSE(mcp_mime_addr_spec_valid("a..b@example.com"));
    CU_ASSERT_FALSE(mcp_mime_addr_spec_valid(".a@example.com"));
    CU_ASSERT_FALSE(mcp_mime_addr_spec_valid("a@localhost"));
    CU_ASSERT_FALSE(mcp_mime_addr_spec_valid("a@-ex.com"));
    CU_ASSERT_FALSE(mcp_mime_addr_spec_valid("a b@example.com"));
    CU_ASSERT_FALSE(mcp_mime_addr_spec_valid("a@exa_mple.com"));
}

static void test_format_addresses(void)
{
    char err[200], *out = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL(mcp_mime_format_addresses("Jane Doe <jane@example.com>, \"Doe, J.\" <j@example.com>,x@example.org",
                                              4, &out, &n, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_STRING_EQUAL(out, "Jane Doe <jane@example.com>, \"Doe, J.\" <j@example.com>, x@example.org");
    free(out);
    CU_ASSERT_EQUAL(mcp_mime_format_addresses("Jörg <j@example.com>", 4, &out, &n, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(out, "=?UTF-8?B?SsO2cmc=?= <j@example.com>");
    free(out);
    CU_ASSERT_EQUAL(mcp_mime_format_addresses("good@example.com, bad", 4, &out, &n, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "'bad'"));
    CU_ASSERT_EQUAL(mcp_mime_format_addresses("  ", 4, &out, &n, err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(mcp_mime_format_addresses("Name <a@example.com", 4, &out, &n, err, sizeof(err)), -1);
    /* many addresses fold at 76 columns */
    char list[2000] = "";
    size_t o = 0;
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(list + o, sizeof(list) - o, "%suser%d@example.com", i ? ", " : "", i);
    CU_ASSERT_EQUAL(mcp_mime_format_addresses(list, 4, &out, &n, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(n, 20);
    for (char *line = out, *e; line; line = e ? e + 2 : NULL) {
        e = strstr(line, "\r\n");
        CU_ASSERT((size_t)(e ? e - line : (long)strlen(line)) <= 76);
    }
    free(out);
    char *specs = mcp_mime_address_specs("\"A, B\" <A@Example.com>, c@d.org, junk");
    CU_ASSERT_STRING_EQUAL(specs, "a@example.com,c@d.org");
    free(specs);
}

static void test_encoded_words(void)
{
    char *l = mcp_mime_header_line("Subject", "Hello world");
    CU_ASSERT_STRING_EQUAL(l, "Subject: Hello world\r\n");
    free(l);
    l = mcp_mime_header_line("Subject", "Grüße");
    CU_ASSERT_STRING_EQUAL(l, "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n");
    free(l);
    /* long non-ASCII: every word <= 75, every line <= 76, no split UTF-8 sequence, decodes back */
    const char *subj = "東京の会議についての長いお知らせ、よろしくお願いします。東京の会議についての長いお知らせ";
    l = mcp_mime_header_line("Subject", subj);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    for (char *line = l, *e; (e = strstr(line, "\r\n")) != NULL; line = e + 2)
        CU_ASSERT((size_t)(e - line) <= 76);
    char *value = strdup(l + 9);
    value[strlen(value) - 2] = '\0';
    char *dec = mcp_mime_decode_words(value);
    CU_ASSERT_STRING_EQUAL(dec, subj);
    free(dec);
    free(value);
    free(l);
    /* little room left on the first line (an address list's display name): a character wider than the room
     * goes whole into a longer word, never split across two words (RFC 2047 section 5) */
    char *w = mcp_mime_encode_words("\xf0\x9f\x98\x80 e+Gt linetha!", 18);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_PTR_NULL(strstr(w, "=?UTF-8?B?8A==?=")); /* 0xF0 alone: the first byte of the emoji */
    dec = mcp_mime_decode_words(w);
    CU_ASSERT_STRING_EQUAL(dec, "\xf0\x9f\x98\x80 e+Gt linetha!");
    free(dec);
    free(w);
    /* ASCII that looks like an encoded-word is encoded, so it cannot be misread */
    l = mcp_mime_header_line("Subject", "=?UTF-8?B?eA==?=");
    CU_ASSERT_PTR_NOT_NULL(strstr(l, "=?UTF-8?B?PT9VVEYtOD9CP2VBPT0/PQ==?="));
    free(l);
    /* long ASCII folds at spaces */
    l = mcp_mime_header_line("Subject", "word word word word word word word word word word word word word word word "
                                        "word word word");
    CU_ASSERT_PTR_NOT_NULL(strstr(l, "\r\n word"));
    free(l);
}

static void test_decode_words(void)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"=?UTF-8?B?SsO2cmc=?= <j@example.com>", "Jörg <j@example.com>"},
        {"=?utf-8?q?Gr=C3=BC=C3=9Fe_aus?= Köln", "Grüße aus Köln"},
        {"=?ISO-8859-1?Q?Caf=E9?=", "Café"},
        {"=?UTF-8?B?YQ==?= =?UTF-8?B?Yg==?=", "ab"},      /* space between words dropped */
        {"=?UTF-8?B?YQ==?= x =?UTF-8?B?Yg==?=", "a x b"}, /* not between words: kept */
        {"=?KOI8-R?B?eA==?=", "=?KOI8-R?B?eA==?="},       /* unknown charset kept */
        {"=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="},
        {"plain", "plain"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *d = mcp_mime_decode_words(cases[i].in);
        CU_ASSERT_STRING_EQUAL(d, cases[i].out);
        free(d);
    }
}

static void test_params(void)
{
    char *p = mcp_mime_param("filename", "report.pdf");
    CU_ASSERT_STRING_EQUAL(p, ";\r\n filename=report.pdf");
    free(p);
    p = mcp_mime_param("filename", "my \"file\".txt");
    CU_ASSERT_STRING_EQUAL(p, ";\r\n filename=\"my \\\"file\\\".txt\"");
    free(p);
    p = mcp_mime_param("filename", "Übersicht.txt");
    CU_ASSERT_STRING_EQUAL(p, ";\r\n filename*=UTF-8''%C3%9Cbersicht.txt");
    free(p);
    p = mcp_mime_param("filename", "ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ.txt"); /* continuations, no split %XX */
    CU_ASSERT_PTR_NOT_NULL(strstr(p, "filename*0*=UTF-8''"));
    CU_ASSERT_PTR_NOT_NULL(strstr(p, "filename*1*="));
    free(p);
}

static void test_charset_and_subject(void)
{
    char *u = mcp_mime_to_utf8("Caf\xE9 \x80", 6, "iso-8859-1");
    CU_ASSERT_STRING_EQUAL(u, "Café \xC2\x80");
    free(u);
    u = mcp_mime_to_utf8("\x93quoted\x94", 8, "windows-1252");
    CU_ASSERT_STRING_EQUAL(u, "“quoted”");
    free(u);
    u = mcp_mime_to_utf8("ok \xFF end", 8, NULL);
    CU_ASSERT_STRING_EQUAL(u, "ok \xEF\xBF\xBD end");
    free(u);
    CU_ASSERT_EQUAL(mcp_utf8_truncate("aé", 3, 2), 1);
    char *s = mcp_mime_reply_subject("Hello");
    CU_ASSERT_STRING_EQUAL(s, "Re: Hello");
    free(s);
    s = mcp_mime_reply_subject("RE: Hello");
    CU_ASSERT_STRING_EQUAL(s, "RE: Hello");
    free(s);
    CU_ASSERT_STRING_EQUAL(mcp_mime_type_for_filename("a.PDF"), "application/pdf");
    CU_ASSERT_STRING_EQUAL(mcp_mime_type_for_filename("noext"), "application/octet-stream");
}

static char *build(const mcp_mime_message_t *m, char *err, size_t errsz)
{
    char *out = NULL;
    size_t len = 0;
    if (mcp_mime_build(m, &out, &len, err, errsz) != 0)
        return NULL;
    CU_ASSERT_EQUAL(len, strlen(out));
    return out;
}

static void test_build_simple(void)
{
    char err[200];
    mcp_mime_message_t m = {.to = "a@example.com", .subject = "Hi", .text_body = "line1\nline2", .date = 1700000000};
    char *out = build(&m, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(out, "To: a@example.com\r\nSubject: Hi\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Transfer-Encoding: 7bit\r\n\r\nline1\r\nline2\r\n"));
    for (char *p = out; *p; p++) /* every LF is part of CRLF */
        if (*p == '\n')
            CU_ASSERT(p > out && p[-1] == '\r');
    free(out);
    /* non-ASCII body -> base64 */
    m.text_body = "Grüße";
    out = build(&m, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Transfer-Encoding: base64\r\n\r\nR3LDvMOfZQ==\r\n"));
    free(out);
}

static void test_build_errors(void)
{
    char err[200];
    mcp_mime_message_t m = {.to = "a@example.com", .subject = "x\r\nBcc: evil@example.com", .text_body = "b"};
    CU_ASSERT_PTR_NULL(build(&m, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "subject"));
    m = (mcp_mime_message_t){.to = "bad address", .text_body = "b"};
    CU_ASSERT_PTR_NULL(build(&m, err, sizeof(err)));
    CU_ASSERT_EQUAL(strncmp(err, "to:", 3), 0);
    m = (mcp_mime_message_t){.text_body = "b"};
    CU_ASSERT_PTR_NULL(build(&m, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "recipient"));
    m = (mcp_mime_message_t){.to = "a@example.com", .in_reply_to = "no-brackets"};
    CU_ASSERT_PTR_NULL(build(&m, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "in_reply_to"));
    mcp_mime_attachment_t a = {.filename = "a\nb.txt", .data = (const unsigned char *)"x", .len = 1};
    m = (mcp_mime_message_t){.to = "a@example.com", .attachments = &a, .n_attachments = 1};
    CU_ASSERT_PTR_NULL(build(&m, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "attachments[0].filename"));
    a = (mcp_mime_attachment_t){
        .filename = "a.txt", .content_type = "text/plain\r\nX: y", .data = (const unsigned char *)"x", .len = 1};
    CU_ASSERT_PTR_NULL(build(&m, err, sizeof(err)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "mime_type"));
}

static void test_build_multipart_and_threading(void)
{
    char err[200];
    unsigned char bin[100];
    for (size_t i = 0; i < sizeof(bin); i++)
        bin[i] = (unsigned char)i;
    mcp_mime_attachment_t a[] = {{.filename = "data.bin", .data = bin, .len = sizeof(bin)},
                                 {.filename = "Übersicht.pdf", .data = (const unsigned char *)"%PDF", .len = 4}};
    mcp_mime_message_t m = {.to = "a@example.com",
                            .subject = "Re: x",
                            .text_body = "t",
                            .html_body = "<p>t</p>",
                            .in_reply_to = "<id1@example.com>",
                            .references = "<id0@example.com> <id1@example.com>",
                            .attachments = a,
                            .n_attachments = 2};
    char *out = build(&m, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "In-Reply-To: <id1@example.com>\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "References: <id0@example.com>\r\n <id1@example.com>\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Type: multipart/mixed;\r\n boundary=\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Type: multipart/alternative;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Type: text/html; charset=\"UTF-8\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Type: application/octet-stream;\r\n name=data.bin\r\n"
                                       "Content-Disposition: attachment;\r\n filename=data.bin\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Type: application/pdf;\r\n name*=UTF-8''%C3%9Cbersicht.pdf"));
    /* the binary attachment round-trips */
    char *b64 = cm_b64_encode(bin, 57);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, b64));
    free(b64);
    /* the closing boundary ends the message */
    const char *bd = strstr(out, "boundary=\"") + 10;
    char close[80];
    snprintf(close, sizeof(close), "--%.*s--\r\n", (int)(strchr(bd, '"') - bd), bd);
    CU_ASSERT_STRING_EQUAL(out + strlen(out) - strlen(close), close);
    free(out);
}

void tests_register(void)
{
    CU_SUITE("mime", NULL, NULL, {"header safety", test_header_safety}, {"addr-spec", test_addr_spec},
             {"address lists", test_format_addresses}, {"RFC 2047 encode", test_encoded_words},
             {"RFC 2047 decode", test_decode_words}, {"RFC 2231 params", test_params},
             {"charsets, subjects", test_charset_and_subject}, {"build simple", test_build_simple},
             {"build errors", test_build_errors}, {"multipart + threading", test_build_multipart_and_threading});
}
