/*
 * cmd_admin.c - obctl's commands besides /instances: health, providers, providers reload, services, authorize-url,
 * refresh, revoke, tokens import, keys list | rotate, grants list | revoke.
 */
#include "obctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 2048
#define TOKENS_FILE_MAX (64u << 10)

int obctl_cmd_health(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    json_t *j;
    int rc = obctl_parse(c, cmd, argc, argv, NULL, NULL, 0, 0);
    if (rc != OBCTL_OK || (rc = obctl_call(c, "GET", "/health", NULL, &j, NULL)) != OBCTL_OK)
        return rc;
    static const char *const keys[] = {
        "status",           "version", "uptime_s", "database.ok", "database.latency_ms", "instance_cache.entries",
        "providers_loaded", NULL};
    return obctl_show(c, j, keys);
}

int obctl_cmd_providers(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    static const obctl_col_t cols[] = {
        {"PROVIDER", "name"},
        {"PLUGIN", "plugin"},
        {"REFRESH", "capabilities.refresh"},
        {"PKCE", "capabilities.pkce"},
        {"REVOCATION", "revocation"},
        {"ABI", "abi_version"},
        {NULL, NULL},
    };
    json_t *j;
    int rc = obctl_parse(c, cmd, argc, argv, NULL, NULL, 0, 0);
    if (rc != OBCTL_OK || (rc = obctl_call(c, "GET", "/providers", NULL, &j, NULL)) != OBCTL_OK)
        return rc;
    return obctl_show_table(c, j, "providers", cols);
}

/* One line per plugin of the report's LIST: "<what> <file> <plugin> <version>[ (was <previous>)]". */
static void reload_lines(const json_t *report, const char *list, const char *what)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(report, list), i, p)
    {
        const char *prev = json_string_value(json_object_get(p, "previous_version"));
        printf("%-9s %-24s %s %s%s%s%s\n", what, json_string_value(json_object_get(p, "file")),
               json_string_value(json_object_get(p, "plugin")),
               json_string_value(json_object_get(p, "version")) ? json_string_value(json_object_get(p, "version"))
                                                                : "?",
               prev ? " (was " : "", prev ? prev : "", prev ? ")" : "");
    }
}

int obctl_cmd_providers_reload(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    json_t *j = NULL, *p;
    size_t i;
    int rc = obctl_parse(c, cmd, argc, argv, NULL, NULL, 0, 0);
    if (rc != OBCTL_OK || (rc = obctl_load_key(c)) != OBCTL_OK ||
        (rc = obctl_call(c, "POST", "/providers/reload", NULL, &j, NULL)) != OBCTL_OK)
        return rc;
    if (c->json) {
        obctl_print_json(j);
        json_decref(j);
        return OBCTL_OK;
    }
    reload_lines(j, "loaded", "loaded");
    reload_lines(j, "replaced", "replaced");
    reload_lines(j, "unloaded", "unloaded");
    json_array_foreach(json_object_get(j, "skipped"), i, p)
        printf("%-9s %-24s %s\n", "skipped", json_string_value(json_object_get(p, "file")),
               json_string_value(json_object_get(p, "reason")));
    printf("unchanged: %lld  providers: %lld  old versions in use: %lld\n",
           (long long)json_integer_value(json_object_get(j, "unchanged")),
           (long long)json_integer_value(json_object_get(j, "providers")),
           (long long)json_integer_value(json_object_get(j, "old_versions_in_use")));
    json_decref(j);
    return OBCTL_OK;
}

int obctl_cmd_services(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    static const obctl_col_t cols[] = {
        {"SERVICE", "name"},      {"DISPLAY NAME", "display_name"},
        {"PROVIDER", "provider"}, {"PORT", "port"},
        {"ACTIVE", "active"},     {NULL, NULL},
    };
    json_t *j, *rows = json_array(), *p, *s;
    size_t i, k;
    int rc = obctl_parse(c, cmd, argc, argv, NULL, NULL, 0, 0);
    if (rc != OBCTL_OK || (rc = obctl_call(c, "GET", "/providers", NULL, &j, NULL)) != OBCTL_OK) {
        json_decref(rows);
        return rc;
    }
    /* one row per service, the provider that serves it added */
    json_array_foreach(json_object_get(j, "providers"), i, p) json_array_foreach(json_object_get(p, "services"), k, s)
    {
        json_t *row = json_deep_copy(s);
        if (row != NULL) {
            json_object_set(row, "provider", json_object_get(p, "name"));
            json_array_append_new(rows, row);
        }
    }
    json_decref(j);
    json_t *out = json_pack("{s:o, s:I}", "services", rows, "count", (json_int_t)json_array_size(rows));
    if (out == NULL)
        return OBCTL_SERVER;
    return obctl_show_table(c, out, "services", cols);
}

