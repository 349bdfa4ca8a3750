/*
 * migrate.c - the migration runner (see migrate.h for the rules it enforces).
 *
 * One run: list and sort the files, take the advisory lock, create schema_migrations if needed,
 * verify every applied file's checksum and the ordering, then apply each pending file in its own
 * transaction. Blocking libpq, start-up only.
 */
#include "db/migrate.h"
#include "db/pq_util.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MIGRATION_MAX_BYTES (4 * 1024 * 1024)
#define CHECKSUM_LEN (2 * CM_SHA256_LEN)

typedef struct migration {
    long version;
    char *file; /* "0001_init.sql" */
    char *sql;  /* file contents, NUL-terminated */
    char checksum[CHECKSUM_LEN + 1];
    int applied; /* already in schema_migrations */
} migration_t;

typedef struct migration_set {
    migration_t *items;
    size_t n, cap;
} migration_set_t;

static void set_free(migration_set_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].file);
        free(s->items[i].sql);
    }
    free(s->items);
    memset(s, 0, sizeof(*s));
}

/* Parses "NNNN_name.sql": returns the version (> 0), 0 when the name does not end in .sql, -1 when it
 * does but does not follow the pattern. */
static long parse_file_name(const char *name)
{
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".sql") != 0)
        return 0;
    const char *p = name;
    long version = 0;
    while (*p >= '0' && *p <= '9') {
        if (version > 99999999L)
            return -1;
        version = version * 10 + (*p++ - '0');
    }
    if (p == name || version <= 0 || *p++ != '_')
        return -1;
    const char *end = name + len - 4;
    if (p == end)
        return -1;
    for (; p < end; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return -1;
    return version;
}

static int cmp_version(const void *a, const void *b)
{
    long va = ((const migration_t *)a)->version, vb = ((const migration_t *)b)->version;
    return (va > vb) - (va < vb);
}

/* Reads a whole migration file (bounded, no NUL bytes). Returns malloc'ed text or NULL with err set. */
static char *read_sql(const char *dir, const char *file, char *err, size_t errsz, int *rc)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errsz, "migration %s: cannot open: %s", path, strerror(errno));
        *rc = CM_EIO;
        return NULL;
    }
    char *buf = malloc(MIGRATION_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MIGRATION_MAX_BYTES + 1, f) : 0;
    int rerr = ferror(f);
    fclose(f);
    if (buf == NULL) {
        *rc = CM_ENOMEM;
        snprintf(err, errsz, "migration %s: out of memory", file);
    } else if (rerr) {
        *rc = CM_EIO;
        snprintf(err, errsz, "migration %s: read error", path);
    } else if (n > MIGRATION_MAX_BYTES) {
        *rc = CM_EINVAL;
        snprintf(err, errsz, "migration %s: larger than %d bytes", path, MIGRATION_MAX_BYTES);
    } else if (memchr(buf, '\0', n) != NULL) {
        *rc = CM_EINVAL;
        snprintf(err, errsz, "migration %s: contains a NUL byte", path);
    } else {
        buf[n] = '\0';
        return buf;
    }
    free(buf);
    return NULL;
}

/* Lists, reads and sorts the migration files of dir. */
static int load_files(const char *dir, migration_set_t *set, char *err, size_t errsz)
{
    int rc = CM_OK;
    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(err, errsz, "migrations directory %s: %s", dir, strerror(errno));
        return CM_EIO;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        long version = parse_file_name(de->d_name);
        if (version == 0)
            continue;
        if (version < 0) {
            snprintf(err, errsz,
                     "migrations directory %s: bad file name \"%s\" (expected NNNN_name.sql, name [a-z0-9_])", dir,
                     de->d_name);
            rc = CM_EINVAL;
            goto out_close;
        }
        if (set->n == set->cap) {
            size_t cap = set->cap ? set->cap * 2 : 16;
            migration_t *items = realloc(set->items, cap * sizeof(*items));
            if (items == NULL) {
                rc = CM_ENOMEM;
                snprintf(err, errsz, "migrations: out of memory");
                goto out_close;
            }
            set->items = items;
            set->cap = cap;
        }
        migration_t *m = &set->items[set->n];
        memset(m, 0, sizeof(*m));
        m->version = version;
        if ((m->file = strdup(de->d_name)) == NULL) {
            rc = CM_ENOMEM;
            snprintf(err, errsz, "migrations: out of memory");
            goto out_close;
        }
        set->n++;
        if ((m->sql = read_sql(dir, m->file, err, errsz, &rc)) == NULL)
            goto out_close;
        cm_sha256_hex(m->sql, strlen(m->sql), m->checksum, sizeof(m->checksum));
    }
    if (set->n == 0) {
        snprintf(err, errsz, "migrations directory %s: no NNNN_name.sql file found", dir);
        rc = CM_ENOTFOUND;
        goto out_close;
    }
    qsort(set->items, set->n, sizeof(*set->items), cmp_version);
    for (size_t i = 1; i < set->n; i++) {
        if (set->items[i].version == set->items[i - 1].version) {
            snprintf(err, errsz, "migrations directory %s: %s and %s have the same version %ld", dir,
                     set->items[i - 1].file, set->items[i].file, set->items[i].version);
            rc = CM_EINVAL;
            goto out_close;
        }
    }
out_close:
    closedir(d);
    return rc;
}

static migration_t *find_version(migration_set_t *set, long version)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->items[i].version == version)
            return &set->items[i];
    return NULL;
}

/* Compares schema_migrations with the files: marks applied ones, refuses changed or out-of-order
 * files. Returns the highest applied version in *max_applied. */
