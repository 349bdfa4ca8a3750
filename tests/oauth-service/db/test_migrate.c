/*
 * test_migrate.c - the migration runner, the schema's constraints and the service registry seed,
 * against a real PostgreSQL (DATABASE_URL; exit 77 = skipped without it). The validation of
 * services.json alone is in test_services.c.
 *
 * Isolation: every test works in its own schema ob_tm_<pid>_<n> (connections get it as their
 * search_path), all dropped at the end, so the database itself is left as it was.
 */
#include "cu.h"

#include "db/migrate.h"

#include "common/crypto.h"
#include "common/status.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SCHEMAS 32

static const char *db_url;
static char migrations_dir[1024], services_path[1024];
static char schemas[MAX_SCHEMAS][64];
static int n_schemas;
static char err[512];

/* ---- helpers ---- */

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

/* Creates a new empty schema and returns a connection that uses it; *name receives its name. */
static PGconn *fresh_schema(const char **name)
{
    CU_ASSERT_FATAL(n_schemas < MAX_SCHEMAS);
    char *s = schemas[n_schemas];
    snprintf(s, sizeof(schemas[0]), "ob_tm_%ld_%d", (long)getpid(), n_schemas);
    PGconn *c = connect_to("public");
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
    c = connect_to(s);
    CU_ASSERT_FATAL(c != NULL);
    return c;
}

/* Runs sql; returns its SQLSTATE ("00000" on success) in a static buffer. */
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

/* First column of the first row of a query as a long (-1 on error). */
static long query_long(PGconn *c, const char *sql)
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

/* First column of the first row as text into out ("" on error). */
static void query_text(PGconn *c, const char *sql, char *out, size_t outsz)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    snprintf(out, outsz, "%s", ok ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
}

static void write_file(const char *dir, const char *name, const char *text, const char *mode)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, mode);
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[4096];
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            unlink(path);
        }
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

/* Copies the project's migration files into a new temporary directory (tmpl is mkdtemp's template). */
static void copy_migrations(char *tmpl)
{
    CU_ASSERT_FATAL(mkdtemp(tmpl) != NULL);
    DIR *d = opendir(migrations_dir);
    CU_ASSERT_FATAL(d != NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char src[4096], buf[65536];
        snprintf(src, sizeof(src), "%s/%s", migrations_dir, de->d_name);
        FILE *f = fopen(src, "rb");
        CU_ASSERT_FATAL(f != NULL);
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        write_file(tmpl, de->d_name, buf, "wb");
    }
    closedir(d);
}

static long count_migration_files(void)
{
    long n = 0;
    DIR *d = opendir(migrations_dir);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        n += len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0;
    }
    if (d != NULL)
        closedir(d);
    return n;
}

/* A migrated schema seeded from config/services.json. */
static PGconn *seeded_schema(void)
{
    PGconn *c = fresh_schema(NULL);
    json_t *services = NULL;
    CU_ASSERT_FATAL(ob_db_migrate(c, migrations_dir, err, sizeof(err)) == CM_OK);
    CU_ASSERT_FATAL(ob_services_load(services_path, &services, err, sizeof(err)) == CM_OK);
    CU_ASSERT_FATAL(ob_db_seed_services(c, services, err, sizeof(err)) == CM_OK);
    json_decref(services);
    return c;
}

#define KEY_HASH(ch)                                                                                                   \
    "'" ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch "'"
/* 64 hex chars: repeat a 2-char pair 32 times */
#define HASH_A KEY_HASH("aa")
#define HASH_B KEY_HASH("bb")
#define HASH_C KEY_HASH("cc")

/* ---- migrations ---- */

