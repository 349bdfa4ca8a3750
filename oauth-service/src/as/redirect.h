/*
 * redirect.h - matching the redirect_uri of an authorization request against a client's registered ones.
 *
 * Exact, byte for byte, except for loopback http redirect URIs (host 127.0.0.1, [::1] or localhost): there the port
 * is ignored, because a native client listens on whatever port the system gives it (RFC 8252 7.3; published Client
 * ID Metadata Documents list "http://127.0.0.1/callback" while the client calls back on an ephemeral port). Scheme,
 * host, path and query stay exact: localhost and 127.0.0.1 are not interchangeable. Pure functions.
 */
#ifndef OB_AS_REDIRECT_H
#define OB_AS_REDIRECT_H

#include <jansson.h>

/* 1 when requested is allowed by the registered URI, else 0. */
int ob_as_redirect_match(const char *registered, const char *requested);

/* 1 when requested matches one entry (a string) of the array registered. */
int ob_as_redirect_allowed(const json_t *registered, const char *requested);

/* 1 when uri is a loopback http URI (the consent page warns that the code goes to a program on this computer). */
int ob_as_redirect_is_loopback(const char *uri);

#endif
