/*
 * input.c - the record of one handler run's input requests (see features/input.h and mcp/input.h): answers known,
 * requests asked, answers read; the capability each method needs; the form-mode schema restrictions.
 */
#include "common/status.h"
#include "features/input.h"
#include "schema/schema.h"

#include <stdio.h>
#include <string.h>

int mcp__input_init(mcp__input_t *in, json_t *caps)
{
    memset(in, 0, sizeof(*in));
    in->responses = json_object();
    in->asked = json_object();
    in->used = json_object();
    in->caps = json_incref(caps);
    if (in->responses == NULL || in->asked == NULL || in->used == NULL) {
        mcp__input_clear(in);
        return CM_ENOMEM;
    }
    return CM_OK;
}

void mcp__input_clear(mcp__input_t *in)
{
    json_decref(in->responses);
    json_decref(in->asked);
    json_decref(in->used);
    json_decref(in->caps);
    json_decref(in->missing);
    memset(in, 0, sizeof(*in));
}

void mcp__input_rerun(mcp__input_t *in)
{
    json_object_clear(in->asked);
    json_object_clear(in->used);
    json_decref(in->missing);
    in->missing = NULL;
    in->bad[0] = '\0';
}

int mcp__input_caps_support(const json_t *caps, mcp_input_kind_t kind)
{
    json_t *e = json_object_get(caps, "elicitation");
    switch (kind) {
    case MCP_INPUT_ELICIT_FORM: /* an empty elicitation object means form mode (backwards compatibility) */
        return json_is_object(e) && (json_object_get(e, "form") != NULL || json_object_get(e, "url") == NULL);
    case MCP_INPUT_ELICIT_URL:
        return json_is_object(json_object_get(e, "url"));
    case MCP_INPUT_SAMPLING:
        return json_is_object(json_object_get(caps, "sampling"));
    case MCP_INPUT_ROOTS:
        return json_is_object(json_object_get(caps, "roots"));
    }
    return 0;
}

static const char *const cap_names[] = {"elicitation", "elicitation", "sampling", "roots"};

json_t *mcp__input_missing_data(const mcp__input_t *in)
{
    return json_pack("{s:O}", "requiredCapabilities", in->missing ? in->missing : json_object());
}

const char *mcp__input_missing_name(const mcp__input_t *in)
{
    const char *key = NULL;
    json_t *v;
    json_object_foreach(in->missing, key, v)
    {
        return key;
    }
    return "client";
}

static int key_valid(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > MCP_INPUT_KEY_MAX)
        return 0;
    for (const char *p = key; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ form schema restrictions */

static int has_only(const json_t *o, const char *const *allowed, char *err, size_t errsz, const char *prop)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] != NULL && !ok; i++)
            ok = strcmp(k, allowed[i]) == 0;
        if (!ok) {
            snprintf(err, errsz, "property '%.64s' may not use '%.64s' in an elicitation form", prop, k);
            return -1;
        }
    }
    return 0;
}

static int strings(const json_t *a)
{
    size_t i;
    json_t *v;
    if (!json_is_array(a) || json_array_size(a) == 0)
        return 0;
    json_array_foreach(a, i, v) if (!json_is_string(v)) return 0;
    return 1;
}

/* [{const: string, title: string}, ...] */
static int titled(const json_t *a)
{
    size_t i;
    json_t *v;
    if (!json_is_array(a) || json_array_size(a) == 0)
        return 0;
    json_array_foreach(a, i, v) if (!json_is_string(json_object_get(v, "const")) ||
                                    !json_is_string(json_object_get(v, "title")) || json_object_size(v) != 2) return 0;
    return 1;
}

