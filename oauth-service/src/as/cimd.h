/*
 * cimd.h - Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, MCP 2025-11-25): a client_id
 * that is an https URL names a JSON document, served there, that describes the client.
 *
 * Fetching (ob_cimd_get): the broker's async HTTP client, GET with Accept: application/json, no redirects followed,
 * at most OB_CIMD_MAX_BYTES, OB_CIMD_TIMEOUT_MS; connections only to public addresses (ob_cimd_addr_public, checked
 * on the very address connected to) unless the URL's origin is in authorization.cimd_allowed_origins; the CA bundle
 * authorization.cimd_ca_file when set. Valid documents are cached per Cache-Control max-age (bounded to
 * 60 s .. 24 h; 300 s without one; "no-store" is not cached), least recently used out first; a failure is never
 * cached. Concurrent lookups of one URL share one fetch.
 *
 * Loop thread only. Callbacks get the document borrowed for the duration of the call.
 */
#ifndef OB_AS_CIMD_H
#define OB_AS_CIMD_H

#include "common/http_client.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define OB_CIMD_MAX_BYTES 5120
#define OB_CIMD_TIMEOUT_MS 5000

struct sockaddr;
typedef struct ob_cimd ob_cimd_t;

/* 1 when client_id has the shape of a metadata document URL: https, a host, a path other than "/", no query, no
 * fragment, no userinfo, no "." or ".." segment, at most 2048 bytes. */
int ob_cimd_is_url(const char *client_id);

/* 1 when sa is an address a document may be fetched from: IPv4 outside every RFC 6890 special-use block (this
 * network, private, CGNAT, loopback, link-local, IETF, documentation, benchmarking, 6to4 relay, multicast,
 * reserved, broadcast); IPv6 inside 2000::/3 but outside 2001::/23, 2001:db8::/32, 2002::/16 and 3fff::/20 (so
 * unspecified, loopback, IPv4-mapped and -compatible, NAT64, discard, ULA, link-local, site-local and multicast are
 * all refused). */
int ob_cimd_addr_public(const struct sockaddr *sa, size_t salen);

/*
 * Validates a fetched document of url: HTTP 200, content type application/json or application/<x>+json, at most
 * OB_CIMD_MAX_BYTES, a JSON object without duplicate keys whose client_id equals url byte for byte, redirect_uris a
 * non-empty array of at most 20 redirect URIs acceptable at registration (ob_as_redirect_uri_ok,
 * as/clients.h), no client_secret* member, no
 * token_endpoint_auth_method other than "none", client_name (if any) a string of at most 200 bytes.
 * CM_OK with *doc (caller decrefs), else CM_EINVAL with *why a static sentence for the user.
 */
int ob_cimd_validate(const char *url, int status, const char *content_type, const char *body, size_t len, json_t **doc,
                     const char **why);

/* The lifetime of a cached document from its Cache-Control header value (may be NULL): seconds, 0 = do not cache. */
int ob_cimd_cache_ttl(const char *cache_control);

/* status: CM_OK with doc (borrowed for the call), or CM_EINVAL / CM_EIO with why (static sentence). */
typedef void (*ob_cimd_cb)(void *arg, int status, const json_t *doc, const char *why);

/* Releases arg of a lookup whose fetch is abandoned (the cache freed with it in flight): frees, never answers. */
typedef void (*ob_cimd_drop_fn)(void *arg);

/* http, allowed_origins (array of "https://host[:port]") and ca_file are borrowed and outlive the cache.
 * capacity 0 = 512 documents. Caller owns the cache (ob_cimd_free). */
ob_cimd_t *ob_cimd_new(cm_http_client_t *http, const json_t *allowed_origins, const char *ca_file, size_t capacity);
/* Cancels the fetches in flight and frees everything; each waiting lookup gets its drop (its cb never runs). */
void ob_cimd_free(ob_cimd_t *c);

/* The fresh cached document of url (borrowed until the next call into the cache), or NULL. */
const json_t *ob_cimd_peek(ob_cimd_t *c, const char *url, int64_t now);
/* Fetches url (joining a fetch in flight). CM_AGAIN: later, exactly one of cb (the answer) or drop (NULL = none;
 * the cache freed first) runs with arg; else an error, neither runs and arg stays the caller's. */
int ob_cimd_get(ob_cimd_t *c, const char *url, ob_cimd_cb cb, ob_cimd_drop_fn drop, void *arg);

/* Fetches started (stats, tests: a cache hit starts none). */
uint64_t ob_cimd_fetches(const ob_cimd_t *c);

#endif
