/*
 * apps.h - the operator's app credentials (authorization.apps): the client the broker signs users in with at a
 * service URL (docs/mcp-authorization.md, "Authorization request" 4).
 *
 * Each entry is keyed by a service or a provider name; a service's own entry wins over its provider's. The secret
 * is read from client_secret_file at start-up (keys/keyfile.h: mode 0600 or stricter), held in memory only, never
 * logged, and wiped when the AS is freed. An entry without a file is a public client (PKCE only).
 *
 * Threading: loaded before the loop runs; read on the loop thread.
 */
#ifndef OB_AS_APPS_H
#define OB_AS_APPS_H

#include "core/broker.h"

#include <stddef.h>

typedef struct ob_as_app {
    char *name;      /* the service or provider name it is configured under */
    char *client_id; /* owned */
    char *secret;    /* owned, wiped at free; NULL for a public client */
    size_t secret_len;
} ob_as_app_t;

typedef struct ob_as_apps {
    ob_as_app_t *v;
    size_t n;
} ob_as_apps_t;

/* Reads every configured app's secret (blocking file I/O: start-up only). CM_OK, or an error with one line in err
 * (naming the file, never its content); *apps is then empty. */
int ob_as_apps_load(const ob_config_t *cfg, ob_as_apps_t *apps, char *err, size_t errsz);

/* Wipes the secrets and frees everything apps holds. */
void ob_as_apps_clear(ob_as_apps_t *apps);

/* The app of a service (its own entry, else its provider's), borrowed from b's AS; NULL when none. */
const ob_as_app_t *ob_as_app_for(const ob_broker_t *b, const char *service);

#endif
