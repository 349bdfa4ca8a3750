/*
 * migrate.h - the database schema at start-up: migrations and the service registry seed.
 *
 * BLOCKING: everything here uses blocking libpq and runs once at start-up (or from
 * `oauth-service migrate`), before the event loop starts. Never call it from a request path.
 *
 * Migrations are the files <dir>/NNNN_name.sql (NNNN: the version, a positive integer, any number
 * of digits; name: [a-z0-9_]+). Other files are ignored; a *.sql file that does not follow the
 * pattern is an error. Each pending file is applied in its own transaction together with its row in
 * schema_migrations(version, name, checksum = SHA-256 hex of the file, applied_at); a file must not
 * contain BEGIN/COMMIT. Rules enforced by the runner:
 *   - the whole run holds pg_advisory_lock(OB_MIGRATE_LOCK_KEY), so replicas starting together
 *     apply each file exactly once (the others wait, then find nothing to do);
 *   - an applied file whose checksum changed stops the run (CM_ECONFLICT): never edit an applied
 *     migration, add a new one;
 *   - a pending file numbered below an applied one stops the run (CM_EINVAL): renumber it;
 *   - an applied version without a file (a newer build migrated this database) is only logged;
 *   - running it again is a no-op.
 * Every function returns CM_OK or a negative CM_E* code (common/status.h) and then writes one line
 * into err.
 */
#ifndef OB_DB_MIGRATE_H
#define OB_DB_MIGRATE_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

/* Key of the session advisory lock held while migrating or seeding ("obmigrat" in ASCII). */
#define OB_MIGRATE_LOCK_KEY 0x6f626d6967726174LL

/* Service registry limits, shared with the CHECK constraints of mcp_table. */
#define OB_SERVICE_PORT_MIN 49000
#define OB_SERVICE_PORT_MAX 50000
#define OB_SERVICE_NAME_MAX 64

/*
 * Applies the pending migrations of migrations_dir on conn (which must be idle, not inside a
 * transaction). Returns CM_OK (also when nothing was pending), CM_ECONFLICT (an applied file
 * changed), CM_EINVAL (bad file name, duplicate or out-of-order version, file too big),
 * CM_ENOTFOUND (no migration file in the directory), CM_EIO (unreadable directory or file, a
 * failing migration: that file's transaction is rolled back), CM_EUNAVAIL (conn not usable).
 */
int ob_db_migrate(PGconn *conn, const char *migrations_dir, char *err, size_t errsz);

/*
 * Reads and validates the registry seed at path: a JSON array of objects with service_name
 * ([a-z0-9_-]{1,64}), display_name (non-empty string), description, icon_path (string or null),
 * port (integer OB_SERVICE_PORT_MIN..MAX), type ("oauth" | "api_key"), provider ([a-z0-9_-]{1,64};
 * required for "oauth", may be null for "api_key"), default_scopes (string or null), active (bool,
 * default true). Names and ports are unique; unknown keys are refused ("$comment" is allowed).
 * On CM_OK *out is a normalized copy (every key present, absent optional ones null) that the caller
 * owns (json_decref). On CM_EINVAL / CM_EIO / CM_ENOMEM err names the file, the entry and the field.
 */
int ob_services_load(const char *path, json_t **out, char *err, size_t errsz);

/*
 * Upserts services (an array as returned by ob_services_load) into mcp_table by service_name, in one
 * transaction: inserts new services, updates the descriptive fields of existing ones (updated_at
 * moves only when something changed), never touches the instance counters, and leaves registry
 * rows that are not in the array alone. Ports may be swapped between services within one seed.
 * Returns CM_OK, CM_EINVAL (an entry lacks a required field) or CM_EIO (database error, nothing
 * changed).
 */
int ob_db_seed_services(PGconn *conn, const json_t *services, char *err, size_t errsz);

#endif
