/*
 * db_schema.h - a PostgreSQL schema of its own per test (the database tests of migrations and triggers): the
 * connection settings from the environment, schemas created on demand and dropped when the suite ends, and the
 * two query shorthands the assertions use.
 */
#ifndef OB_TEST_DB_SCHEMA_H
#define OB_TEST_DB_SCHEMA_H

#include <libpq-fe.h>

/* DATABASE_URL, db/migrations and config/services.json of the source tree (OB_SOURCE_DIR). */
extern const char *tdb_url;
extern char tdb_migrations_dir[1024], tdb_services_path[1024];

/* Reads the environment; exits 77 (skipped) when DATABASE_URL is unset. Call from tests_register. */
void tdb_init(void);
/* A connection whose search_path is schema (NULL when it fails: the reason is printed). Caller PQfinish()es it. */
PGconn *tdb_connect(const char *schema);
/* A new empty schema named <prefix>_<pid>_<n> and a connection that uses it; *name (optional) receives its name
 * (static storage until the suite ends). Fails the test fatally when it cannot. */
PGconn *tdb_fresh_schema(const char *prefix, const char **name);
/* tdb_fresh_schema, migrated and seeded from config/services.json. */
PGconn *tdb_seeded_schema(const char *prefix, const char **name);
/* Runs sql; its SQLSTATE ("00000" on success) in a static buffer. */
const char *tdb_state_of(PGconn *c, const char *sql);
/* The first column of the only row as a long (-1 on error, printed). */
long tdb_query_long(PGconn *c, const char *sql);
/* Drops every schema created: the suite's clean-up function. */
int tdb_suite_clean(void);

#endif
