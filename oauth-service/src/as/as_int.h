/*
 * as_int.h - the state of the authorization server (as.h), private to as/ and the AS handlers.
 *
 * Loop-thread only. Each concern keeps its own members; a new concern appends its own block at the end.
 */
#ifndef OB_AS_AS_INT_H
#define OB_AS_AS_INT_H

#include "as/apps.h"
#include "as/as.h"
#include "as/rate.h"

#include "common/jose.h"
#include "common/timer.h"

#include <stdint.h>

/* One signing key as loaded from as_signing_keys (unix seconds; 0 = not set). */
typedef struct ob_as_key {
    char kid[65];
    cm_jwk_t *jwk;      /* private; owned */
    json_t *public_jwk; /* owned */
    int64_t created_at, not_before, retired_at, expires_at;
} ob_as_key_t;

struct ob_as {
    ob_broker_t *b; /* borrowed */

    /* signing keys (signing_keys.c): the published set, reread every OB_AS_KEY_REREAD_MS */
    ob_as_key_t *keys;
    size_t n_keys;
    cm_timer_t *tick;   /* key reread + idle dynamic client deletion */
    int reread_pending; /* a reread query is in flight */
    int64_t last_cleanup_ms;

    /* dynamic client registration (as_register handler): registrations per client address */
    ob_as_rate_t *dcr_rate;

    /* the operator's app credentials (apps.c), secrets read at start-up */
    ob_as_apps_t apps;
};

#define OB_AS_KEY_REREAD_MS 60000

#endif
