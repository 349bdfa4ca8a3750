/*
 * as.h - the authorization server of the MCP clients (docs/mcp-authorization.md): its per-process state, created at
 * start-up when authorization.enabled is set and reached through ob_broker_t.as.
 *
 * The AS is the broker's second OAuth role: it issues and checks its own clients, grants, codes, refresh tokens and
 * JWT access tokens; it never hands an upstream provider token to an MCP client, nor an MCP client's token upstream.
 * Loop-thread only, like the rest of ob_broker_t.
 */
#ifndef OB_AS_AS_H
#define OB_AS_AS_H

#include "core/broker.h"

#include <stddef.h>

typedef struct ob_as ob_as_t;

/* Creates the AS state of b (signing keys loaded or created, caches empty). Blocking (database): start-up only.
 * CM_OK with *out the caller's (ob_as_free), or an error with one line in err. */
int ob_as_new(ob_broker_t *b, ob_as_t **out, char *err, size_t errsz);
void ob_as_free(ob_as_t *as);

#endif
