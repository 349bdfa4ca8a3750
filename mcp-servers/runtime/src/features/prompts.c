/*
 * prompts.c - the prompt registry, argument checks and the message builders (see features/prompts.h, mcp/features.h).
 */
#include "features/prompts.h"
#include "common/crypto.h"
#include "common/status.h"
#include "features/features_internal.h"
#include "features/input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

typedef struct prompt_arg {
    char *name;
    int required;
    mcp__completer_t complete;
} prompt_arg_t;

struct mcp_prompt {
    char *name;
    prompt_arg_t *args;
    size_t nargs;
    mcp_prompt_fn fn;
    void *data;
};

struct mcp_prompts {
    mcp_prompt_t **items;
    size_t n;
    mcp__pager_t list;
};

struct mcp_prompt_result {
    mcp__input_t *input; /* NULL: no input can be asked for here */
    json_t *messages;
    char *description;
    char error[256];
    int failed; /* a builder failed: the result is incomplete */
};

static void prompt_free(mcp_prompt_t *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nargs; i++) {
        free(p->args[i].name);
        mcp__completer_clear(&p->args[i].complete);
    }
    free(p->args);
    free(p->name);
    free(p);
}

mcp_prompts_t *mcp_prompts_new(size_t page_size)
{
    mcp_prompts_t *r = calloc(1, sizeof(*r));
    if (r != NULL && mcp__pager_init(&r->list, page_size) != CM_OK) {
        free(r);
        return NULL;
    }
    return r;
}

void mcp_prompts_free(mcp_prompts_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        prompt_free(r->items[i]);
    free(r->items);
    mcp__pager_clear(&r->list);
    free(r);
}

void mcp__prompts_set_page_size(mcp_prompts_t *r, size_t page_size)
{
    mcp__pager_set_page_size(&r->list, page_size);
}

size_t mcp_prompts_count(const mcp_prompts_t *r)
{
    return r->n;
}

const mcp_prompt_t *mcp_prompts_find(const mcp_prompts_t *r, const char *name)
{
    for (size_t i = 0; name != NULL && i < r->n; i++)
        if (strcmp(r->items[i]->name, name) == 0)
            return r->items[i];
    return NULL;
}

static void set_opt(json_t *o, const char *key, const char *v)
{
    if (v != NULL)
        json_object_set_new(o, key, json_string(v));
}

/* Checks and copies the argument declarations; builds the "arguments" list entry. */
static int copy_args(mcp_prompt_t *p, const mcp_prompt_def_t *def, json_t *entry, char *err, size_t errsz)
{
    if (def->nargs == 0)
        return CM_OK;
    if (def->nargs > MAX_ARGS || def->args == NULL) {
        snprintf(err, errsz, "prompt %s: 1..%d argument declarations expected", def->name, MAX_ARGS);
        return CM_EINVAL;
    }
    json_t *list = json_array();
    if (list == NULL || (p->args = calloc(def->nargs, sizeof(*p->args))) == NULL) {
        json_decref(list);
        snprintf(err, errsz, "out of memory");
        return CM_ENOMEM;
    }
    json_object_set_new(entry, "arguments", list);
    for (size_t i = 0; i < def->nargs; i++) {
        const mcp_prompt_arg_t *a = &def->args[i];
        if (!mcp__feature_name_valid(a->name)) {
            snprintf(err, errsz, "prompt %s: argument %zu needs a name of 1..128 characters [A-Za-z0-9_.-]", def->name,
                     i);
            return CM_EINVAL;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(def->args[j].name, a->name) == 0) {
                snprintf(err, errsz, "prompt %s: argument %s is declared twice", def->name, a->name);
                return CM_EINVAL;
            }
        char why[128];
        int rc = mcp__completer_init(&p->args[i].complete, &a->complete, why, sizeof(why));
        if (rc != CM_OK) {
            snprintf(err, errsz, "prompt %s, argument %s: %s", def->name, a->name, why);
            return rc;
        }
        p->nargs = i + 1;
        if ((p->args[i].name = strdup(a->name)) == NULL) {
            snprintf(err, errsz, "out of memory");
            return CM_ENOMEM;
        }
        p->args[i].required = a->required != 0;
        json_t *e = json_pack("{s:s}", "name", a->name);
        set_opt(e, "title", a->title);
        set_opt(e, "description", a->description);
        if (a->required)
            json_object_set_new(e, "required", json_true());
        if (e == NULL || json_array_append_new(list, e) != 0) {
            snprintf(err, errsz, "out of memory");
            return CM_ENOMEM;
        }
    }
    return CM_OK;
}