static int check_string(const json_t *p, const char *name, char *err, size_t errsz)
{
    static const char *const ok[] = {"type",    "title", "description", "minLength", "maxLength", "format",
                                     "default", "enum",  "enumNames",   "oneOf",     NULL};
    const char *fmt = json_string_value(json_object_get(p, "format"));
    json_t *en = json_object_get(p, "enum"), *names = json_object_get(p, "enumNames");
    json_t *def = json_object_get(p, "default"), *one = json_object_get(p, "oneOf");
    if (has_only(p, ok, err, errsz, name) != 0)
        return -1;
    if (fmt != NULL && strcmp(fmt, "email") != 0 && strcmp(fmt, "uri") != 0 && strcmp(fmt, "date") != 0 &&
        strcmp(fmt, "date-time") != 0)
        snprintf(err, errsz, "property '%.64s': format must be email, uri, date or date-time", name);
    else if ((en != NULL && !strings(en)) ||
             (names != NULL && (!strings(names) || en == NULL || json_array_size(names) != json_array_size(en))))
        snprintf(err, errsz, "property '%.64s': enum (and enumNames) must be non-empty lists of strings", name);
    else if (one != NULL && (!titled(one) || en != NULL))
        snprintf(err, errsz, "property '%.64s': oneOf must list {const, title} strings (instead of enum)", name);
    else if (def != NULL && !json_is_string(def))
        snprintf(err, errsz, "property '%.64s': default must be a string", name);
    else
        return 0;
    return -1;
}

static int check_array(const json_t *p, const char *name, char *err, size_t errsz)
{
    static const char *const ok[] = {"type", "title", "description", "minItems", "maxItems", "items", "default", NULL};
    static const char *const item_ok[] = {"type", "enum", "anyOf", NULL};
    json_t *items = json_object_get(p, "items"), *def = json_object_get(p, "default");
    if (has_only(p, ok, err, errsz, name) != 0 || has_only(items, item_ok, err, errsz, name) != 0)
        return -1;
    int plain = json_is_string(json_object_get(items, "type")) &&
                strcmp(json_string_value(json_object_get(items, "type")), "string") == 0 &&
                strings(json_object_get(items, "enum")) && json_object_get(items, "anyOf") == NULL;
    int with_titles = titled(json_object_get(items, "anyOf")) && json_object_get(items, "enum") == NULL;
    if (!plain && !with_titles)
        snprintf(err, errsz, "property '%.64s': a multi-select needs items {type: string, enum} or {anyOf}", name);
    else if (def != NULL && (!json_is_array(def) || (json_array_size(def) > 0 && !strings(def))))
        snprintf(err, errsz, "property '%.64s': default must be a list of strings", name);
    else
        return 0;
    return -1;
}

static int check_property(const char *name, const json_t *p, char *err, size_t errsz)
{
    static const char *const num_ok[] = {"type", "title", "description", "minimum", "maximum", "default", NULL};
    static const char *const bool_ok[] = {"type", "title", "description", "default", NULL};
    const char *type = json_string_value(json_object_get(p, "type"));
    json_t *def = json_object_get(p, "default");
    if (!json_is_object(p) || type == NULL) {
        snprintf(err, errsz, "property '%.64s' needs a type", name);
        return -1;
    }
    if (strcmp(type, "string") == 0)
        return check_string(p, name, err, errsz);
    if (strcmp(type, "array") == 0)
        return check_array(p, name, err, errsz);
    if (strcmp(type, "number") == 0 || strcmp(type, "integer") == 0) {
        if (has_only(p, num_ok, err, errsz, name) != 0)
            return -1;
        if (def != NULL && (strcmp(type, "integer") == 0 ? !json_is_integer(def) : !json_is_number(def))) {
            snprintf(err, errsz, "property '%.64s': default must be a%s", name,
                     strcmp(type, "integer") == 0 ? "n integer" : " number");
            return -1;
        }
        return 0;
    }
    if (strcmp(type, "boolean") == 0) {
        if (has_only(p, bool_ok, err, errsz, name) != 0)
            return -1;
        if (def != NULL && !json_is_boolean(def)) {
            snprintf(err, errsz, "property '%.64s': default must be a boolean", name);
            return -1;
        }
        return 0;
    }
    snprintf(err, errsz, "property '%.64s': type must be string, number, integer, boolean or array", name);
    return -1;
}

