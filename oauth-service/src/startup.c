/*
 * startup.c - blocking database work done once before the event loop starts: wait for the
 * database, migrate, seed the service registry, read the registry back.
 * (Blocking libpq is acceptable here only: no request is being served yet.)
 */
#include "startup.h"
#include "db/migrate.h"

#include "common/log.h"
#include "common/status.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static PGconn *connect_with_wait(const char *url, int wait_s, char *err, size_t errsz)
{
    time_t deadline = time(NULL) + wait_s;
    int warned = 0;
    for (;;) {
        PGconn *conn = PQconnectdb(url);
        if (PQstatus(conn) == CONNECTION_OK)
            return conn;
        char reason[256];
        snprintf(reason, sizeof(reason), "%s", PQerrorMessage(conn));
        reason[strcspn(reason, "\n")] = '\0';
        PQfinish(conn);
        if (time(NULL) >= deadline) {
            snprintf(err, errsz, "database unreachable after %d s: %s", wait_s, reason);
            return NULL;
        }
        if (!warned++)
            cm_warn("broker", "waiting for the database: %s", reason);
        usleep(250 * 1000);
    }
}

static json_t *read_registry(PGconn *conn, char *err, size_t errsz)
{
    PGresult *res = PQexec(conn, "SELECT service_name, display_name, description, icon_path, port, type, "
                                 "provider_name, default_scopes, active FROM mcp_table ORDER BY service_name");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, errsz, "reading the service registry failed: %s", PQresultErrorMessage(res));
        err[strcspn(err, "\n")] = '\0';
        PQclear(res);
        return NULL;
    }
    json_t *rows = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *o = json_object();
        json_object_set_new(o, "service_name", json_string(PQgetvalue(res, i, 0)));
        json_object_set_new(o, "display_name", json_string(PQgetvalue(res, i, 1)));
        json_object_set_new(o, "description",
                            PQgetisnull(res, i, 2) ? json_null() : json_string(PQgetvalue(res, i, 2)));
        json_object_set_new(o, "icon_path", PQgetisnull(res, i, 3) ? json_null() : json_string(PQgetvalue(res, i, 3)));
        json_object_set_new(o, "port", json_integer(strtol(PQgetvalue(res, i, 4), NULL, 10)));
        json_object_set_new(o, "type", json_string(PQgetvalue(res, i, 5)));
        json_object_set_new(o, "provider", PQgetisnull(res, i, 6) ? json_null() : json_string(PQgetvalue(res, i, 6)));
        json_object_set_new(o, "default_scopes",
                            PQgetisnull(res, i, 7) ? json_null() : json_string(PQgetvalue(res, i, 7)));
        json_object_set_new(o, "active", json_boolean(PQgetvalue(res, i, 8)[0] == 't'));
        json_array_append_new(rows, o);
    }
    PQclear(res);
    return rows;
}

int ob_startup_db(const ob_config_t *cfg, int wait_s, json_t **services_out, char *err, size_t errsz)
{
    int rc;
    json_t *services = NULL;
    PGconn *conn = connect_with_wait(cfg->database_url, wait_s, err, errsz);
    if (conn == NULL)
        return CM_EUNAVAIL;
    if ((rc = ob_db_migrate(conn, cfg->migrations_dir, err, errsz)) != CM_OK)
        goto out_finish;
    if ((rc = ob_services_load(cfg->services_file, &services, err, errsz)) != CM_OK)
        goto out_finish;
    rc = ob_db_seed_services(conn, services, err, errsz);
    json_decref(services);
    if (rc != CM_OK)
        goto out_finish;
    if (services_out != NULL) {
        *services_out = read_registry(conn, err, errsz);
        if (*services_out == NULL)
            rc = CM_EIO;
    }
out_finish:
    PQfinish(conn);
    return rc;
}
