/*
 * fuzz_html_text.c - HTML mail bodies to text (mcp-servers/runtime/src/html_text.c) and character references.
 *
 * The text must be valid UTF-8 when the input was, and never longer than a small multiple of the input.
 */
#include "fuzz.h"

#include "mail/html_text.h"
#include "mime_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = mcp_html_to_text((const char *)data, size);
    FZ_CHECK(text != NULL);
    if (mcp__utf8_valid((const char *)data, size))
        FZ_CHECK(mcp__utf8_valid(text, strlen(text)));
    FZ_CHECK(strlen(text) <= 4 * size + 16);
    free(text);

    char out[16];
    size_t out_len = 0;
    for (size_t i = 0; i < size && i < 64; i++) {
        if (data[i] != '&')
            continue;
        size_t used = mcp_html_entity((const char *)data + i, size - i, out, &out_len);
        FZ_CHECK(used <= size - i && out_len <= sizeof(out));
    }
    return 0;
}
