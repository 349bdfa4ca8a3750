/*
 * test_change_notify.c - the change notification triggers and the instance counts of migrations 0009 and 0010,
 * against a real PostgreSQL (DATABASE_URL; exit 77 when unset). Each test migrates a schema of its own; a second
 * session LISTENs and sees exactly the notifications the first session's committed writes should send. Other
 * tests may notify the same channel at the same time: only payloads of this test's instance are counted.
 */
#include "cu.h"

#include "db/migrate.h"

#include "common/status.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SCHEMAS 8
#define ID "7e57c0de-0000-4000-8000-00000000000"
#define HASH(ch) "'" ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch "'"

static const char *db_url;
static char migrations_dir[1024], services_path[1024];
static char schemas[MAX_SCHEMAS][64];
static int n_schemas;
static char err[512];

static PGconn *connect_to(const char *schema)
{
    char options[128];
    snprintf(options, sizeof(options), "-c search_path=%s -c client_min_messages=warning", schema);
    const char *keys[] = {"dbname", "options", NULL};
    const char *vals[] = {db_url, options, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect failed: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

/* A new schema, migrated and seeded; *name receives its name. */
static PGconn *seeded_schema(const char **name)
{
    CU_ASSERT_FATAL(n_schemas < MAX_SCHEMAS);
    char *s = schemas[n_schemas++];
    snprintf(s, sizeof(schemas[0]), "ob_tcn_%ld_%d", (long)getpid(), n_schemas);
    PGconn *c = connect_to("public");
    CU_ASSERT_FATAL(c != NULL);
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", s);
    PQclear(PQexec(c, sql));
    PQfinish(c);
    CU_ASSERT_FATAL((c = connect_to(s)) != NULL);
    json_t *services = NULL;
    CU_ASSERT_FATAL(ob_db_migrate(c, migrations_dir, err, sizeof(err)) == CM_OK);
    CU_ASSERT_FATAL(ob_services_load(services_path, &services, err, sizeof(err)) == CM_OK);
    CU_ASSERT_FATAL(ob_db_seed_services(c, services, err, sizeof(err)) == CM_OK);
    json_decref(services);
    if (name != NULL)
        *name = s;
    return c;
}

static const char *state_of(PGconn *c, const char *sql)
{
    static char state[6];
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(state, sizeof(state), "%s", (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? "00000" : s ? s : "?????");
    PQclear(r);
    return state;
}

static long query_long(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* Collects for wait_ms the notifications whose payload starts with prefix: their count, the last one in last. */
static int drain(PGconn *l, const char *prefix, int wait_ms, char *last, size_t lastsz)
{
    int n = 0;
    for (int waited = 0; waited <= wait_ms; waited += 20) {
        struct pollfd pfd = {.fd = PQsocket(l), .events = POLLIN};
        poll(&pfd, 1, 20);
        PQconsumeInput(l);
        PGnotify *nt;
        while ((nt = PQnotifies(l)) != NULL) {
            if (strcmp(nt->relname, "ob_instance_changed") == 0 && strncmp(nt->extra, prefix, strlen(prefix)) == 0) {
                n++;
                snprintf(last, lastsz, "%s", nt->extra);
            }
            PQfreemem(nt);
        }
    }
    return n;
}

static void test_notify_triggers(void)
{
    const char *schema;
    PGconn *w = seeded_schema(&schema), *l = connect_to(schema);
    char last[128] = "";
    CU_ASSERT_FATAL(l != NULL);
    CU_ASSERT_STRING_EQUAL_FATAL(state_of(l, "LISTEN ob_instance_changed"), "00000");

    /* a new instance, then its status with a new event version */
    CU_ASSERT_STRING_EQUAL(state_of(w,
                                    "INSERT INTO mcp_service_table (instance_id, user_id, service_name, mcp_key_hash)"
                                    " VALUES ('" ID "1', 'u1', 'gmail', " HASH("aa") ")"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 0");
    CU_ASSERT_STRING_EQUAL(state_of(w,
                                    "UPDATE mcp_service_table SET status = 'inactive', row_version = row_version + 1,"
                                    " event_version = event_version + 1 WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 1");

    /* usage counters only: no cached copy holds them, nobody is told */
    CU_ASSERT_STRING_EQUAL(state_of(w, "UPDATE mcp_service_table SET usage_count = usage_count + 5,"
                                       " last_used_at = now() WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 0);

    /* new tokens: told (with the instance's event version); the refresher's bookkeeping alone: not */
    CU_ASSERT_STRING_EQUAL(state_of(w,
                                    "INSERT INTO mcp_credentials (instance_id, access_token_enc, access_token_key_id)"
                                    " VALUES ('" ID "1', decode(repeat('ab', 40), 'hex'), 'k1')"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 1");
    CU_ASSERT_STRING_EQUAL(state_of(w, "UPDATE mcp_credentials SET refresh_failures = refresh_failures + 1,"
                                       " next_refresh_at = now(), last_error_code = 'x', refresh_owner = 'o',"
                                       " refresh_started_at = now() WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 0);
    CU_ASSERT_STRING_EQUAL(state_of(w, "UPDATE mcp_credentials SET access_token_enc = decode(repeat('cd', 40), 'hex'),"
                                       " access_token_key_id = 'k2' WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);

    /* a change and its token write in one transaction: one notification; a rolled back change: none */
    CU_ASSERT_STRING_EQUAL(state_of(w, "BEGIN"), "00000");
    CU_ASSERT_STRING_EQUAL(state_of(w,
                                    "UPDATE mcp_service_table SET status = 'active', event_version = event_version + 1"
                                    " WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(state_of(w, "UPDATE mcp_credentials SET row_version = row_version + 1"
                                       " WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 200, last, sizeof(last)), 0); /* not before the commit */
    CU_ASSERT_STRING_EQUAL(state_of(w, "COMMIT"), "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 2");
    CU_ASSERT_STRING_EQUAL(state_of(w, "BEGIN"), "00000");
    CU_ASSERT_STRING_EQUAL(state_of(w, "UPDATE mcp_service_table SET custom_name = 'x' WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(state_of(w, "ROLLBACK"), "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 0);

    /* deletion (credentials go with it): one notification, with the version of the deletion event */
    CU_ASSERT_STRING_EQUAL(state_of(w, "DELETE FROM mcp_service_table WHERE instance_id = '" ID "1'"), "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 3");
    PQfinish(l);
    PQfinish(w);
}

static void test_counts_without_hot_row(void)
{
    const char *schema;
    PGconn *a = seeded_schema(&schema), *b = connect_to(schema);
    CU_ASSERT_FATAL(b != NULL);
    /* a's insert stays uncommitted: b's insert for the same service must not wait for it */
    CU_ASSERT_STRING_EQUAL(state_of(a, "BEGIN"), "00000");
    CU_ASSERT_STRING_EQUAL(state_of(a,
                                    "INSERT INTO mcp_service_table (instance_id, user_id, service_name, mcp_key_hash)"
                                    " VALUES ('" ID "2', 'u1', 'gmail', " HASH("bb") ")"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(state_of(b, "SET lock_timeout = '1s'"), "00000");
    CU_ASSERT_STRING_EQUAL(state_of(b,
                                    "INSERT INTO mcp_service_table (instance_id, user_id, service_name, mcp_key_hash)"
                                    " VALUES ('" ID "3', 'u2', 'gmail', " HASH("cc") ")"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(state_of(b, "UPDATE mcp_service_table SET status = 'inactive'"
                                       " WHERE instance_id = '" ID "3'"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(state_of(a, "COMMIT"), "00000");
    /* the counts follow inserts, status changes and deletes */
    CU_ASSERT_EQUAL(query_long(b, "SELECT total_instances FROM mcp_service_counts WHERE service_name = 'gmail'"), 2);
    CU_ASSERT_EQUAL(query_long(b, "SELECT active_instances FROM mcp_service_counts WHERE service_name = 'gmail'"), 1);
    CU_ASSERT_EQUAL(query_long(b, "SELECT total_instances FROM mcp_service_counts WHERE service_name = 'github'"), 0);
    CU_ASSERT_STRING_EQUAL(state_of(a, "DELETE FROM mcp_service_table WHERE instance_id = '" ID "2'"), "00000");
    CU_ASSERT_EQUAL(query_long(b, "SELECT total_instances * 10 + active_instances FROM mcp_service_counts"
                                  " WHERE service_name = 'gmail'"),
                    10);
    /* every registered service has a row */
    CU_ASSERT_EQUAL(
        query_long(b, "SELECT (SELECT count(*) FROM mcp_service_counts) - (SELECT count(*) FROM mcp_table)"), 0);
    PQfinish(b);
    PQfinish(a);
}

static int suite_clean(void)
{
    PGconn *c = connect_to("public");
    for (int i = 0; c != NULL && i < n_schemas; i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", schemas[i]);
        PQclear(PQexec(c, sql));
    }
    PQfinish(c);
    return 0;
}

void tests_register(void)
{
    db_url = getenv("DATABASE_URL");
    if (db_url == NULL || db_url[0] == '\0') {
        fprintf(stderr, "DATABASE_URL is not set: skipping the database tests\n");
        exit(77);
    }
    const char *src = getenv("OB_SOURCE_DIR");
    if (src == NULL)
        src = OB_SOURCE_DIR;
    snprintf(migrations_dir, sizeof(migrations_dir), "%s/db/migrations", src);
    snprintf(services_path, sizeof(services_path), "%s/config/services.json", src);
    CU_SUITE("change notifications and counts", NULL, suite_clean,
             {"committed changes notify, bookkeeping does not", test_notify_triggers},
             {"counts without a hot row", test_counts_without_hot_row});
}
