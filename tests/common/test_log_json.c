/*
 * test_log_json.c - the JSON line format of common/src/log.c (every line parses, with jansson, which refuses
 * anything that is not UTF-8; control characters escaped; bytes that are not UTF-8 become U+FFFD; key=value words
 * as members; the request id), the text format with and without a request id, flood control in JSON, and request
 * id validation, generation and nesting (common/request_id.h).
 */
#include "cu.h"
#include "log_capture.h"

#include "common/log.h"
#include "common/request_id.h"
#include "common/status.h"

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Logs one line in JSON and returns it parsed (caller decrefs); fails the test unless it is exactly one valid line. */
static json_t *one_json_line(const char *comp, const char *fmt_arg)
{
    capture_start();
    cm_log(CM_LOG_INFO, comp, "%s", fmt_arg);
    char *out = capture_end();
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    size_t len = strlen(out);
    CU_ASSERT_FATAL(len > 1 && out[len - 1] == '\n');
    CU_ASSERT_PTR_NULL(memchr(out, '\n', len - 1));
    json_error_t e;
    json_t *j = json_loads(out, 0, &e);
    if (j == NULL)
        fprintf(stderr, "not JSON (%s): %s", e.text, out);
    free(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    return j;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void test_members_and_fields(void)
{
    json_t *j = one_json_line("broker", "vend instance=abc status=200 why=\"a b\" ts=forged msg=forged");
    CU_ASSERT_STRING_EQUAL(str(j, "level"), "info");
    CU_ASSERT_STRING_EQUAL(str(j, "comp"), "broker");
    CU_ASSERT_STRING_EQUAL(str(j, "msg"), "vend instance=abc status=200 why=\"a b\" ts=forged msg=forged");
    CU_ASSERT_STRING_EQUAL(str(j, "instance"), "abc");
    CU_ASSERT_STRING_EQUAL(str(j, "status"), "200");
    CU_ASSERT_STRING_EQUAL(str(j, "why"), "a b");
    CU_ASSERT_PTR_NULL(json_object_get(j, "request_id"));
    /* the reserved members are the logger's, never a word of the message */
    regex_t re;
    CU_ASSERT_FATAL(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
                            REG_EXTENDED | REG_NOSUB) == 0);
    CU_ASSERT_EQUAL(regexec(&re, str(j, "ts"), 0, NULL, 0), 0);
    regfree(&re);
    json_decref(j);
}

static void test_control_characters_escaped(void)
{
    json_t *j = one_json_line("c\x01omp", "tab\there \x01\x1f\x7f quote\" back\\slash new\nline");
    /* a newline is made a space (one event, one line) before formatting; the rest survives escaped */
    CU_ASSERT_STRING_EQUAL(str(j, "msg"), "tab\there \x01\x1f\x7f quote\" back\\slash new line");
    CU_ASSERT_STRING_EQUAL(str(j, "comp"), "c\x01omp");
    json_decref(j);
    capture_start();
    cm_log(CM_LOG_WARN, "t", "%s",
           "a\x01"
           "b");
    char *raw = capture_end();
    CU_ASSERT_PTR_NOT_NULL(strstr(raw, "a\\u0001b"));
    CU_ASSERT_PTR_NULL(strchr(raw, '\x01'));
    free(raw);
}

static void test_utf8(void)
{
    json_t *j = one_json_line("t", "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x94\x91");
    CU_ASSERT_STRING_EQUAL(str(j, "msg"), "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x94\x91");
    json_decref(j);
    /* a stray byte, a truncated sequence, an overlong form, a surrogate: each byte that is not UTF-8 is U+FFFD */
    j = one_json_line("t", "a\xff"
                           "b\xc3"
                           "c\xc0\xaf"
                           "d\xed\xa0\x80"
                           "e\xe6\x97");
    CU_ASSERT_STRING_EQUAL(str(j, "msg"), "a\xef\xbf\xbd"
                                          "b\xef\xbf\xbd"
                                          "c\xef\xbf\xbd\xef\xbf\xbd"
                                          "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                          "e\xef\xbf\xbd\xef\xbf\xbd");
    json_decref(j);
}

static void test_request_id_member(void)
{
    cm_reqid_t saved;
    cm_reqid_enter("req-1.A_b", &saved);
    json_t *j = one_json_line("t", "inside request_id=forged");
    CU_ASSERT_STRING_EQUAL(str(j, "request_id"), "req-1.A_b");
    json_decref(j);
    cm_reqid_restore(&saved);
    j = one_json_line("t", "outside");
    CU_ASSERT_PTR_NULL(json_object_get(j, "request_id"));
    json_decref(j);
}

static void test_long_message_stays_json(void)
{
    char big[4096];
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = i % 3 == 0 ? '\x01' : i % 3 == 1 ? '"' : 'k';
    big[sizeof(big) - 1] = '\0';
    json_t *j = one_json_line("t", big);
    CU_ASSERT_EQUAL(strlen(str(j, "msg")), 2047); /* the message cap, as in text */
    json_decref(j);
}

static void test_flood_control_in_json(void)
{
    cm_log_set_rate_limit_ms(60000);
    cm_reqid_t saved;
    cm_reqid_enter("burst", &saved);
    capture_start();
    for (int i = 0; i < 50; i++)
        cm_warn("t", "upstream down for request %d", i);
    cm_log_flush();
    char *out = capture_end();
    cm_reqid_restore(&saved);
    cm_log_set_rate_limit_ms(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    int lines = 0;
    json_t *last = NULL;
    for (char *save = NULL, *l = strtok_r(out, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
        json_decref(last);
        last = json_loads(l, 0, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(last);
        lines++;
    }
    CU_ASSERT_EQUAL(lines, 2);
    CU_ASSERT_STRING_EQUAL(str(last, "folded"), "49");
    CU_ASSERT_STRING_EQUAL(str(last, "level"), "warn");
    CU_ASSERT_PTR_NULL(json_object_get(last, "request_id")); /* a count spans requests */
    json_decref(last);
    free(out);
}

static void test_text_format(void)
{
    cm_log_set_format(CM_LOG_FORMAT_TEXT);
    regex_t re;
    CU_ASSERT_FATAL(regcomp(&re,
                            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z level=info comp=t "
                            "plain x=1\n[^\n]+Z level=info comp=t in a request request_id=r1\n$",
                            REG_EXTENDED | REG_NOSUB) == 0);
    capture_start();
    cm_info("t", "plain x=%d", 1);
    cm_reqid_t saved;
    cm_reqid_enter("r1", &saved);
    cm_info("t", "in a request");
    cm_reqid_restore(&saved);
    char *out = capture_end();
    CU_ASSERT_EQUAL(regexec(&re, out, 0, NULL, 0), 0);
    regfree(&re);
    free(out);
    cm_log_set_format(CM_LOG_FORMAT_JSON);
    CU_ASSERT_EQUAL(cm_log_format_from_str("JSON"), CM_LOG_FORMAT_JSON);
    CU_ASSERT_EQUAL(cm_log_format_from_str("text"), CM_LOG_FORMAT_TEXT);
    CU_ASSERT_EQUAL(cm_log_format_from_str("xml"), -1);
}

static void test_request_id_validation(void)
{
    char max[CM_REQID_MAX + 2];
    memset(max, 'a', sizeof(max));
    CU_ASSERT_TRUE(cm_reqid_valid("a", 1));
    CU_ASSERT_TRUE(cm_reqid_valid("Az09._-", 7));
    CU_ASSERT_TRUE(cm_reqid_valid(max, CM_REQID_MAX));
    CU_ASSERT_FALSE(cm_reqid_valid(max, CM_REQID_MAX + 1));
    CU_ASSERT_FALSE(cm_reqid_valid("", 0));
    CU_ASSERT_FALSE(cm_reqid_valid(NULL, 3));
    const char *bad[] = {"a b", "a/b", "a\nb", "a\"b", "caf\xc3\xa9", "a=b", "a;b", "%41"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_FALSE(cm_reqid_valid(bad[i], strlen(bad[i])));

    cm_reqid_t a, b;
    CU_ASSERT_EQUAL(cm_reqid_from_header("client-id.7", 11, &a), CM_OK);
    CU_ASSERT_STRING_EQUAL(a.s, "client-id.7");
    CU_ASSERT_EQUAL(cm_reqid_from_header("bad id", 6, &a), CM_OK);
    CU_ASSERT_EQUAL(cm_reqid_from_header(NULL, 0, &b), CM_OK);
    CU_ASSERT_EQUAL(strlen(a.s), 32);
    CU_ASSERT_EQUAL(strspn(a.s, "0123456789abcdef"), 32);
    CU_ASSERT_STRING_NOT_EQUAL(a.s, b.s);
}

static void test_request_id_nesting(void)
{
    cm_reqid_t outer, inner;
    CU_ASSERT_PTR_NULL(cm_reqid_current());
    cm_reqid_enter("one", &outer);
    CU_ASSERT_STRING_EQUAL(cm_reqid_current(), "one");
    cm_reqid_enter("not well formed", &inner); /* never current */
    CU_ASSERT_PTR_NULL(cm_reqid_current());
    cm_reqid_restore(&inner);
    CU_ASSERT_STRING_EQUAL(cm_reqid_current(), "one");
    cm_reqid_enter(cm_reqid_current(), &inner); /* the current id again: no harm */
    CU_ASSERT_STRING_EQUAL(cm_reqid_current(), "one");
    cm_reqid_restore(&inner);
    cm_reqid_restore(&outer);
    CU_ASSERT_PTR_NULL(cm_reqid_current());
}

static int setup(void)
{
    cm_log_set_level(CM_LOG_DEBUG);
    cm_log_set_rate_limit_ms(0);
    cm_log_set_format(CM_LOG_FORMAT_JSON);
    return 0;
}

void tests_register(void)
{
    CU_SUITE("log_json", setup, NULL, {"members, key=value fields, reserved names", test_members_and_fields},
             {"control characters escaped", test_control_characters_escaped},
             {"UTF-8 kept, other bytes U+FFFD", test_utf8}, {"request_id member", test_request_id_member},
             {"a long message stays one JSON line", test_long_message_stays_json},
             {"flood control in JSON", test_flood_control_in_json},
             {"text format byte-compatible, request_id appended", test_text_format},
             {"request id validation and generation", test_request_id_validation},
             {"request id enter and restore", test_request_id_nesting});
}
