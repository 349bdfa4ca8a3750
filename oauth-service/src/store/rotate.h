/*
 * rotate.h - `oauth-service rotate-keys`: re-encrypt every credential under the newest key.
 *
 * Runs outside the event loop (a CLI command, blocking libpq). Walks mcp_credentials in instance id
 * order, in batches; each row is one transaction that first takes the instance's refresh advisory lock
 * (OB_REFRESH_LOCK_KEY: it waits for a refresh in flight, which holds it across the provider call, and no
 * refresh starts until the row is rewritten), locks the row (FOR UPDATE), opens every sealed field with the
 * key named next to it, seals it again under the newest key (same associated data: instance id + field),
 * bumps row_version (a writer without the lock that read the old version loses its compare-and-set and
 * re-reads) and writes one audit row. Rows already fully
 * under the newest key are skipped. A value that does not open (unknown key id, tampered) is
 * reported and left untouched; the command then exits non-zero. Safe to re-run; safe while brokers
 * serve (they decrypt with any key of the ring, which must contain both the old and the new key).
 */
#ifndef OB_STORE_ROTATE_H
#define OB_STORE_ROTATE_H

#include "keys/keyring.h"

#include <libpq-fe.h>
#include <stddef.h>

typedef struct ob_rotate_stats {
    size_t rows_seen;      /* rows with at least one field under an older key */
    size_t rows_rotated;   /* rows rewritten */
    size_t fields_rotated; /* fields re-encrypted */
    size_t failures;       /* fields that did not open */
} ob_rotate_stats_t;

/* Returns CM_OK (check stats->failures), or CM_EIO with one line in err when the database failed. */
int ob_rotate_keys(PGconn *conn, const ob_keyring_t *kr, int batch, ob_rotate_stats_t *stats, char *err, size_t errsz);

#endif
