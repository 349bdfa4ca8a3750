/* test_a1.c - the googlesheets service's A1 notation parser and writer: sheet titles quoted ('' a quote) or bare,
 * cells A1, A1:B2, A:A, 1:2, A5:C, reversed corners, the limits (ZZZ, 10 million rows, 100-character titles), the
 * garbage refused before any request, GridRanges of named ranges as A1. */
#include "a1.h"
#include "common/status.h"
#include "cu.h"

#include <string.h>

/* s parses and writes back as canon */
static int canon_is(const char *s, const char *canon)
{
    gs_a1_t a;
    char err[200], out[GS_A1_FORMAT_MAX];
    if (gs_a1_parse(s, &a, err, sizeof(err)) != CM_OK || gs_a1_format(&a, out, sizeof(out)) != CM_OK)
        return 0;
    return strcmp(out, canon) == 0;
}

/* s is refused and the reason contains part */
static int refused(const char *s, const char *part)
{
    gs_a1_t a;
    char err[200];
    return gs_a1_parse(s, &a, err, sizeof(err)) == CM_EINVAL && strstr(err, part) != NULL;
}

static void test_cells(void)
{
    CU_ASSERT(canon_is("A1", "A1"));
    CU_ASSERT(canon_is("a1:b2", "A1:B2"));
    CU_ASSERT(canon_is("B2:A1", "A1:B2")); /* reversed corners normalized */
    CU_ASSERT(canon_is("A:A", "A:A"));
    CU_ASSERT(canon_is("C:A", "A:C"));
    CU_ASSERT(canon_is("1:2", "1:2"));
    CU_ASSERT(canon_is("A5:A", "A5:A")); /* open end */
    CU_ASSERT(canon_is("ZZZ10000000", "ZZZ10000000"));
    CU_ASSERT(canon_is("AA10:AB12", "AA10:AB12"));
    gs_a1_t a;
    char err[200];
    CU_ASSERT_EQUAL(gs_a1_parse("B3:D10", &a, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(gs_a1_rows(&a), 8);
    CU_ASSERT_EQUAL(gs_a1_cols(&a), 3);
    CU_ASSERT_EQUAL(gs_a1_parse("A5:C", &a, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(gs_a1_rows(&a), 0); /* unbounded */
    CU_ASSERT_EQUAL(gs_a1_cols(&a), 3);
}

static void test_sheets(void)
{
    CU_ASSERT(canon_is("Sheet1!A1:B2", "'Sheet1'!A1:B2"));
    CU_ASSERT(canon_is("Sheet1", "'Sheet1'")); /* the whole sheet */
    CU_ASSERT(canon_is("'My Sheet'!A:A", "'My Sheet'!A:A"));
    CU_ASSERT(canon_is("'Jon''s Data'!A1:D5", "'Jon''s Data'!A1:D5"));
    CU_ASSERT(canon_is("'Jon''s Data'", "'Jon''s Data'"));
    CU_ASSERT(canon_is("'A1'", "'A1'")); /* a sheet called A1 */
    CU_ASSERT(canon_is("Sheet 1!1:3", "'Sheet 1'!1:3"));
    CU_ASSERT(canon_is("'a!b:c'!B2", "'a!b:c'!B2"));
    CU_ASSERT(canon_is("Übersicht!A1", "'Übersicht'!A1"));
    gs_a1_t a;
    char err[200];
    CU_ASSERT_EQUAL(gs_a1_parse("'It''s'!C3", &a, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(a.sheet, "It's");
    CU_ASSERT_EQUAL(a.c1, 3);
    CU_ASSERT_EQUAL(a.r1, 3);
    /* 100 characters of title (multi-byte ones too) pass, 101 do not */
    char t[GS_A1_MAX_CHARS * 4];
    memset(t, 0, sizeof(t));
    for (int i = 0; i < 100; i++)
        memcpy(t + 2 * i, "\xc3\xa9", 2); /* é */
    CU_ASSERT_EQUAL(gs_a1_parse(t, &a, err, sizeof(err)), CM_OK);
    memcpy(t + 200, "\xc3\xa9", 2);
    CU_ASSERT_EQUAL(gs_a1_parse(t, &a, err, sizeof(err)), CM_EINVAL);
}

static void test_garbage(void)
{
    CU_ASSERT(refused("", "empty"));
    CU_ASSERT(refused("Sheet1!", "no cells"));
    CU_ASSERT(refused("Sheet1!A0", "start at 1"));
    CU_ASSERT(refused("Sheet1!A1:", "not a cell"));
    CU_ASSERT(refused("Sheet1!:B2", "not a cell"));
    CU_ASSERT(refused("Sheet1!A1:B2:C3", "one ':'"));
    CU_ASSERT(refused("A1:B2:C3", "one ':'"));
    CU_ASSERT(refused("Sheet1!AAAA1", "ZZZ"));
    CU_ASSERT(refused("Sheet1!A10000001", "last possible row"));
    CU_ASSERT(refused("Sheet1!A", "alone"));
    CU_ASSERT(refused("Sheet1!5", "alone"));
    CU_ASSERT(refused("Sheet1!1A", "not a cell"));
    CU_ASSERT(refused("Sheet1!A1:5", "mixes"));
    CU_ASSERT(refused("Sheet1!A:B5", "mixes"));
    CU_ASSERT(refused("Sheet1!A$1", "not a cell"));
    CU_ASSERT(refused("'Sheet1!A1", "closing quote"));
    CU_ASSERT(refused("'Sheet1'A1", "followed by"));
    CU_ASSERT(refused("''!A1", "empty"));
    CU_ASSERT(refused("Jon's!A1", "quoted"));
    CU_ASSERT(refused(" Sheet1!A1", "spaces"));
    CU_ASSERT(refused("Bad\tname!A1", "control"));
    CU_ASSERT(refused("'Bad\nname'", "control"));
    CU_ASSERT(refused("1:", "not a cell"));
    CU_ASSERT(refused("2024", "needs quotes: '2024'")); /* a title made of digits must be quoted */
    CU_ASSERT(canon_is("'2024'!A1", "'2024'!A1"));
    CU_ASSERT(refused("A1:B2 ; DROP", "one ':'") || refused("A1:B2 ; DROP", "not a cell"));
}

static void test_from_grid(void)
{
    gs_a1_t a;
    char out[GS_A1_FORMAT_MAX];
    gs_a1_from_grid("Data", 0, 10, 0, 3, 1000, 26, &a);
    CU_ASSERT_EQUAL(gs_a1_format(&a, out, sizeof(out)), CM_OK);
    CU_ASSERT_STRING_EQUAL(out, "'Data'!A1:C10");
    gs_a1_from_grid("Data", -1, -1, 1, 2, 1000, 26, &a); /* whole column B */
    gs_a1_format(&a, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "'Data'!B:B");
    gs_a1_from_grid("Data", 4, 6, -1, -1, 1000, 26, &a); /* rows 5..6 */
    gs_a1_format(&a, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "'Data'!5:6");
    gs_a1_from_grid("Data", 4, -1, 0, 2, 1000, 26, &a); /* open end: the grid's last row */
    gs_a1_format(&a, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "'Data'!A5:B1000");
    gs_a1_from_grid("It's", -1, -1, -1, -1, 1000, 26, &a);
    gs_a1_format(&a, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "'It''s'");
    char small[6];
    gs_a1_from_grid("Data", 0, 10, 0, 3, 1000, 26, &a);
    CU_ASSERT_EQUAL(gs_a1_format(&a, small, sizeof(small)), CM_ETOOBIG);
}

static void test_columns(void)
{
    char n[4];
    gs_a1_col_name(1, n);
    CU_ASSERT_STRING_EQUAL(n, "A");
    gs_a1_col_name(26, n);
    CU_ASSERT_STRING_EQUAL(n, "Z");
    gs_a1_col_name(27, n);
    CU_ASSERT_STRING_EQUAL(n, "AA");
    gs_a1_col_name(702, n);
    CU_ASSERT_STRING_EQUAL(n, "ZZ");
    gs_a1_col_name(703, n);
    CU_ASSERT_STRING_EQUAL(n, "AAA");
    gs_a1_col_name(GS_A1_MAX_COL, n);
    CU_ASSERT_STRING_EQUAL(n, "ZZZ");
    gs_a1_col_name(GS_A1_MAX_COL + 1, n);
    CU_ASSERT_STRING_EQUAL(n, "");
    char err[100];
    CU_ASSERT_EQUAL(gs_a1_title_ok("Sheet1", err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(gs_a1_title_ok("", err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_EQUAL(gs_a1_title_ok("a\x01", err, sizeof(err)), CM_EINVAL);
}

void tests_register(void)
{
    CU_SUITE("googlesheets A1 notation", NULL, NULL, {"cells", test_cells}, {"sheet titles", test_sheets},
             {"garbage refused", test_garbage}, {"GridRange as A1", test_from_grid}, {"column names", test_columns});
}