static void test_apply_then_noop(void)
{
    PGconn *c = fresh_schema(NULL);
    long files = count_migration_files();
    CU_ASSERT_FATAL(files >= 3);
    int rc = ob_db_migrate(c, migrations_dir, err, sizeof(err));
    if (rc != CM_OK)
        fprintf(stderr, "migrate: %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, CM_OK);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM schema_migrations"), files);
    CU_ASSERT_EQUAL(query_long(c, "SELECT min(version) FROM schema_migrations"), 1);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM schema_migrations WHERE name = '0001_init.sql'"), 1);
    const char *tables[] = {"mcp_table", "mcp_service_table", "mcp_credentials", "token_audit_log",
                            "oauth_state_nonces"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT (to_regclass('%s') IS NOT NULL)::int", tables[i]);
        CU_ASSERT_EQUAL(query_long(c, sql), 1);
    }
    /* the recorded checksum is the SHA-256 of the file */
    char path[4096], expected[65], recorded[65], buf[65536];
    snprintf(path, sizeof(path), "%s/0001_init.sql", migrations_dir);
    FILE *f = fopen(path, "rb");
    CU_ASSERT_FATAL(f != NULL);
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    cm_sha256_hex(buf, n, expected, sizeof(expected));
    query_text(c, "SELECT checksum FROM schema_migrations WHERE version = 1", recorded, sizeof(recorded));
    CU_ASSERT_STRING_EQUAL(recorded, expected);

    char before[64], after[64];
    query_text(c, "SELECT max(applied_at)::text FROM schema_migrations", before, sizeof(before));
    CU_ASSERT_EQUAL(ob_db_migrate(c, migrations_dir, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM schema_migrations"), files);
    query_text(c, "SELECT max(applied_at)::text FROM schema_migrations", after, sizeof(after));
    CU_ASSERT_STRING_EQUAL(before, after);
    PQfinish(c);
}

typedef struct {
    const char *schema;
    int rc;
    char err[256];
} replica_t;

static void *replica_main(void *arg)
{
    replica_t *r = arg;
    PGconn *c = connect_to(r->schema);
    r->rc = c ? ob_db_migrate(c, migrations_dir, r->err, sizeof(r->err)) : CM_EUNAVAIL;
    PQfinish(c);
    return NULL;
}

static void test_concurrent_replicas(void)
{
    const char *schema;
    PQfinish(fresh_schema(&schema));
    replica_t r[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (replica_t){.schema = schema, .rc = -100};
        CU_ASSERT_FATAL(pthread_create(&t[i], NULL, replica_main, &r[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        if (r[i].rc != CM_OK)
            fprintf(stderr, "replica %d: %s\n", i, r[i].err);
        CU_ASSERT_EQUAL(r[i].rc, CM_OK);
    }
    PGconn *c = connect_to(schema);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM schema_migrations"), count_migration_files());
    PQfinish(c);
}

static void test_changed_checksum_refused(void)
{
    char dir[] = "/tmp/ob-migrate-XXXXXX";
    copy_migrations(dir);
    PGconn *c = fresh_schema(NULL);
    CU_ASSERT_EQUAL_FATAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_OK);
    write_file(dir, "0002_instances.sql", "-- an innocent edit\n", "ab");
    err[0] = '\0';
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_ECONFLICT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "0002_instances.sql"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "changed"));
    CU_ASSERT_PTR_NULL(strchr(err, '\n'));
    /* a refused run adds nothing, even a new pending file */
    write_file(dir, "0099_new.sql", "CREATE TABLE t99 (x int);\n", "w");
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_ECONFLICT);
    CU_ASSERT_EQUAL(query_long(c, "SELECT (to_regclass('t99') IS NULL)::int"), 1);
    PQfinish(c);
    remove_dir(dir);
}

static void test_bad_sets_refused(void)
{
    char dir[] = "/tmp/ob-migrate-XXXXXX", path[4096];
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    PGconn *c = fresh_schema(NULL);
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_ENOTFOUND);
    CU_ASSERT_EQUAL(ob_db_migrate(c, "/nonexistent/migrations", err, sizeof(err)), CM_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/migrations"));

    write_file(dir, "README.md", "not a migration\n", "w");
    write_file(dir, "0001_a.sql", "CREATE TABLE a (x int);\n", "w");
    write_file(dir, "0003_c.sql", "CREATE TABLE c (x int);\n", "w");
    CU_ASSERT_EQUAL_FATAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_OK);
    /* a pending file below an applied version */
    write_file(dir, "0002_b.sql", "CREATE TABLE b (x int);\n", "w");
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "0002_b.sql"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "renumber"));
    snprintf(path, sizeof(path), "%s/0002_b.sql", dir);
    unlink(path);
    /* two files with one version */
    write_file(dir, "4_d.sql", "CREATE TABLE d (x int);\n", "w");
    write_file(dir, "0004_e.sql", "CREATE TABLE e (x int);\n", "w");
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "same version 4"));
    snprintf(path, sizeof(path), "%s/4_d.sql", dir);
    unlink(path);
    /* a *.sql file that does not follow the pattern */
    write_file(dir, "0005_Bad-Name.sql", "SELECT 1;\n", "w");
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "0005_Bad-Name.sql"));
    snprintf(path, sizeof(path), "%s/0005_Bad-Name.sql", dir);
    unlink(path);
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(query_long(c, "SELECT max(version) FROM schema_migrations"), 4);
    PQfinish(c);
    remove_dir(dir);
}

