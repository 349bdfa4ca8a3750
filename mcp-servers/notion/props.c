/*
 * props.c - Notion page and database objects to short text and JSON (titles, property values, result lines), and
 * the properties argument of create_page / update_page_properties to Notion's property value shapes.
 */
#include "notion.h"

#include <stdio.h>
#include <string.h>

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

void nt_title(cm_buf_t *b, json_t *obj)
{
    json_t *title = json_object_get(obj, "title"); /* a database's title */
    if (json_is_array(title)) {
        nt_plain_text(b, title);
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(obj, "properties"), k, v)
    {
        const char *type = str(v, "type");
        if (type != NULL && strcmp(type, "title") == 0) {
            nt_plain_text(b, json_object_get(v, "title"));
            return;
        }
    }
}

/* Names (or ids) of a list of objects with "name" (select options, files, people), ", "-joined. */
static void names(cm_buf_t *b, json_t *list, const char *fallback_key)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        const char *n = str(o, "name");
        cm_buf_printf(b, "%s%s", i ? ", " : "", n ? n : str(o, fallback_key) ? str(o, fallback_key) : "?");
    }
}

static void scalar(cm_buf_t *b, json_t *v)
{
    if (json_is_string(v))
        cm_buf_appendz(b, json_string_value(v));
    else if (json_is_integer(v))
        cm_buf_printf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        cm_buf_printf(b, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        cm_buf_appendz(b, json_is_true(v) ? "yes" : "no");
}

static void date_text(cm_buf_t *b, json_t *d)
{
    if (str(d, "start"))
        cm_buf_appendz(b, str(d, "start"));
    if (str(d, "end"))
        cm_buf_printf(b, " → %s", str(d, "end"));
}

void nt_prop_text(cm_buf_t *b, json_t *value)
{
    const char *type = str(value, "type");
    json_t *v = type ? json_object_get(value, type) : NULL;
    if (type == NULL)
        return;
    if (strcmp(type, "title") == 0 || strcmp(type, "rich_text") == 0)
        nt_plain_text(b, v);
    else if (strcmp(type, "select") == 0 || strcmp(type, "status") == 0)
        cm_buf_appendz(b, str(v, "name") ? str(v, "name") : "");
    else if (strcmp(type, "multi_select") == 0 || strcmp(type, "files") == 0)
        names(b, v, "id");
    else if (strcmp(type, "people") == 0)
        names(b, v, "id");
    else if (strcmp(type, "relation") == 0)
        names(b, v, "id");
    else if (strcmp(type, "date") == 0)
        date_text(b, v);
    else if (strcmp(type, "created_by") == 0 || strcmp(type, "last_edited_by") == 0)
        cm_buf_appendz(b, str(v, "name") ? str(v, "name") : str(v, "id") ? str(v, "id") : "");
    else if (strcmp(type, "formula") == 0) {
        const char *ft = str(v, "type");
        json_t *fv = ft ? json_object_get(v, ft) : NULL;
        if (ft != NULL && strcmp(ft, "date") == 0)
            date_text(b, fv);
        else
            scalar(b, fv);
    } else if (strcmp(type, "rollup") == 0) {
        const char *rt = str(v, "type");
        json_t *rv = rt ? json_object_get(v, rt) : NULL;
        if (json_is_array(rv))
            cm_buf_printf(b, "%zu items", json_array_size(rv));
        else if (rt != NULL && strcmp(rt, "date") == 0)
            date_text(b, rv);
        else
            scalar(b, rv);
    } else if (strcmp(type, "unique_id") == 0) {
        const char *prefix = str(v, "prefix");
        cm_buf_printf(b, "%s%s%lld", prefix ? prefix : "", prefix ? "-" : "",
                      (long long)json_integer_value(json_object_get(v, "number")));
    } else {
        scalar(b, v); /* number, checkbox, url, email, phone_number, created_time, last_edited_time */
    }
}

json_t *nt_page_summary(json_t *page)
{
    cm_buf_t t = {0};
    nt_title(&t, page);
    json_t *parent = json_object_get(page, "parent");
    const char *ptype = str(parent, "type");
    json_t *props = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(page, "properties"), k, v)
    {
        cm_buf_t pv = {0};
        nt_prop_text(&pv, v);
        json_object_set_new(props, k, json_string(pv.data ? pv.data : ""));
        cm_buf_free(&pv);
    }
    json_t *out =
        json_pack("{s:s*, s:s*, s:s, s:b, s:s*, s:s*, s:o}", "id", str(page, "id"), "url", str(page, "url"), "title",
                  t.data ? t.data : "", "archived", json_is_true(json_object_get(page, "archived")), "created_time",
                  str(page, "created_time"), "last_edited_time", str(page, "last_edited_time"), "properties", props);
    if (out != NULL && ptype != NULL) {
        json_t *pid = json_object_get(parent, ptype);
        json_object_set_new(
            out, "parent",
            json_pack("{s:s, s:s*}", "type", ptype, "id", json_is_string(pid) ? json_string_value(pid) : NULL));
    }
    cm_buf_free(&t);
    return out;
}

void nt_result_line(cm_buf_t *b, json_t *obj)
{
    cm_buf_t t = {0};
    nt_title(&t, obj);
    cm_buf_printf(b, "- %s (%s %s)%s%s%s\n", t.len ? t.data : "Untitled", str(obj, "object") ?: "object",
                  str(obj, "id") ?: "?", str(obj, "url") ? " " : "", str(obj, "url") ?: "",
                  json_is_true(json_object_get(obj, "archived")) ? " [archived]" : "");
    cm_buf_free(&t);
}

/* A list of strings as [{key: s}, ...] (select options by name, relations and people by id). */
static json_t *wrap_list(json_t *list, const char *key)
{
    json_t *out = json_array(), *e;
    size_t i;
    json_array_foreach(list, i, e)
        json_array_append_new(out, json_is_string(e) ? json_pack("{s:O}", key, e) : json_incref(e));
    return out;
}

json_t *nt_props_from_args(json_t *props)
{
    json_t *out = json_object(), *v;
    const char *name;
    if (out == NULL)
        return NULL;
    json_object_foreach(props, name, v)
    {
        const char *type = NULL;
        json_t *val = NULL, *conv = NULL;
        void *iter = json_object_iter(v);
        if (iter != NULL) {
            type = json_object_iter_key(iter);
            val = json_object_iter_value(iter);
        }
        if (type == NULL) {
            conv = json_incref(v);
        } else if ((strcmp(type, "title") == 0 || strcmp(type, "rich_text") == 0) && json_is_string(val)) {
            json_t *rt = nt_rich_text(json_string_value(val), json_string_length(val), 0);
            conv = rt ? json_pack("{s:o}", type, rt) : NULL;
        } else if ((strcmp(type, "select") == 0 || strcmp(type, "status") == 0) && json_is_string(val)) {
            conv = json_pack("{s:{s:O}}", type, "name", val);
        } else if (strcmp(type, "date") == 0 && json_is_string(val)) {
            conv = json_pack("{s:{s:O}}", type, "start", val);
        } else if (strcmp(type, "multi_select") == 0 && json_is_array(val)) {
            conv = json_pack("{s:o}", type, wrap_list(val, "name"));
        } else if ((strcmp(type, "relation") == 0 || strcmp(type, "people") == 0) && json_is_array(val)) {
            conv = json_pack("{s:o}", type, wrap_list(val, "id"));
        } else {
            conv = json_incref(v);
        }
        if (conv == NULL || json_object_set_new(out, name, conv) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}
