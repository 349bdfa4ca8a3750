/*
 * a1.c - the A1 notation parser and canonical writer (a1.h).
 */
#include "a1.h"
#include "common/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return CM_EINVAL;
}

/* Characters (code points) of n bytes of UTF-8 (jansson hands over valid UTF-8 only). */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* A title's common checks: 1..100 characters, no control characters. */
static int title_ok(const char *t, size_t n, char *err, size_t errsz)
{
    if (n == 0)
        return fail(err, errsz, "the sheet title is empty");
    if (n > GS_SHEET_TITLE_MAX_BYTES || utf8_chars(t, n) > GS_SHEET_TITLE_MAX)
        return fail(err, errsz, "a sheet title has at most %d characters", GS_SHEET_TITLE_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
            return fail(err, errsz, "the sheet title contains a control character");
    return CM_OK;
}

/* A bare (unquoted) title: no quote, '!' or ':', no space at either end; anything else needs quotes. */
static int bare_title_ok(const char *t, size_t n, char *err, size_t errsz)
{
    int rc = title_ok(t, n, err, errsz);
    if (rc != CM_OK)
        return rc;
    if (t[0] == ' ' || t[n - 1] == ' ')
        return fail(err, errsz, "a sheet title with spaces at its ends must be quoted ('Title'!A1)");
    for (size_t i = 0; i < n; i++)
        if (t[i] == '\'' || t[i] == '!' || t[i] == ':')
            return fail(err, errsz, "'%c' in a sheet title needs the title quoted ('Title'!A1, a quote doubled)", t[i]);
    return CM_OK;
}

enum { EP_CELL = 1, EP_COL, EP_ROW };

/* One corner: letters then digits, at least one of them. Returns its kind, or 0 with err set. */
static int parse_endpoint(const char *s, size_t n, long *col, long *row, char *err, size_t errsz)
{
    size_t i = 0;
    long c = 0, r = 0;
    for (; i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')); i++) {
        if (i >= 3) {
            fail(err, errsz, "column '%.*s' is beyond the last column ZZZ", (int)(n > 16 ? 16 : n), s);
            return 0;
        }
        c = c * 26 + ((s[i] | 0x20) - 'a' + 1);
    }
    size_t digits = i;
    if (i < n && s[i] == '0') {
        fail(err, errsz, "row numbers start at 1 (got '%.*s')", (int)(n > 16 ? 16 : n), s);
        return 0;
    }
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        r = r * 10 + (s[i] - '0');
        if (r > GS_A1_MAX_ROW) {
            fail(err, errsz, "row '%.*s' is beyond the last possible row %ld", (int)(n > 16 ? 16 : n), s,
                 GS_A1_MAX_ROW);
            return 0;
        }
    }
    if (i != n || n == 0) {
        fail(err, errsz, "'%.*s' is not a cell, column or row reference", (int)(n > 24 ? 24 : n), s);
        return 0;
    }
    *col = c;
    *row = r;
    if (c > 0 && i > digits)
        return EP_CELL;
    return c > 0 ? EP_COL : EP_ROW;
}

static void order(long *a, long *b)
{
    if (*a > *b && *b != 0) {
        long t = *a;
        *a = *b;
        *b = t;
    }
}

/* Cells: A1 | A1:B2 | A:C | 1:3 | A5:C. */
static int parse_cells(const char *s, size_t n, gs_a1_t *out, char *err, size_t errsz)
{
    const char *colon = memchr(s, ':', n);
    long c1, r1, c2, r2;
    if (n == 0)
        return fail(err, errsz, "no cells after '!'");
    int k1 = parse_endpoint(s, colon ? (size_t)(colon - s) : n, &c1, &r1, err, errsz);
    if (k1 == 0)
        return CM_EINVAL;
    if (colon == NULL) {
        if (k1 != EP_CELL)
            return fail(err, errsz, "'%.*s' alone is not a range: a whole column is A:A, a whole row 1:1", (int)n, s);
        c2 = c1;
        r2 = r1;
    } else {
        const char *e = colon + 1;
        size_t en = n - (size_t)(e - s);
        if (memchr(e, ':', en) != NULL)
            return fail(err, errsz, "a range has one ':' at most");
        int k2 = parse_endpoint(e, en, &c2, &r2, err, errsz);
        if (k2 == 0)
            return CM_EINVAL;
        /* cell:cell, column:column, row:row, and cell:column (A5:C, no end row) */
        if (!(k1 == k2 || (k1 == EP_CELL && k2 == EP_COL)))
            return fail(err, errsz, "'%.*s' mixes kinds of references (use A1:B2, A:B, 1:2 or A5:B)", (int)n, s);
    }
    order(&c1, &c2);
    order(&r1, &r2);
    out->has_cells = 1;
    out->c1 = c1;
    out->r1 = r1;
    out->c2 = c2;
    out->r2 = r2;
    return CM_OK;
}

/* 'quoted title' ('' is a quote); *end is set past the closing quote. */
static int parse_quoted(const char *s, gs_a1_t *out, const char **end, char *err, size_t errsz)
{
    size_t o = 0;
    const char *p = s + 1;
    for (;; p++) {
        if (*p == '\0')
            return fail(err, errsz, "the quoted sheet title has no closing quote");
        if (*p == '\'') {
            if (p[1] != '\'')
                break;
            p++;
        }
        if (o >= GS_SHEET_TITLE_MAX_BYTES)
            return fail(err, errsz, "a sheet title has at most %d characters", GS_SHEET_TITLE_MAX);
        out->sheet[o++] = *p;
    }
    out->sheet[o] = '\0';
    *end = p + 1;
    return title_ok(out->sheet, o, err, errsz);
}