static void test_failing_migration_rolled_back(void)
{
    char dir[] = "/tmp/ob-migrate-XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    PGconn *c = fresh_schema(NULL);
    write_file(dir, "0001_ok.sql", "CREATE TABLE ok1 (x int);\n", "w");
    write_file(dir, "0002_bad.sql", "CREATE TABLE half (x int);\n\nCREATE TABLE broken (x int;\n", "w");
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "0002_bad.sql"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 3"));
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM schema_migrations"), 1);
    CU_ASSERT_EQUAL(query_long(c, "SELECT (to_regclass('half') IS NULL)::int"), 1);
    CU_ASSERT_EQUAL(PQtransactionStatus(c), PQTRANS_IDLE);
    write_file(dir, "0002_bad.sql", "CREATE TABLE half (x int);\n", "w");
    CU_ASSERT_EQUAL(ob_db_migrate(c, dir, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM schema_migrations"), 2);
    PQfinish(c);
    remove_dir(dir);
}

/* ---- constraints ---- */

static void test_constraints_reject_bad_rows(void)
{
    PGconn *c = seeded_schema();
    /* registry */
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_table (service_name, display_name, port, provider_name)"
                                       " VALUES ('web', 'Web', 80, 'x')"),
                           "23514");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_table (service_name, display_name, port, provider_name)"
                                       " VALUES ('Bad Name', 'B', 49500, 'x')"),
                           "23514");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_table (service_name, display_name, port, type)"
                                       " VALUES ('t', 'T', 49501, 'basic')"),
                           "23514");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_table (service_name, display_name, port, provider_name)"
                                       " VALUES ('dup', 'Dup', 49296, 'x')"),
                           "23505");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_table (service_name, display_name, port, type)"
                                       " VALUES ('k', 'Key', 49502, 'api_key')"),
                           "00000");
    /* instances */
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_service_table (user_id, service_name, status, mcp_key_hash)"
                                       " VALUES ('u1', 'gmail', 'bogus', " HASH_A ")"),
                           "23514");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_service_table (user_id, service_name, oauth_status,"
                                       " mcp_key_hash) VALUES ('u1', 'gmail', 'done', " HASH_A ")"),
                           "23514");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_service_table (user_id, service_name, mcp_key_hash)"
                                       " VALUES ('u1', 'nosuch', " HASH_A ")"),
                           "23503");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_service_table (user_id, service_name, mcp_key_hash)"
                                       " VALUES ('u1', 'gmail', 'not-a-hash')"),
                           "23514");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_service_table (instance_id, user_id, service_name,"
                                       " mcp_key_hash) VALUES ('11111111-1111-4111-8111-111111111111', 'u1',"
                                       " 'gmail', " HASH_A ")"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_service_table (user_id, service_name, mcp_key_hash)"
                                       " VALUES ('u2', 'gmail', " HASH_A ")"),
                           "23505");
    /* credentials: a ciphertext needs its key id, a key id needs its ciphertext, 28 bytes minimum */
    static const char cred[] = "INSERT INTO mcp_credentials (instance_id, %s) VALUES "
                               "('11111111-1111-4111-8111-111111111111', %s)";
    static const struct {
        const char *cols, *vals, *state;
    } creds[] = {
        {"access_token_enc", "decode(repeat('ab', 40), 'hex')", "23514"},
        {"refresh_token_key_id", "'k1'", "23514"},
        {"client_secret_enc, client_secret_key_id", "decode('abcd', 'hex'), 'k1'", "23514"},
        {"provider_options", "'[1]'", "23514"},
        {"access_token_enc, access_token_key_id", "decode(repeat('ab', 40), 'hex'), ''", "23514"},
        {"access_token_enc, access_token_key_id, refresh_token_enc, refresh_token_key_id",
         "decode(repeat('ab', 40), 'hex'), 'k1', decode(repeat('cd', 40), 'hex'), 'k1'", "00000"},
    };
    for (size_t i = 0; i < sizeof(creds) / sizeof(creds[0]); i++) {
        char sql[512];
        snprintf(sql, sizeof(sql), cred, creds[i].cols, creds[i].vals);
        const char *st = state_of(c, sql);
        if (strcmp(st, creds[i].state) != 0)
            fprintf(stderr, "credentials case %zu: %s -> %s\n", i, sql, st);
        CU_ASSERT_STRING_EQUAL(st, creds[i].state);
    }
    /* no plaintext secret columns */
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM information_schema.columns WHERE table_schema ="
                                  " current_schema() AND table_name = 'mcp_credentials' AND column_name IN"
                                  " ('access_token', 'refresh_token', 'client_secret')"),
                    0);
    /* audit log and nonces */
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO token_audit_log (instance_id, event) VALUES (NULL, 'Bad Event')"),
                           "23514");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO token_audit_log (instance_id, event, detail)"
                                       " VALUES (gen_random_uuid(), 'refreshed', '{\"expires_in\": 3600}')"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO oauth_state_nonces (nonce, instance_id, expires_at)"
                                       " VALUES ('short', gen_random_uuid(), now())"),
                           "23514");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO oauth_state_nonces (nonce, instance_id, expires_at)"
                                       " VALUES (repeat('n', 43), gen_random_uuid(), now())"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO oauth_state_nonces (nonce, instance_id, expires_at)"
                                       " VALUES (repeat('n', 43), gen_random_uuid(), now())"),
                           "23505");
    PQfinish(c);
}