int obctl_cmd_authorize_url(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    json_t *j;
    int rc = obctl_id_call(c, cmd, argc, argv, 1, "GET", "/instances/%s%s", NULL, &j);
    if (rc != OBCTL_OK)
        return rc;
    const char *url = json_string_value(json_object_get(j, "authorize_url"));
    if (url == NULL) {
        obctl_err("the broker's answer has no authorize_url");
        json_decref(j);
        return OBCTL_SERVER;
    }
    if (c->json) {
        json_t *o = json_pack("{s:O, s:s}", "instance_id", json_object_get(j, "instance_id"), "authorize_url", url);
        obctl_print_json(o);
        json_decref(o);
    } else {
        printf("%s\n", url);
    }
    json_decref(j);
    return OBCTL_OK;
}

/* POST PATH {instance_id} for the one argument, showing KEYS. */
static int instance_post(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv, const char *path,
                         const char *const *keys)
{
    const char *pos[1];
    json_t *j = NULL;
    int rc = obctl_parse(c, cmd, argc, argv, NULL, pos, 1, 1);
    if (rc != OBCTL_OK || (rc = obctl_load_key(c)) != OBCTL_OK)
        return rc;
    json_t *body = json_pack("{s:s}", "instance_id", pos[0]);
    if (body == NULL) {
        obctl_err("the instance id must be UTF-8");
        return OBCTL_USAGE;
    }
    rc = obctl_call(c, "POST", path, body, &j, NULL);
    json_decref(body);
    return rc == OBCTL_OK ? obctl_show(c, j, keys) : rc;
}

int obctl_cmd_refresh(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    static const char *const keys[] = {"instance_id", "outcome", NULL};
    return instance_post(c, cmd, argc, argv, "/oauth/refresh", keys);
}

int obctl_cmd_revoke(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    static const char *const keys[] = {"instance_id", "revoked", "provider_revoked", "status", "revoke_error", NULL};
    return instance_post(c, cmd, argc, argv, "/oauth/revoke", keys);
}

/* Wipes the string members of O (tokens) before it is freed. */
static void wipe_strings(json_t *o)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) if (json_is_string(v))
    {
        char *s = (char *)json_string_value(v);
        explicit_bzero(s, strlen(s));
    }
}

int obctl_cmd_tokens_import(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    const char *pos[2];
    json_t *j = NULL, *body = NULL;
    json_error_t err;
    int rc = obctl_parse(c, cmd, argc, argv, NULL, pos, 2, 2);
    if (rc != OBCTL_OK)
        return rc;
    char *text = obctl_read_file(pos[1], TOKENS_FILE_MAX);
    if (text == NULL)
        return OBCTL_USAGE;
    body = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    explicit_bzero(text, strlen(text));
    free(text);
    if (!json_is_object(body)) {
        /* err.text names the place, never the content */
        obctl_err("%s is not a JSON object%s%s", pos[1], body ? "" : ": ", body ? "" : err.text);
        rc = OBCTL_USAGE;
        goto cleanup_body;
    }
    if (json_object_get(body, "instance_id") != NULL) {
        obctl_err("%s must not hold instance_id: it is the command's first argument", pos[1]);
        rc = OBCTL_USAGE;
        goto cleanup_body;
    }
    json_object_set_new(body, "instance_id", json_string(pos[0]));
    if ((rc = obctl_load_key(c)) != OBCTL_OK ||
        (rc = obctl_call(c, "POST", "/cache-tokens", body, &j, NULL)) != OBCTL_OK)
        goto cleanup_body;
    static const char *const keys[] = {"instance_id", "status", "expires_at", "has_refresh_token", NULL};
    rc = obctl_show(c, j, keys);
cleanup_body:
    if (json_is_object(body))
        wipe_strings(body);
    json_decref(body);
    return rc;
}