int mcp_prompts_add(mcp_prompts_t *r, const mcp_prompt_def_t *def, char *err, size_t errsz)
{
    int rc = CM_ENOMEM;
    if (def == NULL || !mcp__feature_name_valid(def->name) || def->fn == NULL) {
        snprintf(err, errsz, "prompt needs a name of 1..128 characters [A-Za-z0-9_.-] and a handler");
        return CM_EINVAL;
    }
    if (mcp_prompts_find(r, def->name) != NULL) {
        snprintf(err, errsz, "prompt %s is registered twice", def->name);
        return CM_ECONFLICT;
    }
    json_t *entry = json_pack("{s:s}", "name", def->name);
    mcp_prompt_t *p = calloc(1, sizeof(*p));
    if (entry == NULL || p == NULL || (p->name = strdup(def->name)) == NULL)
        goto out_nomem;
    p->fn = def->fn;
    p->data = def->data;
    set_opt(entry, "title", def->title);
    set_opt(entry, "description", def->description);
    if ((rc = copy_args(p, def, entry, err, errsz)) != CM_OK)
        goto out_free;
    mcp_prompt_t **grown = realloc(r->items, (r->n + 1) * sizeof(*grown));
    if (grown == NULL)
        goto out_nomem;
    r->items = grown;
    if (mcp__pager_add(&r->list, entry) != CM_OK) {
        entry = NULL; /* stolen even on failure */
        goto out_nomem;
    }
    r->items[r->n++] = p;
    return CM_OK;

out_nomem:
    snprintf(err, errsz, "out of memory");
    rc = CM_ENOMEM;
out_free:
    json_decref(entry);
    prompt_free(p);
    return rc;
}

int mcp_prompts_list(mcp_prompts_t *r, const char *cursor, json_t **out)
{
    return mcp__pager_page(&r->list, "prompts", cursor, out);
}

static const prompt_arg_t *find_arg(const mcp_prompt_t *p, const char *name)
{
    for (size_t i = 0; i < p->nargs; i++)
        if (strcmp(p->args[i].name, name) == 0)
            return &p->args[i];
    return NULL;
}

/* Every key declared, every value a string, every required argument present. */
static int check_args(const mcp_prompt_t *p, json_t *args, char *msg, size_t msgsz)
{
    const char *key;
    json_t *v;
    json_object_foreach(args, key, v)
    {
        if (find_arg(p, key) == NULL) {
            snprintf(msg, msgsz, "Unknown argument '%.100s' for prompt %s", key, p->name);
            return -1;
        }
        if (!json_is_string(v)) {
            snprintf(msg, msgsz, "Argument '%s' of prompt %s must be a string", key, p->name);
            return -1;
        }
    }
    for (size_t i = 0; i < p->nargs; i++)
        if (p->args[i].required && json_object_get(args, p->args[i].name) == NULL) {
            snprintf(msg, msgsz, "Missing required argument '%s' for prompt %s", p->args[i].name, p->name);
            return -1;
        }
    return 0;
}

int mcp_prompts_get(mcp_prompts_t *r, const char *name, json_t *args, json_t **result, char *msg, size_t msgsz)
{
    return mcp_prompts_get_input(r, name, args, NULL, result, msg, msgsz);
}

const json_t *mcp_prompt_input(mcp_prompt_result_t *out, const char *key, const char *method, json_t *params)
{
    if (out->input == NULL) {
        json_decref(params);
        return NULL;
    }
    return mcp__input_ask(out->input, key, method, params);
}

int mcp_prompt_client_supports(const mcp_prompt_result_t *out, int kind)
{
    return out->input != NULL && mcp__input_caps_support(out->input->caps, (mcp_input_kind_t)kind);
}

int mcp_prompts_get_input(mcp_prompts_t *r, const char *name, json_t *args, struct mcp__input *input, json_t **result,
                          char *msg, size_t msgsz)
{
    *result = NULL;
    const mcp_prompt_t *p = mcp_prompts_find(r, name);
    if (p == NULL) {
        snprintf(msg, msgsz, "Unknown prompt: %.150s", name ? name : "");
        return -32602;
    }
    if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
        snprintf(msg, msgsz, "params.arguments must be an object");
        return -32602;
    }
    json_t *empty = NULL;
    if (!json_is_object(args) && (args = empty = json_object()) == NULL)
        goto out_nomem;
    if (check_args(p, args, msg, msgsz) != 0) {
        json_decref(empty);
        return -32602;
    }
    mcp_prompt_result_t out = {.messages = json_array(), .input = input};
    if (out.messages == NULL)
        goto out_nomem;
    int rc = p->fn(&out, args, p->data);
    json_decref(empty);
    int code = 0;
    if (rc == MCP_PROMPT_NEEDS_INPUT) {
        code = MCP_PROMPT_NEEDS_INPUT;
        if (input == NULL) {
            code = -32603;
            snprintf(msg, msgsz, "Prompt %s needs input from the client, which this protocol version cannot carry",
                     p->name);
        }
    } else if (rc != CM_OK) {
        code = rc == CM_EINVAL ? -32602 : -32603;
        snprintf(msg, msgsz, "%s", out.error[0] ? out.error : rc == CM_EINVAL ? "Invalid arguments" : "Prompt failed");
    } else if (out.failed) {
        code = -32603;
        snprintf(msg, msgsz, "Prompt %s produced an invalid message", p->name);
    } else {
        *result = json_pack("{s:O}", "messages", out.messages);
        if (*result != NULL && out.description != NULL)
            json_object_set_new(*result, "description", json_string(out.description));
        if (*result == NULL) {
            code = -32603;
            snprintf(msg, msgsz, "out of memory");
        }
    }
    json_decref(out.messages);
    free(out.description);
    return code;

