/*
 * cmd_instances.c - obctl instances list | show | create | disable | enable | delete (the admin API's /instances).
 */
#include "obctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_MAX 4096
#define PATH_MAX_LEN 2048

static const obctl_col_t list_cols[] = {
    {"INSTANCE", "instance_id"}, {"SERVICE", "service"},        {"STATUS", "status"}, {"OAUTH", "oauth_status"},
    {"NAME", "custom_name"},     {"LAST USED", "last_used_at"}, {NULL, NULL},
};

static const char *const view_keys[] = {
    "instance_id",       "service",     "user_id",       "status",           "oauth_status", "custom_name",
    "client_id",         "scopes",      "granted_scope", "provider_options", "expires_at",   "token_expires_at",
    "has_refresh_token", "usage_count", "last_used_at",  "created_at",       "updated_at",   "authorize_url",
    "mcp_url",           NULL,
};

int obctl_cmd_inst_list(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    const char *user = NULL, *service = NULL;
    const obctl_opt_t opts[] = {{"user", &user, NULL}, {"service", &service, NULL}, {NULL, NULL, NULL}};
    int rc = obctl_parse(c, cmd, argc, argv, opts, NULL, 0, 0);
    if (rc != OBCTL_OK)
        return rc;
    if (user == NULL) {
        obctl_err("--user is required (the admin API lists one user's instances)");
        return OBCTL_USAGE;
    }
    if ((rc = obctl_load_key(c)) != OBCTL_OK)
        return rc;
    char path[PATH_MAX_LEN];
    char *u = obctl_escape(user), *s = service ? obctl_escape(service) : NULL;
    int n = u && (s || !service)
                ? snprintf(path, sizeof(path), "/instances?user_id=%s%s%s", u, s ? "&service=" : "", s ? s : "")
                : -1;
    free(u);
    free(s);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        obctl_err("--user or --service is too long");
        return OBCTL_USAGE;
    }
    json_t *j;
    if ((rc = obctl_call(c, "GET", path, NULL, &j, NULL)) != OBCTL_OK)
        return rc;
    if (c->json) {
        obctl_print_json(j);
    } else {
        obctl_print_table(json_object_get(j, "instances"), list_cols);
        if (json_is_true(json_object_get(j, "truncated")))
            printf("(truncated: more instances than listed)\n");
    }
    json_decref(j);
    return OBCTL_OK;
}

int obctl_cmd_inst_show(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    json_t *j;
    int rc = obctl_id_call(c, cmd, argc, argv, 1, "GET", "/instances/%s%s", NULL, &j);
    if (rc != OBCTL_OK)
        return rc;
    return obctl_show(c, j, view_keys);
}

/* The client secret from FILE ("-" = stdin) or OBCTL_CLIENT_SECRET; *secret NULL when neither is given. */
static int client_secret(const char *file, char **secret)
{
    *secret = NULL;
    if (file != NULL) {
        *secret = obctl_read_file(file, SECRET_MAX);
        if (*secret == NULL)
            return OBCTL_USAGE;
        size_t n = strlen(*secret);
        while (n > 0 && ((*secret)[n - 1] == '\n' || (*secret)[n - 1] == '\r'))
            (*secret)[--n] = '\0';
        return OBCTL_OK;
    }
    const char *env = getenv("OBCTL_CLIENT_SECRET");
    if (env != NULL && env[0] != '\0' && (*secret = strdup(env)) == NULL) {
        obctl_err("out of memory");
        return OBCTL_SERVER;
    }
    return OBCTL_OK;
}

