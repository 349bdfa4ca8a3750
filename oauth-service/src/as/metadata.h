/*
 * metadata.h - the authorization server metadata (RFC 8414 2; docs/mcp-authorization.md "Broker endpoints"). Pure.
 */
#ifndef OB_AS_METADATA_H
#define OB_AS_METADATA_H

#include <jansson.h>

/* The metadata document for issuer (cfg->base_url, byte for byte). Caller's; NULL on allocation failure. */
json_t *ob_as_metadata(const char *issuer);

#endif
