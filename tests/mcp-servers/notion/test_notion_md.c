/* test_notion_md.c - markdown <-> Notion blocks (mcp-servers/notion/md_blocks.c, md_render.c): inline markdown to
 * rich text, splitting at 2,000 UTF-16 units without cutting a character, more than 100 rich_text objects spread
 * over blocks, block kinds, nesting, the block limit, request chunks, code languages, and rendering back. */
#include "common/status.h"
#include "cu.h"
#include "notion_md.h"

#include <stdlib.h>
#include <string.h>

static const char *content(json_t *rt, size_t i)
{
    return json_string_value(json_object_get(json_object_get(json_array_get(rt, i), "text"), "content"));
}

static int ann(json_t *rt, size_t i, const char *key)
{
    return json_is_true(json_object_get(json_object_get(json_array_get(rt, i), "annotations"), key));
}

static void test_inline(void)
{
    const char *s = "a **b** *c* ~~d~~ `e*f` [g](https://x.org/h) snake_case_name \\*lit\\* 2*3";
    json_t *rt = nt_rich_text(s, strlen(s), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
    CU_ASSERT_STRING_EQUAL(content(rt, 0), "a ");
    CU_ASSERT_STRING_EQUAL(content(rt, 1), "b");
    CU_ASSERT_TRUE(ann(rt, 1, "bold"));
    CU_ASSERT_STRING_EQUAL(content(rt, 3), "c");
    CU_ASSERT_TRUE(ann(rt, 3, "italic"));
    CU_ASSERT_STRING_EQUAL(content(rt, 5), "d");
    CU_ASSERT_TRUE(ann(rt, 5, "strikethrough"));
    CU_ASSERT_STRING_EQUAL(content(rt, 7), "e*f"); /* no emphasis inside code */
    CU_ASSERT_TRUE(ann(rt, 7, "code"));
    CU_ASSERT_STRING_EQUAL(content(rt, 9), "g");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(
                               json_object_get(json_object_get(json_array_get(rt, 9), "text"), "link"), "url")),
                           "https://x.org/h");
    CU_ASSERT_STRING_EQUAL(content(rt, 10), " snake_case_name *lit* 2*3");
    CU_ASSERT_PTR_NULL(json_object_get(json_array_get(rt, 10), "annotations"));
    CU_ASSERT_EQUAL(json_array_size(rt), 11);
    json_decref(rt);
    /* a link to something that is not http(s) stays text (Notion refuses it) */
    rt = nt_rich_text("[x](javascript:alert(1))", 24, 1);
    CU_ASSERT_EQUAL(json_array_size(rt), 1);
    CU_ASSERT_STRING_EQUAL(content(rt, 0), "[x](javascript:alert(1))");
    json_decref(rt);
    rt = nt_rich_text("**not closed", 12, 1);
    CU_ASSERT_STRING_EQUAL(content(rt, 0), "**not closed");
    json_decref(rt);
    rt = nt_rich_text("**x**", 5, 0); /* literal */
    CU_ASSERT_STRING_EQUAL(content(rt, 0), "**x**");
    json_decref(rt);
}

static void test_split_utf16(void)
{
    /* 1,500 x "😀" (2 UTF-16 units, 4 bytes each) = 3,000 units: 1,000 characters a piece, 3 pieces */
    size_t n = 1500;
    char *s = malloc(n * 4 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * 4, "\xF0\x9F\x98\x80", 4);
    s[n * 4] = '\0';
    CU_ASSERT_EQUAL(nt_utf16_len(s, n * 4), 3000);
    json_t *rt = nt_rich_text(s, n * 4, 0);
    CU_ASSERT_EQUAL_FATAL(json_array_size(rt), 2);
    CU_ASSERT_EQUAL(nt_utf16_len(content(rt, 0), strlen(content(rt, 0))), 2000);
    CU_ASSERT_EQUAL(strlen(content(rt, 0)), 4000); /* 1,000 whole characters */
    CU_ASSERT_EQUAL(nt_utf16_len(content(rt, 1), strlen(content(rt, 1))), 1000);
    json_decref(rt);
    /* 'x' then emoji: the cut at 2,000 units would split the 1,000th emoji: it moves to the next piece */
    s[0] = 'x';
    memmove(s + 1, s + 4, (n - 1) * 4 + 1); /* "x" + 1,499 emoji = 2,999 units */
    rt = nt_rich_text(s, strlen(s), 0);
    CU_ASSERT_EQUAL_FATAL(json_array_size(rt), 2);
    CU_ASSERT_EQUAL(nt_utf16_len(content(rt, 0), strlen(content(rt, 0))), 1999);
    CU_ASSERT_EQUAL(nt_utf16_len(content(rt, 1), strlen(content(rt, 1))), 1000);
    json_decref(rt);
    free(s);
}

