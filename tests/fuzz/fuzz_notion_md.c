/*
 * fuzz_notion_md.c - markdown to Notion blocks and blocks to markdown (mcp-servers/notion/md_blocks.c, md_render.c).
 *
 * Input "markdown\0blocks JSON". The blocks of any markdown keep Notion's request limits (every text.content at most
 * NT_TEXT_MAX UTF-16 units and valid UTF-8 when the input was, at most NT_RICH_TEXT_MAX rich text objects a block,
 * NT_CHILDREN_MAX children, the block budget), every request chunk is within NT_CHILDREN_MAX, and rendering them,
 * or any JSON, terminates without a fault.
 */
#include "fuzz.h"

#include "mime_internal.h"
#include "notion_md.h"

#include <jansson.h>

static size_t check_blocks(json_t *blocks, int depth)
{
    size_t i, n = 0;
    json_t *b;
    FZ_CHECK(json_array_size(blocks) <= NT_CHILDREN_MAX || depth == 0);
    json_array_foreach(blocks, i, b)
    {
        const char *type = json_string_value(json_object_get(b, "type"));
        FZ_CHECK(type != NULL);
        json_t *body = json_object_get(b, type), *rt = json_object_get(body, "rich_text"), *t;
        size_t k;
        FZ_CHECK(json_array_size(rt) <= NT_RICH_TEXT_MAX);
        json_array_foreach(rt, k, t)
        {
            json_t *c = json_object_get(json_object_get(t, "text"), "content");
            FZ_CHECK(json_is_string(c) && json_string_length(c) > 0);
            FZ_CHECK(nt_utf16_len(json_string_value(c), json_string_length(c)) <= NT_TEXT_MAX);
            FZ_CHECK(mcp__utf8_valid(json_string_value(c), json_string_length(c)));
        }
        json_t *kids = json_object_get(body, "children");
        FZ_CHECK(kids == NULL || depth == 0); /* one level of nesting */
        n += 1 + (kids ? check_blocks(kids, depth + 1) : 0);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t md_len = nul ? (size_t)(nul - data) : size;
    char *md = fz_strndup(data, md_len);
    json_t *blocks = NULL;
    char err[128];
    if (mcp__utf8_valid(md, md_len) && nt_md_to_blocks(md, 200, &blocks, err, sizeof(err)) == 0) {
        FZ_CHECK(check_blocks(blocks, 0) <= 200);
        for (size_t from = 0, n; from < json_array_size(blocks); from += n) {
            n = nt_blocks_chunk(blocks, from);
            FZ_CHECK(n >= 1 && n <= NT_CHILDREN_MAX);
        }
        cm_buf_t b = {0};
        nt_md_render(&b, blocks);
        cm_buf_free(&b);
        json_decref(blocks);
    }
    free(md);
    if (nul != NULL) {
        json_t *j = json_loadb((const char *)nul + 1, size - md_len - 1, 0, NULL);
        cm_buf_t b = {0};
        nt_md_render(&b, json_is_array(j) ? j : NULL);
        cm_buf_free(&b);
        json_decref(j);
    }
    return 0;
}
