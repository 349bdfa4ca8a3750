/*
 * output.c - obctl's two output forms: a readable table (the default) and the broker's JSON (--json).
 */
#include "obctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CELL_MAX 512
#define COLS_MAX 16

void obctl_print_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s != NULL)
        printf("%s\n", s);
    free(s);
}

/* Is KEY a unix time the broker names "..._at"? */
static int is_time_key(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    return n > 3 && strcmp(key + n - 3, "_at") == 0;
}

void obctl_value_text(const char *key, const json_t *v, char *buf, size_t size)
{
    if (v == NULL || json_is_null(v)) {
        snprintf(buf, size, "-");
    } else if (json_is_string(v)) {
        snprintf(buf, size, "%s", json_string_value(v));
    } else if (json_is_boolean(v)) {
        snprintf(buf, size, "%s", json_is_true(v) ? "yes" : "no");
    } else if (json_is_integer(v) && is_time_key(key)) {
        time_t t = (time_t)json_integer_value(v);
        struct tm tm;
        if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
            snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    } else if (json_is_integer(v)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(buf, size, "%g", json_real_value(v));
    } else if (json_is_array(v) && json_array_size(v) > 0 && json_is_string(json_array_get(v, 0))) {
        /* a list of names: comma separated */
        size_t used = 0, i;
        json_t *e;
        buf[0] = '\0';
        json_array_foreach(v, i, e)
        {
            int n =
                snprintf(buf + used, size - used, "%s%s", i ? "," : "", json_is_string(e) ? json_string_value(e) : "?");
            if (n < 0 || (size_t)n >= size - used)
                break;
            used += (size_t)n;
        }
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
        snprintf(buf, size, "%s", s ? s : "?");
        free(s);
    }
    /* a cell is one line: control characters from the broker's data must not break the table */
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

/* The member KEY of ROW; a dotted KEY ("capabilities.refresh") reaches into an object. */
static const json_t *member(const json_t *row, const char *key)
{
    char part[128];
    const char *dot;
    while ((dot = strchr(key, '.')) != NULL && row != NULL) {
        snprintf(part, sizeof(part), "%.*s", (int)(dot - key), key);
        row = json_object_get(row, part);
        key = dot + 1;
    }
    return row ? json_object_get(row, key) : NULL;
}

void obctl_print_table(const json_t *rows, const obctl_col_t *cols)
{
    size_t ncols = 0, width[COLS_MAX], i, k;
    char cell[CELL_MAX];
    json_t *row;
    if (!json_is_array(rows) || json_array_size(rows) == 0) {
        printf("(none)\n");
        return;
    }
    for (; cols[ncols].header != NULL && ncols < COLS_MAX; ncols++)
        width[ncols] = strlen(cols[ncols].header);
    json_array_foreach(rows, i, row) for (k = 0; k < ncols; k++)
    {
        obctl_value_text(cols[k].key, member(row, cols[k].key), cell, sizeof(cell));
        size_t n = strlen(cell);
        width[k] = n > width[k] ? n : width[k];
    }
    for (k = 0; k < ncols; k++)
        printf("%-*s%s", k + 1 < ncols ? (int)width[k] : 0, cols[k].header, k + 1 < ncols ? "  " : "\n");
    json_array_foreach(rows, i, row) for (k = 0; k < ncols; k++)
    {
        obctl_value_text(cols[k].key, member(row, cols[k].key), cell, sizeof(cell));
        printf("%-*s%s", k + 1 < ncols ? (int)width[k] : 0, cell, k + 1 < ncols ? "  " : "\n");
    }
}

void obctl_print_object(const json_t *obj, const char *const *keys)
{
    char cell[CELL_MAX * 4];
    size_t w = 0;
    const char *key;
    json_t *v;
    if (keys == NULL) {
        json_object_foreach((json_t *)obj, key, v) w = strlen(key) > w ? strlen(key) : w;
        json_object_foreach((json_t *)obj, key, v)
        {
            obctl_value_text(key, v, cell, sizeof(cell));
            printf("%s:%*s %s\n", key, (int)(w - strlen(key)), "", cell);
        }
        return;
    }
    for (size_t i = 0; keys[i] != NULL; i++)
        w = strlen(keys[i]) > w ? strlen(keys[i]) : w;
    for (size_t i = 0; keys[i] != NULL; i++) {
        const json_t *m = member(obj, keys[i]);
        if (m == NULL)
            continue;
        obctl_value_text(keys[i], m, cell, sizeof(cell));
        printf("%s:%*s %s\n", keys[i], (int)(w - strlen(keys[i])), "", cell);
    }
}

int obctl_show(const obctl_t *c, json_t *j, const char *const *keys)
{
    if (c->json)
        obctl_print_json(j);
    else
        obctl_print_object(j, keys);
    json_decref(j);
    return OBCTL_OK;
}

int obctl_show_table(const obctl_t *c, json_t *j, const char *list, const obctl_col_t *cols)
{
    if (c->json)
        obctl_print_json(j);
    else
        obctl_print_table(json_object_get(j, list), cols);
    json_decref(j);
    return OBCTL_OK;
}