static void test_blocks(void)
{
    const char *md = "# H1\n## H2\n#### H4\n\npara line 1\npara line 2\n\n- a\n  - a.1\n* b\n1. one\n2) two\n"
                     "- [ ] open\n- [X] done\n> q1\n> q2\n\n```py\nx = 1\n\n```\n---\n#nohash\n";
    json_t *blocks = NULL;
    char err[128];
    CU_ASSERT_EQUAL_FATAL(nt_md_to_blocks(md, 100, &blocks, err, sizeof(err)), CM_OK);
    const char *types[] = {"heading_1",
                           "heading_2",
                           "heading_3",
                           "paragraph",
                           "bulleted_list_item",
                           "bulleted_list_item",
                           "numbered_list_item",
                           "numbered_list_item",
                           "to_do",
                           "to_do",
                           "quote",
                           "code",
                           "divider",
                           "paragraph"};
    CU_ASSERT_EQUAL_FATAL(json_array_size(blocks), sizeof(types) / sizeof(types[0]));
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(blocks, i), "type")), types[i]);
    json_t *para = json_object_get(json_array_get(blocks, 3), "paragraph");
    CU_ASSERT_STRING_EQUAL(content(json_object_get(para, "rich_text"), 0), "para line 1\npara line 2");
    json_t *a = json_object_get(json_array_get(blocks, 4), "bulleted_list_item");
    CU_ASSERT_EQUAL(json_array_size(json_object_get(a, "children")), 1);
    CU_ASSERT_EQUAL(nt_blocks_count(blocks), 15);
    CU_ASSERT_TRUE(json_is_false(json_object_get(json_object_get(json_array_get(blocks, 8), "to_do"), "checked")));
    CU_ASSERT_TRUE(json_is_true(json_object_get(json_object_get(json_array_get(blocks, 9), "to_do"), "checked")));
    json_t *quote = json_object_get(json_array_get(blocks, 10), "quote");
    CU_ASSERT_STRING_EQUAL(content(json_object_get(quote, "rich_text"), 0), "q1\nq2");
    json_t *code = json_object_get(json_array_get(blocks, 11), "code");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(code, "language")), "python");
    CU_ASSERT_STRING_EQUAL(content(json_object_get(code, "rich_text"), 0), "x = 1\n");
    json_decref(blocks);
    /* the block limit */
    CU_ASSERT_EQUAL(nt_md_to_blocks("a\n\nb\n\nc\n", 2, &blocks, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NULL(blocks);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 2 blocks"));
}

static void test_long_block_and_chunks(void)
{
    /* 450,000 characters: 225 rich_text objects -> paragraphs of 100, 100 and 25 */
    size_t n = 450000;
    char *s = malloc(n + 1);
    memset(s, 'y', n);
    s[n] = '\0';
    json_t *blocks = NULL;
    char err[64];
    CU_ASSERT_EQUAL_FATAL(nt_md_to_blocks(s, 1000, &blocks, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL_FATAL(json_array_size(blocks), 3);
    CU_ASSERT_EQUAL(
        json_array_size(json_object_get(json_object_get(json_array_get(blocks, 0), "paragraph"), "rich_text")),
        NT_RICH_TEXT_MAX);
    CU_ASSERT_EQUAL(
        json_array_size(json_object_get(json_object_get(json_array_get(blocks, 2), "paragraph"), "rich_text")), 25);
    /* 200 KB of JSON in each of the first two: they do not fit one request together (NT_REQUEST_BYTES), the last two
     * do */
    CU_ASSERT_EQUAL(nt_blocks_chunk(blocks, 0), 1);
    CU_ASSERT_EQUAL(nt_blocks_chunk(blocks, 1), 2);
    CU_ASSERT_EQUAL(nt_blocks_chunk(blocks, 3), 0);
    json_decref(blocks);
    free(s);
    /* 250 small blocks: 100, 100, 50 */
    cm_buf_t b = {0};
    for (int i = 0; i < 250; i++)
        cm_buf_printf(&b, "- item %d\n", i);
    CU_ASSERT_EQUAL_FATAL(nt_md_to_blocks(b.data, 1000, &blocks, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(nt_blocks_chunk(blocks, 0), 100);
    CU_ASSERT_EQUAL(nt_blocks_chunk(blocks, 100), 100);
    CU_ASSERT_EQUAL(nt_blocks_chunk(blocks, 200), 50);
    json_decref(blocks);
    cm_buf_free(&b);
}

static void test_languages(void)
{
    CU_ASSERT_STRING_EQUAL(nt_code_language("JS", 2), "javascript");
    CU_ASSERT_STRING_EQUAL(nt_code_language("c++", 3), "c++");
    CU_ASSERT_STRING_EQUAL(nt_code_language("cpp", 3), "c++");
    CU_ASSERT_STRING_EQUAL(nt_code_language("", 0), "plain text");
    CU_ASSERT_STRING_EQUAL(nt_code_language("klingon", 7), "plain text");
}

/* markdown -> blocks -> markdown gives the same text for what both directions know */
static void test_round_trip(void)
{
    const char *md =
        "# Title\n\nSome **bold** and *it* and `code` and [link](https://a.b/c).\n\n- one\n  - one.a\n- two\n"
        "1. first\n2. second\n- [ ] open\n- [x] done\n\n> quote\n> more\n\n```python\nprint(1)\n```\n\n---\n";
    json_t *blocks = NULL;
    char err[64];
    CU_ASSERT_EQUAL_FATAL(nt_md_to_blocks(md, 100, &blocks, err, sizeof(err)), CM_OK);
    /* what GET .../children answers: nested children come separately, under "children" of the block */
    json_t *one = json_array_get(blocks, 2);
    json_t *kids = json_object_get(json_object_get(one, "bulleted_list_item"), "children");
    json_object_set(one, "children", kids);
    json_object_del(json_object_get(one, "bulleted_list_item"), "children");
    cm_buf_t b = {0};
    nt_md_render(&b, blocks);
    CU_ASSERT_STRING_EQUAL(b.data, md);
    cm_buf_free(&b);
    json_decref(blocks);
}

static void test_render_other_blocks(void)
{
    json_t *blocks = json_loads(
        "[{\"type\":\"callout\",\"callout\":{\"rich_text\":[{\"plain_text\":\"Note\\nline "
        "2\"}],\"icon\":{\"emoji\":\"⚠️\"}}},"
        "{\"type\":\"toggle\",\"toggle\":{\"rich_text\":[{\"plain_text\":\"More\"}]},\"children\":[{\"type\":"
        "\"paragraph\",\"paragraph\":{\"rich_text\":[{\"plain_text\":\"inside\"}]}}]},"
        "{\"id\":\"12345678-1234-1234-1234-123456789abc\",\"type\":\"child_page\",\"child_page\":{\"title\":\"Sub\"}},"
        "{\"type\":\"image\",\"image\":{\"type\":\"external\",\"external\":{\"url\":\"https://"
        "i.png\"},\"caption\":[]}},"
        "{\"type\":\"bulleted_list_item\",\"bulleted_list_item\":{\"rich_text\":[{\"plain_text\":\"x\"}]},"
        "\"has_children\":true,\"_children_omitted\":true},"
        "{\"type\":\"table\",\"table\":{},\"children\":[{\"type\":\"table_row\",\"table_row\":{\"cells\":[[{\"plain_"
        "text\":\"a\"}],[{\"plain_text\":\"b|c\"}]]}},{\"type\":\"table_row\",\"table_row\":{\"cells\":[[{\"plain_"
        "text\":\"1\"}],[{\"plain_text\":\"2\"}]]}}]},"
        "{\"type\":\"synced_block\",\"synced_block\":{}}]",
        0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(blocks);
    cm_buf_t b = {0};
    nt_md_render(&b, blocks);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "> ⚠️ Note\n> line 2\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<details><summary>More</summary>\n\ninside\n</details>\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "[📄 Sub](https://www.notion.so/12345678123412341234123456789abc)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "![image](https://i.png)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "- x\n  … (nested content not loaded"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "| a | b\\|c |\n| --- | --- |\n| 1 | 2 |\n"));
    cm_buf_free(&b);
    json_decref(blocks);
}

void tests_register(void)
{
    CU_SUITE("notion markdown", NULL, NULL, {"inline markdown to rich text", test_inline},
             {"2,000 UTF-16 units a text object", test_split_utf16}, {"block kinds, nesting, limit", test_blocks},
             {"100 rich_text objects a block, request chunks", test_long_block_and_chunks},
             {"code languages", test_languages}, {"round trip", test_round_trip},
             {"rendering other blocks", test_render_other_blocks});
}
