/*
 * resources.c - static resources, resource templates, reads and the contents builders (see mcp/features.h).
 */
#include "features/resources.h"
#include "common/crypto.h"
#include "common/status.h"
#include "features/features_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 16

typedef struct resource {
    char *uri;
    char *mime_type;
    json_t *contents; /* prebuilt {"contents":[...]} for static text/blob; NULL with a handler */
    mcp_resource_read_fn fn;
    void *data;
} resource_t;

typedef struct template_var {
    char *name;
    mcp__completer_t complete;
} template_var_t;

typedef struct rtemplate {
    char *tmpl;
    char *mime_type;
    template_var_t vars[MAX_VARS];
    size_t nvars;
    mcp_resource_read_fn fn;
    void *data;
} rtemplate_t;

struct mcp_resources {
    resource_t **res;
    size_t nres;
    rtemplate_t **tpl;
    size_t ntpl;
    mcp__pager_t list, tlist;
};

struct mcp_resource_contents {
    json_t *contents; /* array */
    const char *uri;  /* the requested URI */
    const char *mime_type;
    char error[256];
    int failed;
};

static void resource_free(resource_t *r)
{
    if (r == NULL)
        return;
    free(r->uri);
    free(r->mime_type);
    json_decref(r->contents);
    free(r);
}

static void template_free(rtemplate_t *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nvars; i++) {
        free(t->vars[i].name);
        mcp__completer_clear(&t->vars[i].complete);
    }
    free(t->tmpl);
    free(t->mime_type);
    free(t);
}

mcp_resources_t *mcp_resources_new(size_t page_size)
{
    mcp_resources_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    if (mcp__pager_init(&r->list, page_size) != CM_OK || mcp__pager_init(&r->tlist, page_size) != CM_OK) {
        mcp_resources_free(r);
        return NULL;
    }
    return r;
}

void mcp_resources_free(mcp_resources_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nres; i++)
        resource_free(r->res[i]);
    for (size_t i = 0; i < r->ntpl; i++)
        template_free(r->tpl[i]);
    free(r->res);
    free(r->tpl);
    mcp__pager_clear(&r->list);
    mcp__pager_clear(&r->tlist);
    free(r);
}

void mcp__resources_set_page_size(mcp_resources_t *r, size_t page_size)
{
    mcp__pager_set_page_size(&r->list, page_size);
    mcp__pager_set_page_size(&r->tlist, page_size);
}

size_t mcp_resources_count(const mcp_resources_t *r)
{
    return r->nres;
}

size_t mcp_resources_template_count(const mcp_resources_t *r)
{
    return r->ntpl;
}

/* An absolute URI as the registry accepts it: scheme ":" rest, printable ASCII without spaces. */
static int uri_valid(const char *uri)
{
    size_t len = uri ? strlen(uri) : 0, i = 0;
    if (len == 0 || len > MCP_URI_MAX)
        return 0;
    if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
        return 0;
    while (i < len && uri[i] != ':')
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.", uri[i++]))
            return 0;
    if (i == len || i + 1 == len)
        return 0;
    for (i = 0; i < len; i++)
        if (uri[i] <= 0x20 || uri[i] >= 0x7f)
            return 0;
    return 1;
}

static const resource_t *find_static(const mcp_resources_t *r, const char *uri)
{
    for (size_t i = 0; uri != NULL && i < r->nres; i++)
        if (strcmp(r->res[i]->uri, uri) == 0)
            return r->res[i];
    return NULL;
}

static const rtemplate_t *find_template(const mcp_resources_t *r, const char *tmpl)
{
    for (size_t i = 0; tmpl != NULL && i < r->ntpl; i++)
        if (strcmp(r->tpl[i]->tmpl, tmpl) == 0)
            return r->tpl[i];
    return NULL;
}

/* The list entry shared by resources and templates. */
static json_t *entry_json(const char *key, const char *uri, const char *name, const char *title, const char *desc,
                          const char *mime)
{
    json_t *e = json_pack("{s:s, s:s}", key, uri, "name", name);
    if (e == NULL)
        return NULL;
    if (title)
        json_object_set_new(e, "title", json_string(title));
    if (desc)
        json_object_set_new(e, "description", json_string(desc));
    if (mime)
        json_object_set_new(e, "mimeType", json_string(mime));
    return e;
}