static void test_cascade_counters_updated_at(void)
{
    PGconn *c = seeded_schema();
    static const char *setup[] = {
        "INSERT INTO mcp_service_table (instance_id, user_id, service_name, mcp_key_hash) VALUES"
        " ('11111111-1111-4111-8111-111111111111', 'u1', 'gmail', " HASH_A "),"
        " ('22222222-2222-4222-8222-222222222222', 'u1', 'gmail', " HASH_B "),"
        " ('33333333-3333-4333-8333-333333333333', 'u2', 'github', " HASH_C ")",
        "UPDATE mcp_service_table SET status = 'inactive' WHERE instance_id = '22222222-2222-4222-8222-222222222222'",
        "INSERT INTO mcp_credentials (instance_id, access_token_enc, access_token_key_id) VALUES"
        " ('11111111-1111-4111-8111-111111111111', decode(repeat('ab', 40), 'hex'), 'k1')",
        "INSERT INTO token_audit_log (instance_id, event) VALUES ('11111111-1111-4111-8111-111111111111', 'created')",
    };
    for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
        CU_ASSERT_STRING_EQUAL_FATAL(state_of(c, setup[i]), "00000");
    CU_ASSERT_EQUAL(query_long(c, "SELECT total_instances FROM mcp_service_counts WHERE service_name = 'gmail'"), 2);
    CU_ASSERT_EQUAL(query_long(c, "SELECT active_instances FROM mcp_service_counts WHERE service_name = 'gmail'"), 1);
    CU_ASSERT_EQUAL(query_long(c, "SELECT active_instances FROM mcp_service_counts WHERE service_name = 'github'"), 1);

    /* updated_at moves on update (the test runs in one session: compare with the insert time) */
    CU_ASSERT_STRING_EQUAL(state_of(c, "UPDATE mcp_credentials SET created_at = created_at - interval '1 hour',"
                                       " updated_at = updated_at - interval '1 hour'"),
                           "00000");
    CU_ASSERT_EQUAL(query_long(c, "SELECT (updated_at > created_at)::int FROM mcp_credentials"), 1);

    /* deleting an instance removes its credentials, keeps its audit history and updates the counters */
    CU_ASSERT_STRING_EQUAL(state_of(c, "DELETE FROM mcp_service_table WHERE instance_id ="
                                       " '11111111-1111-4111-8111-111111111111'"),
                           "00000");
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM mcp_credentials"), 0);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM token_audit_log"), 1);
    CU_ASSERT_EQUAL(query_long(c, "SELECT total_instances FROM mcp_service_counts WHERE service_name = 'gmail'"), 1);
    CU_ASSERT_EQUAL(query_long(c, "SELECT active_instances FROM mcp_service_counts WHERE service_name = 'gmail'"), 0);
    /* a service with instances cannot be deleted */
    CU_ASSERT_STRING_EQUAL(state_of(c, "DELETE FROM mcp_table WHERE service_name = 'github'"), "23503");
    PQfinish(c);
}

