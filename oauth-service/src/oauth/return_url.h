/*
 * return_url.h - the allow-list of return URLs (no open redirects).
 *
 * A return URL is accepted only when it is an absolute http(s) URL without user info or fragment,
 * at most OB_RETURN_URL_MAX bytes, and matches one configured prefix (oauth.allowed_return_urls):
 * same scheme, same host (case-insensitive), same effective port, and its path starts with the
 * prefix's path at a segment boundary ("https://app.example/cb" allows "/cb", "/cb/x", "/cb?x=1",
 * not "/cbx"). Matching is on the URL as parsed by libcurl, never on raw text.
 */
#ifndef OB_OAUTH_RETURN_URL_H
#define OB_OAUTH_RETURN_URL_H

#include <jansson.h>

/* 1 when url is allowed by the array of prefixes `allowed`, else 0. */
int ob_return_url_allowed(const json_t *allowed, const char *url);

/*
 * The origin ("scheme://host[:port]") of an http(s) URL, malloc'ed (caller frees), or NULL when url does not
 * parse. Used as the postMessage target origin.
 */
char *ob_url_origin(const char *url);

#endif
