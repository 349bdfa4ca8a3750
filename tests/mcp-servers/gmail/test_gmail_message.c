/* test_gmail_message.c - Gmail message resources (payload part trees) to summaries: body choice, base64url
 * decoding, charsets, HTML conversion, attachments, truncation, headers. */
#include "common/crypto.h"
#include "cu.h"
#include "gmail.h"

#include <stdlib.h>
#include <string.h>

static char *b64u(const char *s)
{
    return cm_b64url_encode(s, strlen(s));
}

static json_t *part(const char *mime, const char *filename, const char *data, const char *ct)
{
    char *d = data ? b64u(data) : NULL;
    json_t *p = json_pack("{s:s, s:s, s:[], s:{s:i}}", "mimeType", mime, "filename", filename ? filename : "",
                          "headers", "body", "size", data ? (int)strlen(data) : 0);
    if (d)
        json_object_set_new(json_object_get(p, "body"), "data", json_string(d));
    if (ct)
        json_array_append_new(json_object_get(p, "headers"),
                              json_pack("{s:s, s:s}", "name", "Content-Type", "value", ct));
    free(d);
    return p;
}

static json_t *message(json_t *payload)
{
    json_t *h =
        json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s}]", "name", "From", "value", "=?UTF-8?B?SsO2cmc=?= <j@example.com>",
                  "name", "Subject", "value", "Hello", "name", "Message-ID", "value", "<x@example.com>");
    json_array_extend(h, json_object_get(payload, "headers"));
    json_object_set_new(payload, "headers", h);
    return json_pack("{s:s, s:s, s:[s,s], s:s, s:o}", "id", "m1", "threadId", "t1", "labelIds", "INBOX", "UNREAD",
                     "snippet", "Hi &amp; bye", "payload", payload);
}

static void test_plain_preferred(void)
{
    json_t *alt = part("multipart/alternative", NULL, NULL, NULL);
    json_object_set_new(
        alt, "parts",
        json_pack("[o,o]", part("text/html", NULL, "<p>html</p>", NULL), part("text/plain", NULL, "plain text", NULL)));
    json_t *m = message(alt);
    json_t *s = gm_message_summary(m, 1, 1000);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "body")), "plain text");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "from")), "Jörg <j@example.com>");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "snippet")), "Hi & bye");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "message_id")), "<x@example.com>");
    CU_ASSERT_TRUE(json_is_true(json_object_get(s, "unread")));
    cm_buf_t b = {0};
    gm_message_render(&b, s);
    char *t = cm_buf_take(&b);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "From: Jörg <j@example.com>\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "[unread]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\nplain text\n"));
    free(t);
    json_decref(s);
    json_decref(m);
}

static void test_html_only_nested_with_attachments(void)
{
    json_t *alt = part("multipart/alternative", NULL, NULL, NULL);
    json_object_set_new(alt, "parts",
                        json_pack("[o]", part("text/html", NULL,
                                              "<p>Hi <a href=\"https://x.org\">x</a></p>"
                                              "<script>evil()</script>",
                                              "text/html; charset=utf-8")));
    json_t *att = part("application/pdf", "r.pdf", NULL, NULL);
    json_object_set_new(json_object_get(att, "body"), "attachmentId", json_string("ATT1"));
    json_t *txt_att = part("text/plain", "notes.txt", "note", NULL); /* a text file attachment is no body */
    json_t *mixed = part("multipart/mixed", NULL, NULL, NULL);
    json_object_set_new(mixed, "parts", json_pack("[o,o,o]", alt, att, txt_att));
    json_t *m = message(mixed);
    json_t *s = gm_message_summary(m, 1, 1000);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "body")), "Hi x (https://x.org)");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "body_format")), "text/html (converted)");
    json_t *atts = json_object_get(s, "attachments");
    CU_ASSERT_EQUAL(json_array_size(atts), 2);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(atts, 0), "attachment_id")), "ATT1");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(atts, 1), "filename")), "notes.txt");
    json_decref(s);
    json_decref(m);
}

static void test_charset_truncation(void)
{
    json_t *m = message(part("text/plain", NULL, "Caf\xE9 au lait", "text/plain; charset=\"ISO-8859-1\""));
    json_t *s = gm_message_summary(m, 1, 1000);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "body")), "Café au lait");
    json_decref(s);
    s = gm_message_summary(m, 1, 4); /* four characters, not bytes */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "body")), "Café");
    CU_ASSERT_TRUE(json_is_true(json_object_get(s, "body_truncated")));
    json_decref(s);
    s = gm_message_summary(m, 0, 0); /* metadata only */
    CU_ASSERT_PTR_NULL(json_object_get(s, "body"));
    json_decref(s);
    json_decref(m);
}

static void test_bad_data(void)
{
    json_t *p = part("text/plain", NULL, NULL, NULL);
    json_object_set_new(json_object_get(p, "body"), "data", json_string("!!!not base64!!!"));
    json_t *m = message(p);
    json_t *s = gm_message_summary(m, 1, 100);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "body")), "");
    json_decref(s);
    json_decref(m);
    /* padded base64url (Gmail pads) decodes */
    m = message(part("text/plain", NULL, NULL, NULL));
    json_object_set_new(json_object_get(json_object_get(m, "payload"), "body"), "data", json_string("YWI="));
    s = gm_message_summary(m, 1, 100);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(s, "body")), "ab");
    json_decref(s);
    json_decref(m);
}

void tests_register(void)
{
    CU_SUITE("gmail message", NULL, NULL, {"text/plain preferred", test_plain_preferred},
             {"html only, nested, attachments", test_html_only_nested_with_attachments},
             {"charset, truncation", test_charset_truncation}, {"bad data", test_bad_data});
}
