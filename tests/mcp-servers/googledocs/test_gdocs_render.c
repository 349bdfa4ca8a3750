/* test_gdocs_render.c - Google Docs documents (documents.get answers) to markdown: headings, styled runs and links,
 * escaping, bulleted and numbered lists with nesting, tables, rules and page breaks, empty documents. */
#include "common/status.h"
#include "cu.h"
#include "googledocs.h"

#include <stdlib.h>
#include <string.h>

/* The markdown of a document given as JSON text; malloc'ed. */
static char *md(const char *doc_json)
{
    json_error_t e;
    json_t *doc = json_loads(doc_json, 0, &e);
    cm_buf_t b = {0};
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    CU_ASSERT_EQUAL(gd_render_markdown(doc, &b), CM_OK);
    json_decref(doc);
    return cm_buf_take(&b);
}

#define P(style, runs) "{\"paragraph\":{\"elements\":[" runs "],\"paragraphStyle\":{\"namedStyleType\":\"" style "\"}}}"
#define LI(list, level, runs)                                                                                          \
    "{\"paragraph\":{\"elements\":[" runs "],\"paragraphStyle\":{\"namedStyleType\":\"NORMAL_TEXT\"},"                 \
    "\"bullet\":{\"listId\":\"" list "\",\"nestingLevel\":" #level "}}}"
#define RUN(text) "{\"textRun\":{\"content\":\"" text "\",\"textStyle\":{}}}"
#define SRUN(text, style) "{\"textRun\":{\"content\":\"" text "\",\"textStyle\":" style "}}"
#define DOC(content) "{\"documentId\":\"d\",\"body\":{\"content\":[{\"endIndex\":1,\"sectionBreak\":{}}," content "]}}"

