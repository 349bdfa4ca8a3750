/*
 * notion_md.h - markdown <-> Notion blocks, on jansson and common's buffer only (no runtime), so that a unit test can
 * drive it alone.
 *
 * md_blocks.c: markdown-ish text -> block objects for POST /v1/pages (children) and PATCH /v1/blocks/{id}/children,
 * within Notion's request limits (developers.notion.com/reference/request-limits): a rich_text text.content of at
 * most NT_TEXT_MAX characters (counted as JavaScript counts them: UTF-16 code units), at most NT_RICH_TEXT_MAX
 * rich_text objects a block, at most NT_CHILDREN_MAX blocks in one children array, at most NT_REQUEST_BLOCKS block
 * elements in one request, link URLs of at most NT_URL_MAX characters.
 * md_render.c: block objects (as GET /v1/blocks/{id}/children returns them; fetched children attached under the key
 * "children" of a block, and "_children_omitted": true on a block whose children were not fetched) -> markdown.
 */
#ifndef NOTION_MD_H
#define NOTION_MD_H

#include "common/url.h"

#include <jansson.h>
#include <stddef.h>

#define NT_TEXT_MAX 2000        /* text.content, UTF-16 code units */
#define NT_RICH_TEXT_MAX 100    /* rich_text objects in one array */
#define NT_CHILDREN_MAX 100     /* blocks in one children array (so: in one append request) */
#define NT_REQUEST_BLOCKS 1000  /* block elements in one request, nested ones included */
#define NT_REQUEST_BYTES 400000 /* our cap for one request's blocks (Notion refuses above 500 KB) */
#define NT_URL_MAX 2000

/* ---- md_blocks.c ---- */

/* The length of s (len bytes of UTF-8) in UTF-16 code units, as Notion counts text.content. */
size_t nt_utf16_len(const char *s, size_t len);

/* Rich text (a new array of {"type":"text","text":{"content"[,"link"]}[,"annotations"]}) for s (len bytes of UTF-8,
 * borrowed). inline_md: **bold**, *italic* / _italic_, ~~strike~~, `code`, [text](http(s)://url) and \-escapes are
 * read as markdown; else s is taken literally. Every content is at most NT_TEXT_MAX UTF-16 units (long text is split
 * into several objects, never inside a character). NULL when out of memory. May hold more than NT_RICH_TEXT_MAX
 * objects: nt_md_to_blocks spreads those over several blocks. */
json_t *nt_rich_text(const char *s, size_t len, int inline_md);

/* The blocks of markdown md (borrowed; NUL-terminated): "#".."###" headings (deeper ones as heading_3), paragraphs
 * (consecutive lines joined with a line break), "- " / "* " / "+ " bullets, "1. " numbered items, "- [ ] " / "- [x] "
 * to-dos, "> " quotes, ``` fenced code (the language mapped to Notion's names, "plain text" when unknown), "---"
 * dividers; a list item or to-do indented by two or more spaces under a list item or to-do becomes its child (one
 * level). A block whose rich text needs more than NT_RICH_TEXT_MAX objects continues in blocks of the same type.
 * CM_OK with *out (a new array), or CM_EINVAL with a reason in err when the result would hold more than max_blocks
 * block elements, or CM_ENOMEM. */
int nt_md_to_blocks(const char *md, size_t max_blocks, json_t **out, char *err, size_t errsz);

/* The number of blocks of blocks[from..] that go into the next append request: at most NT_CHILDREN_MAX, at most
 * NT_REQUEST_BLOCKS block elements (children counted) and NT_REQUEST_BYTES of JSON, at least 1 while from < size. */
size_t nt_blocks_chunk(json_t *blocks, size_t from);

/* The number of block elements of blocks (children counted). */
size_t nt_blocks_count(json_t *blocks);

/* Notion's name of a code language ("js" -> "javascript", "c++", ...), "plain text" when unknown (static). */
const char *nt_code_language(const char *lang, size_t len);

/* ---- md_render.c ---- */

/* Appends the markdown of rich text (annotations as **, *, ~~, `, links as [text](url), inline equations as $..$). */
void nt_md_rich_text(cm_buf_t *b, json_t *rich_text);

/* Appends the markdown of blocks (borrowed). Children ("children" of a block) are indented by two spaces a level;
 * child pages and databases become links to https://www.notion.so/<id>. */
void nt_md_render(cm_buf_t *b, json_t *blocks);

/* The plain text of rich text (its plain_text, else text.content, concatenated), appended to b. */
void nt_plain_text(cm_buf_t *b, json_t *rich_text);

#endif