int mcp__elicit_schema_check(const json_t *schema, char *err, size_t errsz)
{
    static const char *const top_ok[] = {"type", "properties", "required", "title", "description", "$schema", NULL};
    json_t *props = json_object_get(schema, "properties"), *req = json_object_get(schema, "required");
    const char *type = json_string_value(json_object_get(schema, "type"));
    if (!json_is_object(schema) || type == NULL || strcmp(type, "object") != 0 || !json_is_object(props)) {
        snprintf(err, errsz, "requestedSchema must be {type: object, properties: {...}}");
        return -1;
    }
    if (has_only(schema, top_ok, err, errsz, "requestedSchema") != 0)
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v) if (check_property(k, v, err, errsz) != 0) return -1;
    size_t i;
    if (req != NULL && !json_is_array(req)) {
        snprintf(err, errsz, "requestedSchema.required must be a list of property names");
        return -1;
    }
    json_array_foreach(req, i, v) if (json_object_get(props, json_string_value(v)) == NULL)
    {
        snprintf(err, errsz, "requestedSchema.required names an unknown property");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ asking */

static int kind_of(const char *method, json_t *params, mcp_input_kind_t *kind)
{
    if (strcmp(method, "elicitation/create") == 0) {
        const char *mode = json_string_value(json_object_get(params, "mode"));
        *kind = mode != NULL && strcmp(mode, "url") == 0 ? MCP_INPUT_ELICIT_URL : MCP_INPUT_ELICIT_FORM;
    } else if (strcmp(method, "sampling/createMessage") == 0) {
        *kind = MCP_INPUT_SAMPLING;
    } else if (strcmp(method, "roots/list") == 0) {
        *kind = MCP_INPUT_ROOTS;
    } else {
        return -1;
    }
    return 0;
}

/* 1 when answer fits what was asked (the shape of the method's result; accepted form content matches the schema). */
static int answer_fits(mcp_input_kind_t kind, const json_t *params, const json_t *answer)
{
    const char *action = json_string_value(json_object_get(answer, "action"));
    switch (kind) {
    case MCP_INPUT_ELICIT_FORM: {
        if (action == NULL ||
            (strcmp(action, "accept") != 0 && strcmp(action, "decline") != 0 && strcmp(action, "cancel") != 0))
            return 0;
        json_t *content = json_object_get(answer, "content");
        if (strcmp(action, "accept") != 0)
            return 1;
        if (!json_is_object(content))
            return 0;
        char err[160];
        mcp_schema_t *s = mcp_schema_compile(json_object_get(params, "requestedSchema"), err, sizeof(err));
        mcp_schema_error_t e;
        /* a schema the validator cannot compile was still checked by mcp__elicit_schema_check: take the answer */
        int ok = s == NULL || mcp_schema_validate(s, content, &e) == CM_OK;
        mcp_schema_free(s);
        return ok;
    }
    case MCP_INPUT_ELICIT_URL:
        return action != NULL &&
               (strcmp(action, "accept") == 0 || strcmp(action, "decline") == 0 || strcmp(action, "cancel") == 0);
    case MCP_INPUT_SAMPLING:
        return json_is_object(json_object_get(answer, "content")) || json_is_array(json_object_get(answer, "content"));
    case MCP_INPUT_ROOTS:
        return json_is_array(json_object_get(answer, "roots"));
    }
    return 0;
}

static int params_valid(mcp_input_kind_t kind, json_t *params, char *err, size_t errsz)
{
    switch (kind) {
    case MCP_INPUT_ELICIT_FORM:
        if (!json_is_string(json_object_get(params, "message"))) {
            snprintf(err, errsz, "elicitation/create needs a message");
            return -1;
        }
        return mcp__elicit_schema_check(json_object_get(params, "requestedSchema"), err, errsz);
    case MCP_INPUT_ELICIT_URL:
        if (!json_is_string(json_object_get(params, "url")) || !json_is_string(json_object_get(params, "message")) ||
            !json_is_string(json_object_get(params, "elicitationId"))) {
            snprintf(err, errsz, "URL-mode elicitation needs message, url and elicitationId");
            return -1;
        }
        return 0;
    case MCP_INPUT_SAMPLING:
        if (!json_is_array(json_object_get(params, "messages")) ||
            !json_is_integer(json_object_get(params, "maxTokens"))) {
            snprintf(err, errsz, "sampling/createMessage needs messages and maxTokens");
            return -1;
        }
        return 0;
    case MCP_INPUT_ROOTS:
        return 0;
    }
    return -1;
}

const json_t *mcp__input_ask(mcp__input_t *in, const char *key, const char *method, json_t *params)
{
    mcp_input_kind_t kind;
    const json_t *result = NULL;
    if (params == NULL)
        params = json_object();
    if (!key_valid(key) || method == NULL || kind_of(method, params, &kind) != 0) {
        if (in->bad[0] == '\0')
            snprintf(in->bad, sizeof(in->bad), "invalid input request (key '%.64s', method '%.64s')", key ? key : "",
                     method ? method : "");
        goto out_decref_params;
    }
    json_t *answer = json_object_get(in->responses, key);
    if (answer != NULL && answer_fits(kind, params, answer)) {
        json_object_set(in->used, key, answer);
        result = answer;
        goto out_decref_params;
    }
    if (answer != NULL) /* does not fit what is asked now: ask again */
        json_object_del(in->responses, key);
    if (!mcp__input_caps_support(in->caps, kind)) {
        if (in->missing == NULL)
            in->missing = json_object();
        json_object_set_new(in->missing, cap_names[kind],
                            kind == MCP_INPUT_ELICIT_URL ? json_pack("{s:{}}", "url") : json_object());
        goto out_decref_params;
    }
    char why[160];
    if (params_valid(kind, params, why, sizeof(why)) != 0) {
        if (in->bad[0] == '\0')
            snprintf(in->bad, sizeof(in->bad), "input request '%.40s': %.100s", key, why);
        goto out_decref_params;
    }
    json_object_set_new(in->asked, key, json_pack("{s:s, s:o}", "method", method, "params", params));
    return NULL;

out_decref_params:
    json_decref(params);
    return result;
}

int mcp__input_add_responses(mcp__input_t *in, json_t *responses, char *err, size_t errsz)
{
    const char *k;
    json_t *v;
    if (!json_is_object(responses)) {
        snprintf(err, errsz, "inputResponses must be an object");
        return CM_EINVAL;
    }
    json_object_foreach(responses, k, v)
    {
        if (!json_is_object(v)) {
            snprintf(err, errsz, "inputResponses['%.64s'] must be an object (the result of the input request)", k);
            return CM_EINVAL;
        }
    }
    json_object_foreach(responses, k, v) if (key_valid(k)) json_object_set(in->responses, k, v);
    return CM_OK;
}

/* ------------------------------------------------------------------ answer accessors */

const char *mcp_elicit_action(const json_t *answer)
{
    const char *a = json_string_value(json_object_get(answer, "action"));
    return a != NULL && (strcmp(a, "accept") == 0 || strcmp(a, "decline") == 0) ? a : "cancel";
}

json_t *mcp_elicit_content(const json_t *answer)
{
    return strcmp(mcp_elicit_action(answer), "accept") == 0 ? json_object_get(answer, "content") : NULL;
}

const char *mcp_sample_text(const json_t *answer)
{
    json_t *content = json_object_get(answer, "content");
    if (json_is_array(content))
        content = json_array_get(content, 0);
    const char *type = json_string_value(json_object_get(content, "type"));
    return type != NULL && strcmp(type, "text") == 0 ? json_string_value(json_object_get(content, "text")) : NULL;
}