static void check(const char *doc_json, const char *want)
{
    char *got = md(doc_json);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n--- want\n%s--- got\n%s---\n", want, got);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

static void test_headings_and_runs(void)
{
    check(
        DOC(P("TITLE", RUN("The title\\n")) "," P("SUBTITLE", RUN("Sub\\n")) "," P("HEADING_1", RUN("One\\n")) "," P(
            "HEADING_4",
            RUN("Four\\n")) "," P("NORMAL_TEXT",
                                  RUN("Plain ") "," SRUN("bold ", "{\"bold\":true}") "," SRUN(
                                      "more bold",
                                      "{\"bo"
                                      "ld\":"
                                      "true"
                                      "}") "," RUN(" and ") "," SRUN(" it ",
                                                                     "{\"italic\":true}") "," SRUN("both",
                                                                                                   "{\"bold\":true,"
                                                                                                   "\"italic\":"
                                                                                                   "true}") "," SRUN("a"
                                                                                                                     " "
                                                                                                                     "l"
                                                                                                                     "i"
                                                                                                                     "n"
                                                                                                                     "k",
                                                                                                                     "{"
                                                                                                                     "\"link"
                                                                                                                     "\":{"
                                                                                                                     "\"url\":"
                                                                                                                     "\"https:"
                                                                                                                     "/"
                                                                                                                     "/"
                                                                                                                     "x"
                                                                                                                     "."
                                                                                                                     "e"
                                                                                                                     "x"
                                                                                                                     "a"
                                                                                                                     "m"
                                                                                                                     "p"
                                                                                                                     "l"
                                                                                                                     "e"
                                                                                                                     "/"
                                                                                                                     "a"
                                                                                                                     " "
                                                                                                                     "b"
                                                                                                                     "("
                                                                                                                     "c"
                                                                                                                     ")"
                                                                                                                     "\"}"
                                                                                                                     "}") "," RUN(".\\n"))),
        "# The title\n\n## Sub\n\n# One\n\n#### Four\n\n"
        "Plain **bold more bold** and  *it* ***both***[a link](https://x.example/a%20b%28c%29).\n");
}

static void test_escaping(void)
{
    check(DOC(P("NORMAL_TEXT", RUN("# not a heading\\n")) "," P("NORMAL_TEXT", RUN("1. not a list\\n")) "," P(
              "NORMAL_TEXT", RUN("a *b* [c] `d` \\\\ e_f\\n")) "," P("NORMAL_TEXT", RUN("line\\u000bbreak\\n"))),
          "\\# not a heading\n\n1\\. not a list\n\na \\*b\\* \\[c\\] \\`d\\` \\\\ e_f\n\nline\nbreak\n");
}

static void test_lists(void)
{
#define LISTS                                                                                                          \
    ",\"lists\":{\"b\":{\"listProperties\":{\"nestingLevels\":[{\"glyphSymbol\":\"x\"},{\"glyphSymbol\":\"o\"}]}},"    \
    "\"n\":{\"listProperties\":{\"nestingLevels\":[{\"glyphType\":\"DECIMAL\"},{\"glyphType\":\"ALPHA\"},"             \
    "{\"glyphType\":\"GLYPH_TYPE_UNSPECIFIED\"}]}}}"
    check(
        "{\"documentId\":\"d\",\"body\":{\"content\":[" LI("b", 0, RUN("a\\n")) "," LI("b", 1, RUN("a1\\n")) "," LI("b", 0, RUN("b\\n")) "," P("NORMAL_TEXT", RUN("between\\n")) "," LI(
            "n", 0,
            RUN("one\\n")) "," LI("n", 1,
                                  RUN("one.a\\n")) "," LI("n", 1,
                                                          RUN("one.b\\n")) "," LI("n", 2,
                                                                                  RUN("deep bullet\\n")) "," LI("n", 0,
                                                                                                                RUN("tw"
                                                                                                                    "o"
                                                                                                                    "\\"
                                                                                                                    "n")) "," LI("n",
                                                                                                                                 1,
                                                                                                                                 RUN("two.a\\n")) "," LI("x",
                                                                                                                                                         0,
                                                                                                                                                         RUN("unknown list\\n")) "]}" LISTS
                                                                                                                                                                                 "}",
        "- a\n    - a1\n- b\n\nbetween\n\n1. one\n    1. one.a\n    2. one.b\n        - deep bullet\n2. two\n"
        "    1. two.a\n- unknown list\n");
#undef LISTS
}

static void test_table(void)
{
    check(
        DOC(P(
            "NORMAL_TEXT",
            RUN("Before\\n")) ",{\"table\":{\"rows\":2,\"columns\":2,\"tableRows\":["
                              "{\"tableCells\":[{\"content\":[" P("NORMAL_TEXT", RUN("H1\\n")) "]},{\"content\":[" P(
                                  "NORMAL_TEXT",
                                  SRUN("H2", "{\"bold\":true}") "," RUN(
                                      "\\n")) "]}]},"
                                              "{\"tableCells\":[{\"content\":[" P("NORMAL_TEXT", RUN("a | b\\n")) "," P(
                                                  "NORMAL_TEXT",
                                                  RUN("\\n")) "," P("NORMAL_TEXT",
                                                                    RUN("second\\n")) "]},"
                                                                                      "{\"content\":[" LI(
                                                                                          "b", 0,
                                                                                          RUN("item\\n")) "]}]}]}}"
                                                                                                          "," P(
                                                                                                              "NORM"
                                                                                                              "AL_"
                                                                                                              "TEX"
                                                                                                              "T",
                                                                                                              RUN("Afte"
                                                                                                                  "r\\"
                                                                                                                  "n"))),
        "Before\n\n| H1 | **H2** |\n| --- | --- |\n| a \\| b<br>second | • item |\n\nAfter\n");
}

static void test_rules_breaks_empty(void)
{
    check(
        DOC(P("NORMAL_TEXT", RUN("\\n")) "," P("NORMAL_TEXT", RUN("Page one") ",{\"pageBreak\":{}}," RUN("\\n")) "," P(
            "NORMAL_TEXT", "{\"horizontalRule\":{}}," RUN(
                               "\\n")) "," P("NORMAL_TEXT", RUN("x") ",{\"inlineObjectElement\":{}}," RUN("\\n"))),
        "Page one\n\n---\n\n---\n\nx[image]\n");
    check(DOC(P("NORMAL_TEXT", RUN("\\n"))), "");
    check("{\"documentId\":\"d\"}", "");
    CU_ASSERT_EQUAL(gd_utf8_chars("a\xC3\xA9\xF0\x9F\x99\x82", 7), 3);
}

void tests_register(void)
{
    CU_SUITE("googledocs render", NULL, NULL, {"headings and styled runs", test_headings_and_runs},
             {"escaping", test_escaping}, {"lists", test_lists}, {"table", test_table},
             {"rules, page breaks, empty documents", test_rules_breaks_empty});
}
