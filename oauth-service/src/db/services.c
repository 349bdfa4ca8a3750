/*
 * services.c - the service registry seed: loading and validating config/services.json, and
 * upserting it into mcp_table (see migrate.h). Blocking libpq, start-up only.
 */
#include "db/migrate.h"
#include "db/pq_util.h"

#include "common/log.h"
#include "common/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The keys of one entry, in the order of the upsert's parameters. */
static const char *const service_keys[] = {"service_name", "display_name", "description",    "icon_path", "port",
                                           "type",         "provider",     "default_scopes", "active"};
#define N_KEYS (sizeof(service_keys) / sizeof(service_keys[0]))

static int entry_fail(char *err, size_t errsz, const char *path, size_t idx, const json_t *entry, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int entry_fail(char *err, size_t errsz, const char *path, size_t idx, const json_t *entry, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    const char *name = json_string_value(json_object_get(entry, "service_name"));
    if (name != NULL)
        snprintf(err, errsz, "services error: %s: entry %zu (\"%.64s\"): %s", path, idx, name, msg);
    else
        snprintf(err, errsz, "services error: %s: entry %zu: %s", path, idx, msg);
    return CM_EINVAL;
}

/* 1 when s matches [a-z0-9_-]{1,OB_SERVICE_NAME_MAX}. */
static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > OB_SERVICE_NAME_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* An optional string: absent or null become null in out. Returns 0 when the value has another type. */
static int optional_string(const json_t *entry, const char *key, json_t *out)
{
    json_t *v = json_object_get(entry, key);
    if (v != NULL && !json_is_null(v) && !json_is_string(v))
        return 0;
    json_object_set_new(out, key, v && json_is_string(v) ? json_incref(v) : json_null());
    return 1;
}

/* Validates one entry and writes its normalized form into out. */
static int check_entry(const json_t *e, size_t i, const char *path, json_t *out, char *err, size_t errsz)
{
    const char *key;
    json_t *v;
    if (!json_is_object(e))
        return entry_fail(err, errsz, path, i, NULL, "must be an object");
    json_object_foreach((json_t *)e, key, v)
    {
        int known = strcmp(key, "$comment") == 0;
        for (size_t k = 0; k < N_KEYS; k++)
            known |= strcmp(key, service_keys[k]) == 0;
        if (!known)
            return entry_fail(err, errsz, path, i, e, "unknown field \"%.64s\"", key);
    }
    const char *name = json_string_value(json_object_get(e, "service_name"));
    if (name == NULL || !valid_name(name))
        return entry_fail(err, errsz, path, i, NULL, "service_name must match [a-z0-9_-]{1,64}, got \"%.70s\"",
                          name ? name : "(not a string)");
    const char *display = json_string_value(json_object_get(e, "display_name"));
    if (display == NULL || display[0] == '\0' || strlen(display) > 128)
        return entry_fail(err, errsz, path, i, e, "display_name must be a string of 1..128 characters");
    if (!optional_string(e, "description", out))
        return entry_fail(err, errsz, path, i, e, "description must be a string or null");
    if (!optional_string(e, "icon_path", out))
        return entry_fail(err, errsz, path, i, e, "icon_path must be a string or null");
    if (!optional_string(e, "default_scopes", out))
        return entry_fail(err, errsz, path, i, e, "default_scopes must be a string or null");
    json_t *port = json_object_get(e, "port");
    if (!json_is_integer(port) || json_integer_value(port) < OB_SERVICE_PORT_MIN ||
        json_integer_value(port) > OB_SERVICE_PORT_MAX)
        return entry_fail(err, errsz, path, i, e, "port must be an integer in %d..%d", OB_SERVICE_PORT_MIN,
                          OB_SERVICE_PORT_MAX);
    const char *type = json_string_value(json_object_get(e, "type"));
    if (type == NULL || (strcmp(type, "oauth") != 0 && strcmp(type, "api_key") != 0))
        return entry_fail(err, errsz, path, i, e, "type must be \"oauth\" or \"api_key\"");
    json_t *provider = json_object_get(e, "provider");
    if (provider == NULL || json_is_null(provider)) {
        if (strcmp(type, "oauth") == 0)
            return entry_fail(err, errsz, path, i, e, "provider is required for type \"oauth\"");
        provider = NULL;
    } else if (!json_is_string(provider) || !valid_name(json_string_value(provider))) {
        return entry_fail(err, errsz, path, i, e, "provider must match [a-z0-9_-]{1,64} (or null for api_key)");
    }
    json_t *active = json_object_get(e, "active");
    if (active != NULL && !json_is_boolean(active))
        return entry_fail(err, errsz, path, i, e, "active must be true or false");
    json_object_set_new(out, "service_name", json_string(name));
    json_object_set_new(out, "display_name", json_string(display));
    json_object_set_new(out, "port", json_integer(json_integer_value(port)));
    json_object_set_new(out, "type", json_string(type));
    json_object_set_new(out, "provider", provider ? json_incref(provider) : json_null());
    json_object_set_new(out, "active", json_boolean(active == NULL || json_is_true(active)));
    return CM_OK;
}

/* Refuses a second entry with the same service_name or port. */
static int check_unique(const json_t *list, size_t i, const char *path, char *err, size_t errsz)
{
    const json_t *e = json_array_get(list, i);
    const char *name = json_string_value(json_object_get(e, "service_name"));
    json_int_t port = json_integer_value(json_object_get(e, "port"));
    for (size_t j = 0; j < i; j++) {
        const json_t *o = json_array_get(list, j);
        const char *oname = json_string_value(json_object_get(o, "service_name"));
        if (strcmp(name, oname) == 0)
            return entry_fail(err, errsz, path, i, e, "service_name is already used by entry %zu", j);
        if (json_integer_value(json_object_get(o, "port")) == port)
            return entry_fail(err, errsz, path, i, e, "port %lld is already used by entry %zu (\"%s\")",
                              (long long)port, j, oname);
    }
    return CM_OK;
}

int ob_services_load(const char *path, json_t **out, char *err, size_t errsz)
{
    json_error_t jerr;
    int rc = CM_OK;
    *out = NULL;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        if (jerr.line <= 0)
            snprintf(err, errsz, "services error: %s: cannot read file: %s", path, jerr.text);
        else
            snprintf(err, errsz, "services error: %s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column, jerr.text);
        return jerr.line <= 0 ? CM_EIO : CM_EINVAL;
    }
    json_t *list = json_array();
    if (list == NULL) {
        rc = CM_ENOMEM;
        snprintf(err, errsz, "services error: %s: out of memory", path);
        goto out_free_root;
    }
    if (!json_is_array(root) || json_array_size(root) == 0) {
        snprintf(err, errsz, "services error: %s: top level must be a non-empty array of services", path);
        rc = CM_EINVAL;
        goto out_free_list;
    }
    for (size_t i = 0; i < json_array_size(root); i++) {
        json_t *entry = json_object();
        if (entry == NULL || json_array_append_new(list, entry) != 0) {
            rc = CM_ENOMEM;
            snprintf(err, errsz, "services error: %s: out of memory", path);
            goto out_free_list;
        }
        if ((rc = check_entry(json_array_get(root, i), i, path, entry, err, errsz)) != CM_OK)
            goto out_free_list;
        if ((rc = check_unique(list, i, path, err, errsz)) != CM_OK)
            goto out_free_list;
    }
    *out = list;
    list = NULL;
out_free_list:
    json_decref(list);
out_free_root:
    json_decref(root);
    return rc;
}

/* Upserts one entry. *inserted tells whether it was new, *changed whether anything was written. */
static int upsert_one(PGconn *conn, const json_t *e, size_t i, int *inserted, int *changed, char *err, size_t errsz)
{
    static const char sql[] =
        "INSERT INTO mcp_table AS t (service_name, display_name, description, icon_path, port, type, provider_name,"
        " default_scopes, active) VALUES ($1, $2, $3, $4, $5::int, $6, $7, $8, $9::boolean)"
        " ON CONFLICT (service_name) DO UPDATE SET display_name = EXCLUDED.display_name,"
        " description = EXCLUDED.description, icon_path = EXCLUDED.icon_path, port = EXCLUDED.port,"
        " type = EXCLUDED.type, provider_name = EXCLUDED.provider_name, default_scopes = EXCLUDED.default_scopes,"
        " active = EXCLUDED.active"
        " WHERE (t.display_name, t.description, t.icon_path, t.port, t.type, t.provider_name, t.default_scopes,"
        " t.active) IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.description, EXCLUDED.icon_path,"
        " EXCLUDED.port, EXCLUDED.type, EXCLUDED.provider_name, EXCLUDED.default_scopes, EXCLUDED.active)"
        " RETURNING (xmax = 0) AS inserted";
    const char *params[N_KEYS];
    char port[16];
    for (size_t k = 0; k < N_KEYS; k++) {
        json_t *v = json_object_get(e, service_keys[k]);
        if (json_is_string(v))
            params[k] = json_string_value(v);
        else if (json_is_integer(v) && strcmp(service_keys[k], "port") == 0) {
            snprintf(port, sizeof(port), "%lld", (long long)json_integer_value(v));
            params[k] = port;
        } else if (json_is_boolean(v))
            params[k] = json_is_true(v) ? "true" : "false";
        else
            params[k] = NULL;
    }
    if (params[0] == NULL || params[1] == NULL || params[4] == NULL || params[5] == NULL || params[8] == NULL) {
        snprintf(err, errsz,
                 "seeding the service registry: entry %zu lacks service_name, display_name, port, type "
                 "or active (use ob_services_load)",
                 i);
        return CM_EINVAL;
    }
    PGresult *res = PQexecParams(conn, sql, (int)N_KEYS, NULL, params, NULL, NULL, 0);
    int rc = CM_OK;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char what[128];
        snprintf(what, sizeof(what), "seeding service \"%.64s\"", params[0]);
        rc = ob_pq_fail(res, err, errsz, what);
    } else {
        *changed = PQntuples(res) == 1;
        *inserted = *changed && PQgetvalue(res, 0, 0)[0] == 't';
    }
    PQclear(res);
    return rc;
}