int gs_a1_parse(const char *s, gs_a1_t *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof(*out));
    err[0] = '\0';
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0)
        return fail(err, errsz, "the range is empty");
    if (n > GS_A1_MAX_CHARS * 4)
        return fail(err, errsz, "the range is longer than %d characters", GS_A1_MAX_CHARS);
    if (s[0] == '\'') {
        const char *rest = s;
        int rc = parse_quoted(s, out, &rest, err, errsz);
        if (rc != CM_OK)
            return rc;
        if (*rest == '\0')
            return CM_OK; /* the whole sheet */
        if (*rest != '!')
            return fail(err, errsz, "a quoted sheet title is followed by '!' and cells, or by nothing");
        return parse_cells(rest + 1, strlen(rest + 1), out, err, errsz);
    }
    const char *bang = strchr(s, '!');
    if (bang != NULL) {
        size_t tn = (size_t)(bang - s);
        int rc = bare_title_ok(s, tn, err, errsz);
        if (rc != CM_OK)
            return rc;
        memcpy(out->sheet, s, tn);
        out->sheet[tn] = '\0';
        return parse_cells(bang + 1, strlen(bang + 1), out, err, errsz);
    }
    /* no '!': cells of the first visible sheet when it reads as cells, else a sheet title (as Google decides: a
       sheet called A1 must be quoted) */
    char cell_err[128];
    if (parse_cells(s, n, out, cell_err, sizeof(cell_err)) == CM_OK)
        return CM_OK;
    memset(out, 0, sizeof(*out));
    /* meant as cells, or a title that must be quoted: say both */
    if (strchr(s, ':') != NULL || (s[0] >= '0' && s[0] <= '9'))
        return fail(err, errsz, "%s (a sheet title like this one needs quotes: '%.40s')", cell_err, s);
    int rc = bare_title_ok(s, n, err, errsz);
    if (rc != CM_OK)
        return rc;
    memcpy(out->sheet, s, n + 1);
    return CM_OK;
}

void gs_a1_col_name(long col, char out[4])
{
    char tmp[4];
    int n = 0;
    out[0] = '\0';
    if (col < 1 || col > GS_A1_MAX_COL)
        return;
    while (col > 0 && n < 3) {
        col--;
        tmp[n++] = (char)('A' + col % 26);
        col /= 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* A corner: column letters when bounded, row number when bounded. */
static int put_corner(char *buf, size_t bufsz, size_t *o, long col, long row)
{
    char letters[4];
    gs_a1_col_name(col, letters);
    int w =
        row > 0 ? snprintf(buf + *o, bufsz - *o, "%s%ld", letters, row) : snprintf(buf + *o, bufsz - *o, "%s", letters);
    if (w < 0 || (size_t)w >= bufsz - *o)
        return CM_ETOOBIG;
    *o += (size_t)w;
    return CM_OK;
}

int gs_a1_format(const gs_a1_t *a, char *buf, size_t bufsz)
{
    size_t o = 0;
    if (bufsz == 0)
        return CM_ETOOBIG;
    buf[0] = '\0';
    if (a->sheet[0] != '\0') {
        if (o + 1 >= bufsz)
            return CM_ETOOBIG;
        buf[o++] = '\'';
        for (const char *p = a->sheet; *p; p++) {
            if (o + 3 >= bufsz)
                return CM_ETOOBIG;
            if (*p == '\'')
                buf[o++] = '\'';
            buf[o++] = *p;
        }
        buf[o++] = '\'';
        buf[o] = '\0';
        if (!a->has_cells)
            return CM_OK;
        if (o + 1 >= bufsz)
            return CM_ETOOBIG;
        buf[o++] = '!';
        buf[o] = '\0';
    }
    if (!a->has_cells)
        return CM_OK;
    if (put_corner(buf, bufsz, &o, a->c1, a->r1) != CM_OK)
        return CM_ETOOBIG;
    if (a->c1 == a->c2 && a->r1 == a->r2 && a->c1 > 0 && a->r1 > 0)
        return CM_OK; /* one cell */
    if (o + 1 >= bufsz)
        return CM_ETOOBIG;
    buf[o++] = ':';
    buf[o] = '\0';
    return put_corner(buf, bufsz, &o, a->c2, a->r2);
}

long gs_a1_rows(const gs_a1_t *a)
{
    return a->has_cells && a->r1 > 0 && a->r2 > 0 ? a->r2 - a->r1 + 1 : 0;
}

long gs_a1_cols(const gs_a1_t *a)
{
    return a->has_cells && a->c1 > 0 && a->c2 > 0 ? a->c2 - a->c1 + 1 : 0;
}

int gs_a1_title_ok(const char *title, char *err, size_t errsz)
{
    err[0] = '\0';
    return title_ok(title, title != NULL ? strlen(title) : 0, err, errsz);
}

void gs_a1_from_grid(const char *title, long start_row, long end_row, long start_col, long end_col, long grid_rows,
                     long grid_cols, gs_a1_t *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->sheet, sizeof(out->sheet), "%s", title != NULL ? title : "");
    int rows_open = start_row < 0 && end_row < 0, cols_open = start_col < 0 && end_col < 0;
    if (rows_open && cols_open)
        return; /* the whole sheet */
    out->has_cells = 1;
    if (!rows_open) {
        out->r1 = start_row >= 0 ? start_row + 1 : 1;
        out->r2 = end_row >= 0 ? end_row : grid_rows;
    }
    if (!cols_open) {
        out->c1 = start_col >= 0 ? start_col + 1 : 1;
        out->c2 = end_col >= 0 ? end_col : grid_cols;
    }
}
