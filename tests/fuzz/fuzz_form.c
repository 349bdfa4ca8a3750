/*
 * fuzz_form.c - query strings and application/x-www-form-urlencoded bodies (common/src/url.c): the parser
 * behind every ?query the broker and the MCP servers read (cm_form_parse, cm_form_get, cm_req_query),
 * percent-decoding, and encoding round trips.
 */
#include "fuzz.h"

#include "common/status.h"
#include "common/url.h"

struct seen {
    size_t pairs;
    size_t max_len;
};

static int on_pair(void *arg, const char *name, const char *value)
{
    struct seen *s = arg;
    FZ_CHECK(name != NULL && value != NULL);
    FZ_CHECK(strlen(name) <= s->max_len && strlen(value) <= s->max_len);
    s->pairs++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct seen seen = {.max_len = size};
    int rc = cm_form_parse(s, size, on_pair, &seen);
    FZ_CHECK(rc == CM_OK || rc == CM_EINVAL);
    FZ_CHECK(rc == CM_OK || seen.pairs == 0); /* a malformed input never reaches the callback */
    FZ_CHECK(seen.pairs <= (size + 1) / 2);   /* every pair takes a byte and a separator, the last excepted */

    char *state = cm_form_get(s, size, "state");
    FZ_CHECK(rc == CM_OK || state == NULL);
    free(state);

    for (int plus = 0; plus <= 1; plus++) {
        size_t outlen = 0;
        char *raw = cm_url_unescape(s, size, plus, &outlen);
        if (raw != NULL) {
            FZ_CHECK(outlen <= size && raw[outlen] == '\0');
            free(raw);
        }
    }

    /* encoding then decoding gives the bytes back (form-encoded pairs too) */
    char *esc = cm_url_escape(s, size);
    FZ_CHECK(esc != NULL);
    size_t back_len = 0;
    char *back = cm_url_unescape(esc, strlen(esc), 0, &back_len);
    FZ_CHECK(back != NULL && back_len == size && (size == 0 || memcmp(back, data, size) == 0));
    free(back);
    free(esc);

    char *text = fz_strndup(data, size);
    cm_buf_t b = {0};
    FZ_CHECK(cm_form_add(&b, "k", text) == CM_OK);
    char *form = cm_buf_take(&b);
    FZ_CHECK(form != NULL);
    char *got = cm_form_get(form, strlen(form), "k");
    FZ_CHECK(got != NULL && strcmp(got, text) == 0);
    free(got);
    free(form);
    free(text);
    return 0;
}