int obctl_cmd_keys_list(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    static const obctl_col_t cols[] = {
        {"KID", "kid"},         {"ALG", "alg"},
        {"SIGNING", "signing"}, {"CREATED", "created_at"},
        {"FROM", "not_before"}, {"RETIRED", "retired_at"},
        {NULL, NULL},
    };
    json_t *j;
    int rc = obctl_parse(c, cmd, argc, argv, NULL, NULL, 0, 0);
    if (rc != OBCTL_OK || (rc = obctl_load_key(c)) != OBCTL_OK ||
        (rc = obctl_call(c, "GET", "/as/signing-keys", NULL, &j, NULL)) != OBCTL_OK)
        return rc;
    return obctl_show_table(c, j, "keys", cols);
}

int obctl_cmd_keys_rotate(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    json_t *j, *body = json_object();
    int rc = obctl_parse(c, cmd, argc, argv, NULL, NULL, 0, 0);
    if (rc == OBCTL_OK && (rc = obctl_load_key(c)) == OBCTL_OK)
        rc = obctl_call(c, "POST", "/as/signing-keys/rotate", body, &j, NULL);
    json_decref(body);
    if (rc != OBCTL_OK)
        return rc;
    static const char *const keys[] = {"kid", "not_before", NULL};
    return obctl_show(c, j, keys);
}

int obctl_cmd_grants_list(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    static const obctl_col_t cols[] = {
        {"GRANT", "grant_id"},     {"CLIENT", "client_id"},       {"CLIENT NAME", "client_name"}, {"SCOPE", "scope"},
        {"CREATED", "created_at"}, {"LAST USED", "last_used_at"}, {"REVOKED", "revoked_at"},      {NULL, NULL},
    };
    json_t *j;
    int rc = obctl_id_call(c, cmd, argc, argv, 1, "GET", "/instances/%s/grants%s", NULL, &j);
    if (rc != OBCTL_OK)
        return rc;
    return obctl_show_table(c, j, "grants", cols);
}

int obctl_cmd_grants_revoke(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    json_t *j;
    int rc = obctl_id_call(c, cmd, argc, argv, 2, "DELETE", "/instances/%s/grants/%s", NULL, &j);
    if (rc != OBCTL_OK)
        return rc;
    static const char *const keys[] = {"grant_id", "revoked", "already_revoked", NULL};
    return obctl_show(c, j, keys);
}

int obctl_cmd_audit(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    static const obctl_col_t cols[] = {
        {"ID", "id"},       {"TIME", "created_at"}, {"INSTANCE", "instance_id"},
        {"EVENT", "event"}, {"ACTOR", "actor"},     {"DETAIL", "detail"},
        {NULL, NULL},
    };
    const char *instance = NULL, *limit = NULL;
    const obctl_opt_t opts[] = {{"instance", &instance, NULL}, {"limit", &limit, NULL}, {NULL, NULL, NULL}};
    char path[PATH_MAX_LEN] = "/audit";
    long n = 50;
    json_t *j;
    int rc = obctl_parse(c, cmd, argc, argv, opts, NULL, 0, 0);
    if (rc != OBCTL_OK)
        return rc;
    if (limit != NULL && obctl_parse_long("--limit", limit, 1, 1000, &n) != 0)
        return OBCTL_USAGE;
    char *e = instance ? obctl_escape(instance) : NULL;
    int len = snprintf(path, sizeof(path), "/audit?limit=%ld%s%s", n, e ? "&instance_id=" : "", e ? e : "");
    free(e);
    if (len < 0 || (size_t)len >= sizeof(path)) {
        obctl_err("--instance is too long");
        return OBCTL_USAGE;
    }
    if ((rc = obctl_load_key(c)) != OBCTL_OK || (rc = obctl_call(c, "GET", path, NULL, &j, NULL)) != OBCTL_OK)
        return rc;
    return obctl_show_table(c, j, "entries", cols);
}
