/* features_internal.h - private to the runtime: what prompts.c, resources.c and completion.c share. */
#ifndef MCP_FEATURES_INTERNAL_H
#define MCP_FEATURES_INTERNAL_H

#include "features/completion.h"
#include "features/prompts.h"
#include "features/resources.h"

#include <jansson.h>
#include <stddef.h>

/* A copied completion source. */
typedef struct mcp__completer {
    json_t *values; /* array of strings, or NULL */
    mcp_complete_fn fn;
    void *data;
} mcp__completer_t;

/* Copies def (values list capped at 10000 entries, each valid UTF-8). CM_OK or CM_EINVAL/CM_ENOMEM with err. */
int mcp__completer_init(mcp__completer_t *c, const mcp_completer_t *def, char *err, size_t errsz);
void mcp__completer_clear(mcp__completer_t *c);
int mcp__completer_present(const mcp__completer_t *c);

/* An immutable list served in pages: items (array of the entries' JSON) under `key`, "p<N>" cursors. */
typedef struct mcp__pager {
    json_t *items; /* array */
    size_t page_size;
    json_t **pages; /* built lazily; dropped when an item is added */
    size_t npages;
} mcp__pager_t;

int mcp__pager_init(mcp__pager_t *pg, size_t page_size);
void mcp__pager_clear(mcp__pager_t *pg);
/* Appends entry (stolen). CM_OK or CM_ENOMEM. */
int mcp__pager_add(mcp__pager_t *pg, json_t *entry);
/* {key:[...], nextCursor?} for cursor: CM_OK + new shared reference, CM_EINVAL (unknown cursor), CM_ENOMEM. */
int mcp__pager_page(mcp__pager_t *pg, const char *key, const char *cursor, json_t **out);

/* Changes the page size (0 = 50); pages built so far are dropped. */
void mcp__pager_set_page_size(mcp__pager_t *pg, size_t page_size);
void mcp__prompts_set_page_size(mcp_prompts_t *r, size_t page_size);
void mcp__resources_set_page_size(mcp_resources_t *r, size_t page_size);

/* 1 for 1..128 characters of [A-Za-z0-9_.-] (tool, prompt and argument names). */
int mcp__feature_name_valid(const char *name);
/* The page index of a list cursor ("p" + index >= 1, what every paged list hands out): 0 and *page, or -1. */
int mcp__cursor_parse(const char *cursor, size_t *page);

/* Completion lookups for completion.c. NULL + *found=0 when the prompt/template is unknown; *found=1 and NULL when
 * the argument/variable is unknown (*declared=0) or has no source. */
const mcp__completer_t *mcp__prompts_completer(const mcp_prompts_t *r, const char *prompt, const char *arg, int *found,
                                               int *declared);
const mcp__completer_t *mcp__resources_completer(const mcp_resources_t *r, const char *uri_template, const char *var,
                                                 int *found, int *declared);
/* mcp_uri_template_match for a template already checked by mcp_uri_template_parse. */
int mcp__uri_template_match_parsed(const char *tmpl, const char *uri, json_t **vars);

int mcp__prompts_have_completers(const mcp_prompts_t *r);
int mcp__resources_have_completers(const mcp_resources_t *r);

#endif
