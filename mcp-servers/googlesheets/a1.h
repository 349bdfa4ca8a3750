/*
 * a1.h - A1 notation as the Sheets API reads it (developers.google.com/sheets/api/guides/concepts#cell): an optional
 * sheet title ('quoted', a quote inside doubled: 'Jon''s data'; or bare), then '!' and cells, or the title alone
 * (the whole sheet), or cells alone (the first visible sheet). Cells: A1, A1:B2, A:C (columns), 1:3 (rows), A5:C
 * (from row 5 down, open end). Columns A..ZZZ (18278), rows 1..10,000,000 (a spreadsheet holds at most 10 million
 * cells). The service parses every range before any request, so that garbage never reaches Google, and sends the
 * canonical form gs_a1_format writes.
 */
#ifndef GS_A1_H
#define GS_A1_H

#include <stddef.h>

#define GS_A1_MAX_COL 18278L    /* ZZZ */
#define GS_A1_MAX_ROW 10000000L /* 10 million cells per spreadsheet bound every row number */
#define GS_SHEET_TITLE_MAX 100  /* characters of a sheet title (schemas: title maxLength) */
/* bytes: 100 characters of UTF-8 */
#define GS_SHEET_TITLE_MAX_BYTES (4 * GS_SHEET_TITLE_MAX)
/* the longest range a tool accepts (schemas: range maxLength): a quoted title of 100 quotes, '!', two cells */
#define GS_A1_MAX_CHARS 256
/* the longest canonical form gs_a1_format writes (every title byte doubled, quotes, '!', two cells, NUL) */
#define GS_A1_FORMAT_MAX (2 * GS_SHEET_TITLE_MAX_BYTES + 3 + 2 * 11 + 2)

typedef struct gs_a1 {
    char sheet[GS_SHEET_TITLE_MAX_BYTES + 1]; /* the title, unquoted; "" when the range names none */
    int has_cells;                            /* 0: the whole sheet */
    /* 1-based; 0 = unbounded on that side (a whole column has no rows, a row range no columns, A5:C no end row) */
    long c1, r1, c2, r2;
} gs_a1_t;

/* Parses s (NUL-terminated UTF-8) into *out. CM_OK, or CM_EINVAL with the reason in err (always NUL-terminated,
 * errsz > 0). Reversed corners (B2:A1) are normalized, as Google does. */
int gs_a1_parse(const char *s, gs_a1_t *out, char *err, size_t errsz);

/* The canonical form of a: 'Title'!A1:B2 (the title always quoted, quotes doubled), 'Title', or A1:B2. Writes at
 * most bufsz bytes (GS_A1_FORMAT_MAX is always enough); CM_OK or CM_ETOOBIG. */
int gs_a1_format(const gs_a1_t *a, char *buf, size_t bufsz);

/* The column letters of col (1..GS_A1_MAX_COL) into out (at least 4 bytes); "" when out of range. */
void gs_a1_col_name(long col, char out[4]);

/* A sheet title as Google takes it (1..100 characters, no control characters): CM_OK, or CM_EINVAL with the
 * reason in err. */
int gs_a1_title_ok(const char *title, char *err, size_t errsz);

/* A GridRange (0-based, end exclusive; -1 = the index is absent, i.e. unbounded) of the sheet title with its grid
 * size, as A1: both row indexes absent -> columns (A:C), both column indexes absent -> rows (1:3), neither -> the
 * whole sheet; an absent start is the first row or column, an absent end the grid's last. */
void gs_a1_from_grid(const char *title, long start_row, long end_row, long start_col, long end_col, long grid_rows,
                     long grid_cols, gs_a1_t *out);

/* Rows and columns a range spans; 0 when unbounded on that axis. */
long gs_a1_rows(const gs_a1_t *a);
long gs_a1_cols(const gs_a1_t *a);

#endif
