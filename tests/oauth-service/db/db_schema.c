/*
 * db_schema.c - see db_schema.h.
 */
#include "db_schema.h"

#include "cu.h"

#include "db/migrate.h"

#include "common/status.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_SCHEMAS 32

const char *tdb_url;
char tdb_migrations_dir[1024], tdb_services_path[1024];
static char schemas[MAX_SCHEMAS][64];
static int n_schemas;

void tdb_init(void)
{
    tdb_url = getenv("DATABASE_URL");
    if (tdb_url == NULL || tdb_url[0] == '\0') {
        fprintf(stderr, "DATABASE_URL is not set: skipping the database tests\n");
        exit(77);
    }
    const char *src = getenv("OB_SOURCE_DIR");
    if (src == NULL)
        src = OB_SOURCE_DIR;
    snprintf(tdb_migrations_dir, sizeof(tdb_migrations_dir), "%s/db/migrations", src);
    snprintf(tdb_services_path, sizeof(tdb_services_path), "%s/config/services.json", src);
}

PGconn *tdb_connect(const char *schema)
{
    char options[128];
    snprintf(options, sizeof(options), "-c search_path=%s -c client_min_messages=warning", schema);
    const char *keys[] = {"dbname", "options", NULL};
    const char *vals[] = {tdb_url, options, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect failed: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

PGconn *tdb_fresh_schema(const char *prefix, const char **name)
{
    CU_ASSERT_FATAL(n_schemas < MAX_SCHEMAS);
    char *s = schemas[n_schemas];
    snprintf(s, sizeof(schemas[0]), "%s_%ld_%d", prefix, (long)getpid(), n_schemas);
    PGconn *c = tdb_connect("public");
    CU_ASSERT_FATAL(c != NULL);
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", s);
    PGresult *r = PQexec(c, sql);
    CU_ASSERT_FATAL(PQresultStatus(r) == PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
    n_schemas++;
    if (name != NULL)
        *name = s;
    c = tdb_connect(s);
    CU_ASSERT_FATAL(c != NULL);
    return c;
}

PGconn *tdb_seeded_schema(const char *prefix, const char **name)
{
    char err[512];
    PGconn *c = tdb_fresh_schema(prefix, name);
    json_t *services = NULL;
    CU_ASSERT_FATAL(ob_db_migrate(c, tdb_migrations_dir, err, sizeof(err)) == CM_OK);
    CU_ASSERT_FATAL(ob_services_load(tdb_services_path, &services, err, sizeof(err)) == CM_OK);
    CU_ASSERT_FATAL(ob_db_seed_services(c, services, err, sizeof(err)) == CM_OK);
    json_decref(services);
    return c;
}

const char *tdb_state_of(PGconn *c, const char *sql)
{
    static char state[6];
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(state, sizeof(state), "%s", (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? "00000" : s ? s : "?????");
    PQclear(r);
    return state;
}

long tdb_query_long(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    else
        fprintf(stderr, "query failed: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return v;
}

int tdb_suite_clean(void)
{
    PGconn *c = tdb_connect("public");
    for (int i = 0; c != NULL && i < n_schemas; i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", schemas[i]);
        PQclear(PQexec(c, sql));
    }
    PQfinish(c);
    return 0;
}