static void free_secret(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

int obctl_cmd_inst_create(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    const char *service = NULL, *user = NULL, *client = NULL, *secret_file = NULL, *scopes = NULL, *name = NULL,
               *options = NULL, *expires = NULL;
    const obctl_opt_t opts[] = {{"service", &service, NULL},
                                {"user", &user, NULL},
                                {"client-id", &client, NULL},
                                {"client-secret-file", &secret_file, NULL},
                                {"scopes", &scopes, NULL},
                                {"name", &name, NULL},
                                {"provider-options", &options, NULL},
                                {"expires-in", &expires, NULL},
                                {NULL, NULL, NULL}};
    char *secret = NULL;
    json_t *body = NULL, *j = NULL;
    long exp = 0;
    int rc = obctl_parse(c, cmd, argc, argv, opts, NULL, 0, 0);
    if (rc != OBCTL_OK)
        return rc;
    if (service == NULL || user == NULL || client == NULL) {
        obctl_err("--service, --user and --client-id are required");
        return OBCTL_USAGE;
    }
    if (expires != NULL && obctl_parse_long("--expires-in", expires, 1, 315360000, &exp) != 0)
        return OBCTL_USAGE;
    body = json_pack("{s:s, s:s, s:s}", "service", service, "user_id", user, "client_id", client);
    if (body == NULL) {
        obctl_err("--service, --user and --client-id must be UTF-8");
        return OBCTL_USAGE;
    }
    if (options != NULL) {
        json_error_t err;
        json_t *o = json_loads(options, JSON_REJECT_DUPLICATES, &err);
        if (!json_is_object(o)) {
            obctl_err("--provider-options is not a JSON object%s%s", o ? "" : ": ", o ? "" : err.text);
            json_decref(o);
            rc = OBCTL_USAGE;
            goto cleanup_body;
        }
        json_object_set_new(body, "provider_options", o);
    }
    if ((scopes && json_object_set_new(body, "scopes", json_string(scopes)) != 0) ||
        (name && json_object_set_new(body, "custom_name", json_string(name)) != 0)) {
        obctl_err("--scopes and --name must be UTF-8");
        rc = OBCTL_USAGE;
        goto cleanup_body;
    }
    if (expires != NULL)
        json_object_set_new(body, "expires_in", json_integer(exp));
    if ((rc = client_secret(secret_file, &secret)) != OBCTL_OK)
        goto cleanup_body;
    if (secret != NULL && json_object_set_new(body, "client_secret", json_string(secret)) != 0) {
        obctl_err("the client secret must be UTF-8");
        rc = OBCTL_USAGE;
        goto cleanup_secret;
    }
    if ((rc = obctl_load_key(c)) != OBCTL_OK || (rc = obctl_call(c, "POST", "/instances", body, &j, NULL)) != OBCTL_OK)
        goto cleanup_secret;
    static const char *const created_keys[] = {"instance_id",   "service", "user_id",        "status", "oauth_status",
                                               "authorize_url", "mcp_url", "mcp_access_key", NULL};
    rc = obctl_show(c, j, created_keys);
    if (!c->json)
        printf("\nOpen authorize_url in a browser to consent; mcp_access_key is shown only this once.\n");
cleanup_secret:
    free_secret(secret);
    /* the body holds the secret too: wipe it in place before it is freed */
    json_t *s = json_object_get(body, "client_secret");
    if (s != NULL) {
        char *v = (char *)json_string_value(s);
        explicit_bzero(v, strlen(v));
    }
cleanup_body:
    json_decref(body);
    return rc;
}

/* PATCH the status of the instance named by the one argument. */
static int set_status(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv, const char *status)
{
    json_t *j = NULL, *body = json_pack("{s:s}", "status", status);
    int rc = body ? obctl_id_call(c, cmd, argc, argv, 1, "PATCH", "/instances/%s%s", body, &j) : OBCTL_SERVER;
    json_decref(body);
    if (rc != OBCTL_OK)
        return rc;
    static const char *const keys[] = {"instance_id", "service", "status", "oauth_status", NULL};
    return obctl_show(c, j, keys);
}

int obctl_cmd_inst_disable(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    return set_status(c, cmd, argc, argv, "inactive");
}

int obctl_cmd_inst_enable(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    return set_status(c, cmd, argc, argv, "active");
}

int obctl_cmd_inst_delete(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv)
{
    json_t *j;
    int rc = obctl_id_call(c, cmd, argc, argv, 1, "DELETE", "/instances/%s%s", NULL, &j);
    if (rc != OBCTL_OK)
        return rc;
    static const char *const keys[] = {"instance_id", "deleted", "revoked", "revoke_error", NULL};
    return obctl_show(c, j, keys);
}