static json_t *static_contents(const mcp_resource_def_t *def)
{
    json_t *c = json_pack("{s:s}", "uri", def->uri);
    if (c == NULL)
        return NULL;
    if (def->mime_type)
        json_object_set_new(c, "mimeType", json_string(def->mime_type));
    if (def->text != NULL) {
        json_t *t = json_string(def->text);
        if (t == NULL || json_object_set_new(c, "text", t) != 0)
            goto out_free;
    } else {
        char *b64 = cm_b64_encode(def->blob, def->blob_len);
        if (b64 == NULL || json_object_set_new(c, "blob", json_string(b64)) != 0) {
            free(b64);
            goto out_free;
        }
        free(b64);
    }
    return json_pack("{s:[o]}", "contents", c);

out_free:
    json_decref(c);
    return NULL;
}

int mcp_resources_add(mcp_resources_t *r, const mcp_resource_def_t *def, char *err, size_t errsz)
{
    if (def == NULL || !uri_valid(def->uri) || def->name == NULL || def->name[0] == '\0') {
        snprintf(err, errsz, "resource needs an absolute URI (printable ASCII, <= %d characters) and a name",
                 MCP_URI_MAX);
        return CM_EINVAL;
    }
    int sources = (def->text != NULL) + (def->blob != NULL) + (def->fn != NULL);
    if (sources != 1) {
        snprintf(err, errsz, "resource %s needs exactly one of text, blob or a read handler", def->uri);
        return CM_EINVAL;
    }
    if (find_static(r, def->uri) != NULL) {
        snprintf(err, errsz, "resource %s is registered twice", def->uri);
        return CM_ECONFLICT;
    }
    resource_t *res = calloc(1, sizeof(*res));
    json_t *entry = entry_json("uri", def->uri, def->name, def->title, def->description, def->mime_type);
    if (res == NULL || entry == NULL || (res->uri = strdup(def->uri)) == NULL ||
        (def->mime_type && (res->mime_type = strdup(def->mime_type)) == NULL))
        goto out_nomem;
    res->fn = def->fn;
    res->data = def->data;
    if (def->fn == NULL) {
        if ((res->contents = static_contents(def)) == NULL) {
            snprintf(err, errsz, "resource %s: text must be valid UTF-8", def->uri);
            json_decref(entry);
            resource_free(res);
            return CM_EINVAL;
        }
        json_object_set_new(entry, "size", json_integer((json_int_t)(def->text ? strlen(def->text) : def->blob_len)));
    }
    resource_t **grown = realloc(r->res, (r->nres + 1) * sizeof(*grown));
    if (grown == NULL)
        goto out_nomem;
    r->res = grown;
    if (mcp__pager_add(&r->list, entry) != CM_OK) {
        entry = NULL;
        goto out_nomem;
    }
    r->res[r->nres++] = res;
    return CM_OK;

out_nomem:
    snprintf(err, errsz, "out of memory");
    json_decref(entry);
    resource_free(res);
    return CM_ENOMEM;
}

static int copy_vars(rtemplate_t *t, json_t *names, const mcp_resource_template_def_t *def, char *err, size_t errsz)
{
    t->nvars = json_array_size(names);
    for (size_t i = 0; i < t->nvars; i++)
        if ((t->vars[i].name = strdup(json_string_value(json_array_get(names, i)))) == NULL) {
            snprintf(err, errsz, "out of memory");
            return CM_ENOMEM;
        }
    if (def->nvars > 0 && def->vars == NULL) {
        snprintf(err, errsz, "template %s: nvars without vars", def->uri_template);
        return CM_EINVAL;
    }
    for (size_t i = 0; i < def->nvars; i++) {
        template_var_t *v = NULL;
        for (size_t k = 0; def->vars[i].name != NULL && k < t->nvars; k++)
            if (strcmp(t->vars[k].name, def->vars[i].name) == 0)
                v = &t->vars[k];
        if (v == NULL || mcp__completer_present(&v->complete)) {
            snprintf(err, errsz, "template %s: completion for %s, which is not a variable of it (or given twice)",
                     def->uri_template, def->vars[i].name ? def->vars[i].name : "(null)");
            return CM_EINVAL;
        }
        char why[128];
        int rc = mcp__completer_init(&v->complete, &def->vars[i].complete, why, sizeof(why));
        if (rc != CM_OK) {
            snprintf(err, errsz, "template %s, variable %s: %s", def->uri_template, v->name, why);
            return rc;
        }
    }
    return CM_OK;
}