out_nomem:
    json_decref(empty);
    snprintf(msg, msgsz, "out of memory");
    return -32603;
}

/* ------------------------------------------------------------------ builders */

static int role_valid(const char *role)
{
    return role != NULL && (strcmp(role, "user") == 0 || strcmp(role, "assistant") == 0);
}

int mcp_prompt_add_content(mcp_prompt_result_t *out, const char *role, json_t *block)
{
    const char *type = json_string_value(json_object_get(block, "type"));
    if (!role_valid(role) || type == NULL) {
        json_decref(block);
        out->failed = 1;
        return CM_EINVAL;
    }
    json_t *m = json_pack("{s:s, s:o}", "role", role, "content", block);
    if (m == NULL || json_array_append_new(out->messages, m) != 0) {
        out->failed = 1;
        return CM_ENOMEM;
    }
    return CM_OK;
}

/* json_pack NULL (bad UTF-8, out of memory) makes the add fail. */
static int add_packed(mcp_prompt_result_t *out, const char *role, json_t *block)
{
    if (block == NULL) {
        out->failed = 1;
        return CM_EINVAL;
    }
    return mcp_prompt_add_content(out, role, block);
}

int mcp_prompt_add_text(mcp_prompt_result_t *out, const char *role, const char *text)
{
    return add_packed(out, role, text ? json_pack("{s:s, s:s}", "type", "text", "text", text) : NULL);
}

int mcp_prompt_add_image(mcp_prompt_result_t *out, const char *role, const char *mime_type, const char *data_b64)
{
    json_t *b = mime_type && data_b64
                    ? json_pack("{s:s, s:s, s:s}", "type", "image", "data", data_b64, "mimeType", mime_type)
                    : NULL;
    return add_packed(out, role, b);
}

static json_t *embedded(const char *uri, const char *mime_type, const char *key, const char *value)
{
    if (uri == NULL || value == NULL)
        return NULL;
    json_t *res = json_pack("{s:s, s:s}", "uri", uri, key, value);
    if (res != NULL && mime_type != NULL)
        json_object_set_new(res, "mimeType", json_string(mime_type));
    return res ? json_pack("{s:s, s:o}", "type", "resource", "resource", res) : NULL;
}

int mcp_prompt_add_resource_text(mcp_prompt_result_t *out, const char *role, const char *uri, const char *mime_type,
                                 const char *text)
{
    return add_packed(out, role, embedded(uri, mime_type, "text", text));
}

int mcp_prompt_add_resource_blob(mcp_prompt_result_t *out, const char *role, const char *uri, const char *mime_type,
                                 const void *bytes, size_t len)
{
    char *b64 = bytes || len == 0 ? cm_b64_encode(bytes ? bytes : "", len) : NULL;
    int rc = add_packed(out, role, embedded(uri, mime_type, "blob", b64));
    free(b64);
    return rc;
}

void mcp_prompt_set_description(mcp_prompt_result_t *out, const char *description)
{
    free(out->description);
    out->description = description ? strdup(description) : NULL;
}

void mcp_prompt_fail(mcp_prompt_result_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->error, sizeof(out->error), fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ completion lookups */

const mcp__completer_t *mcp__prompts_completer(const mcp_prompts_t *r, const char *prompt, const char *arg, int *found,
                                               int *declared)
{
    const mcp_prompt_t *p = r ? mcp_prompts_find(r, prompt) : NULL;
    *found = p != NULL;
    const prompt_arg_t *a = p ? find_arg(p, arg) : NULL;
    *declared = a != NULL;
    return a ? &a->complete : NULL;
}

int mcp__prompts_have_completers(const mcp_prompts_t *r)
{
    for (size_t i = 0; r != NULL && i < r->n; i++)
        for (size_t j = 0; j < r->items[i]->nargs; j++)
            if (mcp__completer_present(&r->items[i]->args[j].complete))
                return 1;
    return 0;
}
