/* provider_internal.h (private) - what provider_http.c exposes to the runtime's unit tests besides mcp/provider_http.h.
 */
#ifndef MCP_PROVIDER_INTERNAL_H
#define MCP_PROVIDER_INTERNAL_H

#include "mcp/provider_http.h"
#include "tokens/token_client.h"

#include <stddef.h>

/* The tool error text for a token the broker did not give: re-authorization with the authorize URL, a temporary
 * outage with the broker's retry_after_s, or the broker's message. r borrowed. Writes into buf; returns buf. */
const char *mcp_token_error_text(const char *provider, const mcp_token_result_t *r, char *buf, size_t bufsz);

#endif