int mcp_resources_add_template(mcp_resources_t *r, const mcp_resource_template_def_t *def, char *err, size_t errsz)
{
    json_t *names = NULL, *entry = NULL;
    rtemplate_t *t = NULL;
    int rc = CM_EINVAL;
    char why[160];
    if (def == NULL || def->name == NULL || def->name[0] == '\0' || def->fn == NULL) {
        snprintf(err, errsz, "resource template needs a URI template, a name and a read handler");
        return CM_EINVAL;
    }
    if ((rc = mcp_uri_template_parse(def->uri_template, &names, why, sizeof(why))) != CM_OK) {
        snprintf(err, errsz, "%s", why);
        return rc;
    }
    if (find_template(r, def->uri_template) != NULL) {
        snprintf(err, errsz, "resource template %s is registered twice", def->uri_template);
        rc = CM_ECONFLICT;
        goto out_free;
    }
    t = calloc(1, sizeof(*t));
    entry = entry_json("uriTemplate", def->uri_template, def->name, def->title, def->description, def->mime_type);
    if (t == NULL || entry == NULL || (t->tmpl = strdup(def->uri_template)) == NULL ||
        (def->mime_type && (t->mime_type = strdup(def->mime_type)) == NULL))
        goto out_nomem;
    t->fn = def->fn;
    t->data = def->data;
    if ((rc = copy_vars(t, names, def, err, errsz)) != CM_OK)
        goto out_free;
    rtemplate_t **grown = realloc(r->tpl, (r->ntpl + 1) * sizeof(*grown));
    if (grown == NULL)
        goto out_nomem;
    r->tpl = grown;
    if (mcp__pager_add(&r->tlist, entry) != CM_OK) {
        entry = NULL;
        goto out_nomem;
    }
    r->tpl[r->ntpl++] = t;
    json_decref(names);
    return CM_OK;

out_nomem:
    snprintf(err, errsz, "out of memory");
    rc = CM_ENOMEM;
out_free:
    json_decref(names);
    json_decref(entry);
    template_free(t);
    return rc;
}

int mcp_resources_list(mcp_resources_t *r, const char *cursor, json_t **out)
{
    return mcp__pager_page(&r->list, "resources", cursor, out);
}

int mcp_resources_templates_list(mcp_resources_t *r, const char *cursor, json_t **out)
{
    return mcp__pager_page(&r->tlist, "resourceTemplates", cursor, out);
}

/* The first template matching uri (vars may be NULL). */
static const rtemplate_t *match_template(const mcp_resources_t *r, const char *uri, json_t **vars)
{
    for (size_t i = 0; i < r->ntpl; i++)
        if (mcp__uri_template_match_parsed(r->tpl[i]->tmpl, uri, vars) == 1)
            return r->tpl[i];
    return NULL;
}

int mcp_resources_exists(const mcp_resources_t *r, const char *uri)
{
    if (uri == NULL || strlen(uri) > MCP_URI_MAX)
        return 0;
    return find_static(r, uri) != NULL || match_template(r, uri, NULL) != NULL;
}

