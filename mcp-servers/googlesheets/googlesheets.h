/*
 * googlesheets.h - the Google Sheets service's own declarations: the upstream calls (api.c), the argument helpers
 * (args.c), the value rendering (values_text.c), the tool handlers (tools_meta.c spreadsheets, tools_sheets.c
 * sheets, tools_values.c values) and the tool table (tools.c).
 */
#ifndef GOOGLESHEETS_H
#define GOOGLESHEETS_H

#include "a1.h"
#include "mcp/provider_http.h"
#include "mcp/server.h"
#include "mcp/result.h"

#include <jansson.h>

#define GOOGLESHEETS_PROVIDER "Google Sheets" /* the provider's name in tool errors */

/* Limits. The schemas repeat them (the schemas/ files: values maxItems, cell maxLength, ranges maxItems); the tool
 * descriptions state them (tools.c). */
#define GS_MAX_ROWS 10000       /* rows of one write_range / append_rows (values maxItems) */
#define GS_MAX_COLS 1000        /* cells of one row (values items maxItems) */
#define GS_MAX_CELLS 200000     /* cells of one write, checked here (a schema cannot count them) */
#define GS_MAX_CELL_CHARS 50000 /* Google's limit for one cell (cell maxLength) */
#define GS_MAX_RANGES 100       /* batch_read ranges maxItems */
/* Google refuses a request body above 10 MiB ("Request payload size exceeds the limit: 10485760 bytes") */
#define GS_MAX_PAYLOAD 10485760u
/* A tools/call body: the payload above as JSON strings (up to 6 bytes a character in \u escapes would exceed
 * it anyway) plus the envelope; main.c raises the runtime's 1 MiB default to this. */
#define GS_MAX_REQUEST_BODY (GS_MAX_PAYLOAD + 2u * 1024u * 1024u)
/* The readable table of read_range / batch_read stops after this many bytes of text (structuredContent keeps every
 * value). */
#define GS_MAX_TEXT (64u * 1024u)
/* The answer of a values read or batchGet accepted from Google (the runtime's default is 8 MiB). */
#define GS_MAX_RESPONSE (16u * 1024u * 1024u)

/* The OAuth scope a call needs, named in 403 errors. */
typedef enum gs_scope {
    GS_SCOPE_READ = 0, /* spreadsheets.readonly (or spreadsheets) */
    GS_SCOPE_WRITE,    /* spreadsheets */
} gs_scope_t;

/* ---- api.c ---- */
/* The API base (env GOOGLESHEETS_API_BASE, default https://sheets.googleapis.com) + "/v4". CM_OK, or CM_EINVAL
 * (logged) when the variable is not a usable URL: the service does not start then. */
int gs_api_init(void);
/* base + "/v4/spreadsheets/" + the id + suffix (may be NULL; already escaped, e.g. ":batchUpdate"), plus query pairs
 * (NULL-terminated name/value list, NULL values skipped; a name may repeat). malloc'ed or NULL. */
char *gs_url(const char *spreadsheet_id, const char *suffix, const char *const *query);
/* The same for a values call: ".../values/" + the range escaped + suffix (e.g. ":append"). malloc'ed or NULL. */
char *gs_values_url(const char *spreadsheet_id, const char *range, const char *suffix, const char *const *query);
/* Sends a request (GET when method is NULL and no body; body stolen; url_owned freed, NULL = could not build it).
 * cb gets only 2xx answers (res->json the parsed answer); every failure finishes the call with a tool error: the
 * missing scope on a 403 (with the instance's re-authorize URL), the usage limit with Retry-After on a 403
 * rateLimitExceeded or 429, Google's own message, and on a 404 the spreadsheet id named (spreadsheet_id is copied;
 * may be NULL). arg_free (may be NULL) frees arg when cb does not run. max_response 0 = the runtime's default. */
void gs_fetch(mcp_call_t *c, const char *method, char *url_owned, json_t *body, gs_scope_t scope,
              const char *spreadsheet_id, size_t max_response, mcp_provider_cb cb, void *arg, void (*arg_free)(void *));

/* ---- args.c: arguments the schemas cannot check fully ---- */
/* The string argument key or NULL (absent or empty). Borrowed from args. */
const char *gs_str(json_t *args, const char *key);
/* Parses args[key] as A1 notation into the canonical form (out, GS_A1_FORMAT_MAX bytes) and *a (may be NULL). On a
 * bad range fails the call naming the argument and returns CM_EINVAL (the call is finished then). */
int gs_range_arg(mcp_call_t *c, const char *key, const char *value, char *out, gs_a1_t *a);
/* Checks a 2-D values argument against the limits GS_MAX_CELLS and, when the range a spans a bounded block of more
 * than one cell, its size (rows x columns, or columns x rows with major_dimension COLUMNS), as Google refuses a
 * write outside its range. *cells gets the cell count. On failure fails the call and returns CM_EINVAL. */
int gs_values_arg(mcp_call_t *c, json_t *values, const gs_a1_t *a, int columns_major, size_t *cells);

/* A sheet title argument Google would refuse (a1.h gs_a1_title_ok): fails the call naming key, CM_EINVAL. */
int gs_title_arg(mcp_call_t *c, const char *key, const char *title);

/* ---- tools_meta.c ---- */
/* One SheetProperties as {sheet_id, title, index, type, hidden, row_count, column_count} (new), and a line of b. */
json_t *gs_sheet_view(json_t *props, cm_buf_t *b);

/* ---- values_text.c ---- */
/* Appends a ValueRange (range, majorDimension, values) as a readable tab-separated table, a line a row (a column
 * with COLUMNS), at most max_bytes in all (b->len counts); truncation is said. */
void gs_values_render(cm_buf_t *b, json_t *value_range, size_t max_bytes);
/* A ValueRange as structuredContent: {range, major_dimension, values (always an array), rows, columns}. New. */
json_t *gs_values_structured(json_t *value_range);

/* ---- tool handlers ---- */
void gs_create_spreadsheet(mcp_call_t *c, json_t *args, void *data);
void gs_get_spreadsheet(mcp_call_t *c, json_t *args, void *data);
void gs_add_sheet(mcp_call_t *c, json_t *args, void *data);
void gs_delete_sheet(mcp_call_t *c, json_t *args, void *data);
void gs_read_range(mcp_call_t *c, json_t *args, void *data);
void gs_batch_read(mcp_call_t *c, json_t *args, void *data);
void gs_write_range(mcp_call_t *c, json_t *args, void *data);
void gs_append_rows(mcp_call_t *c, json_t *args, void *data);
void gs_clear_range(mcp_call_t *c, json_t *args, void *data);

/* tools.c: checks the configuration and registers the tool table. CM_OK or an error (logged). */
int gs_register_tools(mcp_server_t *s);

#endif