static int verify_applied(PGconn *conn, migration_set_t *set, long *max_applied, char *err, size_t errsz)
{
    int rc = CM_OK;
    PGresult *res = PQexec(conn, "SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = ob_pq_fail(res, err, errsz, "reading schema_migrations");
        goto out_clear;
    }
    *max_applied = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        long version = strtol(PQgetvalue(res, i, 0), NULL, 10);
        const char *name = PQgetvalue(res, i, 1), *checksum = PQgetvalue(res, i, 2);
        if (version > *max_applied)
            *max_applied = version;
        migration_t *m = find_version(set, version);
        if (m == NULL) {
            cm_warn("migrate", "database has migration %ld (%s) that is not in this build; continuing", version, name);
            continue;
        }
        if (strcmp(m->checksum, checksum) != 0) {
            snprintf(err, errsz,
                     "migration %s changed after it was applied (checksum in database %.12s..., file %.12s...): "
                     "restore the file and put the change into a new migration",
                     m->file, checksum, m->checksum);
            rc = CM_ECONFLICT;
            goto out_clear;
        }
        m->applied = 1;
    }
    for (size_t i = 0; i < set->n; i++) {
        if (!set->items[i].applied && set->items[i].version < *max_applied) {
            snprintf(err, errsz, "migration %s is pending but version %ld is already applied: renumber it above %ld",
                     set->items[i].file, *max_applied, *max_applied);
            rc = CM_EINVAL;
            goto out_clear;
        }
    }
out_clear:
    PQclear(res);
    return rc;
}

/* 1-based line of a 1-based character position (PG_DIAG_STATEMENT_POSITION counts characters). */
static long line_of_position(const char *sql, long pos)
{
    long line = 1, chars = 0;
    for (const unsigned char *p = (const unsigned char *)sql; *p && chars < pos - 1; p++) {
        if ((*p & 0xC0) != 0x80)
            chars++;
        if (*p == '\n')
            line++;
    }
    return line;
}

static int apply_one(PGconn *conn, const migration_t *m, char *err, size_t errsz)
{
    char what[320];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* SET LOCAL: IF NOT EXISTS notices ("already exists, skipping") stay out of stderr */
    int rc = ob_pq_exec(conn, "BEGIN; SET LOCAL client_min_messages = warning", m->file, err, errsz);
    if (rc != CM_OK)
        goto out_rollback;
    PGresult *res = PQexec(conn, m->sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
        if (pos != NULL)
            snprintf(what, sizeof(what), "migration %s failed at line %ld", m->file,
                     line_of_position(m->sql, strtol(pos, NULL, 10)));
        else
            snprintf(what, sizeof(what), "migration %s failed", m->file);
        rc = ob_pq_fail(res, err, errsz, what);
        PQclear(res);
        goto out_rollback;
    }
    PQclear(res);
    char version[24];
    snprintf(version, sizeof(version), "%ld", m->version);
    const char *params[3] = {version, m->file, m->checksum};
    res = PQexecParams(conn, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::int, $2, $3)", 3,
                       NULL, params, NULL, NULL, 0);
    snprintf(what, sizeof(what), "recording migration %s", m->file);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = ob_pq_fail(res, err, errsz, what);
        PQclear(res);
        goto out_rollback;
    }
    PQclear(res);
    snprintf(what, sizeof(what), "committing migration %s", m->file);
    if ((rc = ob_pq_exec(conn, "COMMIT", what, err, errsz)) != CM_OK)
        goto out_rollback;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cm_info("migrate", "applied %s (%ld ms)", m->file,
            (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
    return CM_OK;

out_rollback:
    ob_pq_rollback(conn);
    return rc;
}

int ob_db_migrate(PGconn *conn, const char *migrations_dir, char *err, size_t errsz)
{
    migration_set_t set = {0};
    long max_applied = 0;
    size_t applied_now = 0;
    int rc;

    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, errsz, "migrate: no usable database connection");
        return CM_EUNAVAIL;
    }
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        snprintf(err, errsz, "migrate: the connection is inside a transaction");
        return CM_EINVAL;
    }
    if ((rc = load_files(migrations_dir, &set, err, errsz)) != CM_OK)
        goto out_free_set;
    if ((rc = ob_pq_advisory_lock(conn, err, errsz)) != CM_OK)
        goto out_free_set;
    rc = ob_pq_exec(conn,
                    "BEGIN; SET LOCAL client_min_messages = warning;"
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version integer PRIMARY KEY CHECK (version > 0),"
                    " name text NOT NULL,"
                    " checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),"
                    " applied_at timestamptz NOT NULL DEFAULT now());"
                    "COMMIT",
                    "creating schema_migrations", err, errsz);
    if (rc != CM_OK) {
        ob_pq_rollback(conn);
        goto out_unlock;
    }
    if ((rc = verify_applied(conn, &set, &max_applied, err, errsz)) != CM_OK)
        goto out_unlock;
    for (size_t i = 0; i < set.n; i++) {
        if (set.items[i].applied)
            continue;
        if ((rc = apply_one(conn, &set.items[i], err, errsz)) != CM_OK)
            goto out_unlock;
        applied_now++;
    }
    long schema_version = set.items[set.n - 1].version > max_applied ? set.items[set.n - 1].version : max_applied;
    if (applied_now > 0)
        cm_info("migrate", "schema at version %ld (%zu migration(s) applied now)", schema_version, applied_now);
    else
        cm_info("migrate", "schema at version %ld, up to date", schema_version);

out_unlock:
    ob_pq_advisory_unlock(conn);
out_free_set:
    set_free(&set);
    return rc;
}