static int run_handler(mcp_resource_read_fn fn, void *data, const char *uri, const char *mime, json_t *vars,
                       json_t **result, char *msg, size_t msgsz)
{
    mcp_resource_contents_t out = {.contents = json_array(), .uri = uri, .mime_type = mime};
    if (out.contents == NULL) {
        snprintf(msg, msgsz, "out of memory");
        return MCP_READ_FAILED;
    }
    int rc = fn(&out, uri, vars, data), code = MCP_READ_OK;
    if (rc == CM_ENOTFOUND || (rc == CM_OK && !out.failed && json_array_size(out.contents) == 0)) {
        code = MCP_READ_NOT_FOUND;
        snprintf(msg, msgsz, "Resource not found");
    } else if (rc != CM_OK) {
        code = rc == CM_EINVAL ? MCP_READ_INVALID : MCP_READ_FAILED;
        snprintf(msg, msgsz, "%s", out.error[0] ? out.error : rc == CM_EINVAL ? "Invalid resource URI" : "Read failed");
    } else if (out.failed) {
        code = MCP_READ_FAILED;
        snprintf(msg, msgsz, "Reading the resource produced invalid contents");
    } else if ((*result = json_pack("{s:O}", "contents", out.contents)) == NULL) {
        code = MCP_READ_FAILED;
        snprintf(msg, msgsz, "out of memory");
    }
    json_decref(out.contents);
    return code;
}

int mcp_resources_read(mcp_resources_t *r, const char *uri, json_t **result, char *msg, size_t msgsz)
{
    *result = NULL;
    if (uri == NULL || strlen(uri) > MCP_URI_MAX) {
        snprintf(msg, msgsz, "Resource not found");
        return MCP_READ_NOT_FOUND;
    }
    const resource_t *res = find_static(r, uri);
    if (res != NULL && res->contents != NULL) {
        *result = json_incref(res->contents); /* shared: callers copy before decorating */
        return MCP_READ_OK;
    }
    if (res != NULL)
        return run_handler(res->fn, res->data, uri, res->mime_type, NULL, result, msg, msgsz);
    json_t *vars = NULL;
    const rtemplate_t *t = match_template(r, uri, &vars);
    if (t == NULL) {
        snprintf(msg, msgsz, "Resource not found");
        return MCP_READ_NOT_FOUND;
    }
    int code = run_handler(t->fn, t->data, uri, t->mime_type, vars, result, msg, msgsz);
    json_decref(vars);
    return code;
}

/* ------------------------------------------------------------------ builders */

static int add_item(mcp_resource_contents_t *out, const char *uri, const char *mime_type, const char *key,
                    const char *value)
{
    const char *m = mime_type ? mime_type : out->mime_type;
    json_t *c = value ? json_pack("{s:s, s:s}", "uri", uri ? uri : out->uri, key, value) : NULL;
    if (c != NULL && m != NULL && json_object_set_new(c, "mimeType", json_string(m)) != 0) {
        json_decref(c);
        c = NULL;
    }
    if (c == NULL || json_array_append_new(out->contents, c) != 0) {
        out->failed = 1;
        return c == NULL ? CM_EINVAL : CM_ENOMEM;
    }
    return CM_OK;
}

int mcp_resource_add_text(mcp_resource_contents_t *out, const char *uri, const char *mime_type, const char *text)
{
    return add_item(out, uri, mime_type, "text", text);
}

int mcp_resource_add_blob(mcp_resource_contents_t *out, const char *uri, const char *mime_type, const void *bytes,
                          size_t len)
{
    char *b64 = bytes || len == 0 ? cm_b64_encode(bytes ? bytes : "", len) : NULL;
    int rc = add_item(out, uri, mime_type, "blob", b64);
    free(b64);
    return rc;
}

void mcp_resource_fail(mcp_resource_contents_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->error, sizeof(out->error), fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ completion lookups */

const mcp__completer_t *mcp__resources_completer(const mcp_resources_t *r, const char *uri_template, const char *var,
                                                 int *found, int *declared)
{
    const rtemplate_t *t = r ? find_template(r, uri_template) : NULL;
    *found = t != NULL;
    *declared = 0;
    for (size_t i = 0; t != NULL && i < t->nvars; i++)
        if (strcmp(t->vars[i].name, var) == 0) {
            *declared = 1;
            return &t->vars[i].complete;
        }
    return NULL;
}

int mcp__resources_have_completers(const mcp_resources_t *r)
{
    for (size_t i = 0; r != NULL && i < r->ntpl; i++)
        for (size_t j = 0; j < r->tpl[i]->nvars; j++)
            if (mcp__completer_present(&r->tpl[i]->vars[j].complete))
                return 1;
    return 0;
}