/* ---- the registry seed ---- */

static void test_seed_idempotent_keeps_counters(void)
{
    PGconn *c = seeded_schema();
    json_t *services = NULL;
    CU_ASSERT_FATAL(ob_services_load(services_path, &services, err, sizeof(err)) == CM_OK);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM mcp_table"), (long)json_array_size(services));
    CU_ASSERT_EQUAL(query_long(c, "SELECT port FROM mcp_table WHERE service_name = 'gmail'"), 49296);
    CU_ASSERT_STRING_EQUAL_FATAL(state_of(c, "INSERT INTO mcp_service_table (user_id, service_name, mcp_key_hash)"
                                             " VALUES ('u1', 'gmail', " HASH_A ")"),
                                 "00000");
    CU_ASSERT_STRING_EQUAL(state_of(c, "UPDATE mcp_table SET updated_at = '2000-01-01'"), "00000");

    /* seeding again changes nothing, not even updated_at */
    CU_ASSERT_EQUAL(ob_db_seed_services(c, services, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM mcp_table WHERE updated_at > '2000-01-01'"), 0);
    CU_ASSERT_EQUAL(query_long(c, "SELECT total_instances + active_instances FROM mcp_service_counts"
                                  " WHERE service_name = 'gmail'"),
                    2);

    /* a changed description and swapped ports: applied in one go, counters kept */
    json_t *gmail = json_array_get(services, 0), *drive = json_array_get(services, 1);
    json_object_set_new(gmail, "description", json_string("changed"));
    json_object_set_new(gmail, "port", json_integer(49297));
    json_object_set_new(drive, "port", json_integer(49296));
    CU_ASSERT_EQUAL(ob_db_seed_services(c, services, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(query_long(c, "SELECT port FROM mcp_table WHERE service_name = 'gmail'"), 49297);
    CU_ASSERT_EQUAL(query_long(c, "SELECT port FROM mcp_table WHERE service_name = 'googledrive'"), 49296);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM mcp_table WHERE updated_at > '2000-01-01'"), 2);
    CU_ASSERT_EQUAL(query_long(c, "SELECT total_instances + active_instances FROM mcp_service_counts"
                                  " WHERE service_name = 'gmail'"),
                    2);

    /* a port held by a registry row that is not in the seed: refused, nothing changed */
    CU_ASSERT_STRING_EQUAL(state_of(c, "INSERT INTO mcp_table (service_name, display_name, port, type)"
                                       " VALUES ('legacy', 'Legacy', 49500, 'api_key')"),
                           "00000");
    json_object_set_new(gmail, "port", json_integer(49500));
    json_object_set_new(gmail, "description", json_string("changed again"));
    CU_ASSERT_EQUAL(ob_db_seed_services(c, services, err, sizeof(err)), CM_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "49500"));
    CU_ASSERT_EQUAL(query_long(c, "SELECT port FROM mcp_table WHERE service_name = 'gmail'"), 49297);
    CU_ASSERT_EQUAL(query_long(c, "SELECT count(*) FROM mcp_table WHERE description = 'changed again'"), 0);
    CU_ASSERT_EQUAL(PQtransactionStatus(c), PQTRANS_IDLE);
    json_decref(services);
    PQfinish(c);
}

/* ---- registration ---- */

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
    CU_SUITE("migrations", NULL, suite_clean, {"apply, then a second run is a no-op", test_apply_then_noop},
             {"replicas migrating at once", test_concurrent_replicas},
             {"a changed applied file is refused", test_changed_checksum_refused},
             {"bad file sets are refused", test_bad_sets_refused},
             {"a failing migration is rolled back", test_failing_migration_rolled_back},
             {"constraints reject bad rows", test_constraints_reject_bad_rows},
             {"cascade, counters, updated_at", test_cascade_counters_updated_at},
             {"seeding twice is idempotent and keeps counters", test_seed_idempotent_keeps_counters});
}