int ob_db_seed_services(PGconn *conn, const json_t *services, char *err, size_t errsz)
{
    int rc;
    size_t inserted = 0, updated = 0;
    if (!json_is_array(services)) {
        snprintf(err, errsz, "seeding the service registry: services must be an array");
        return CM_EINVAL;
    }
    /* the advisory lock serialises replicas; the deferred port check allows swapping two ports */
    if ((rc = ob_pq_exec(conn, "BEGIN", "seeding the service registry", err, errsz)) != CM_OK)
        goto out_rollback;
    if ((rc = ob_pq_advisory_xact_lock(conn, err, errsz)) != CM_OK)
        goto out_rollback;
    if ((rc = ob_pq_exec(conn, "SET CONSTRAINTS mcp_table_port_key DEFERRED", "seeding the service registry", err,
                         errsz)) != CM_OK)
        goto out_rollback;
    for (size_t i = 0; i < json_array_size(services); i++) {
        int ins = 0, chg = 0;
        if ((rc = upsert_one(conn, json_array_get(services, i), i, &ins, &chg, err, errsz)) != CM_OK)
            goto out_rollback;
        inserted += (size_t)ins;
        updated += (size_t)(chg && !ins);
    }
    PGresult *res = PQexec(conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = ob_pq_fail(res, err, errsz, "seeding the service registry");
        PQclear(res);
        goto out_rollback;
    }
    PQclear(res);
    cm_info("migrate", "service registry: %zu services in the seed, %zu new, %zu updated", json_array_size(services),
            inserted, updated);
    return CM_OK;

out_rollback:
    ob_pq_rollback(conn);
    return rc;
}
