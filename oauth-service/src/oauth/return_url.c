/*
 * return_url.c - return URL allow-list on libcurl's URL parser (see return_url.h).
 */
#include "oauth/return_url.h"
#include "oauth/state.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct parts {
    char *scheme, *host, *port, *path, *user, *password, *fragment;
} parts_t;

static void parts_free(parts_t *p)
{
    curl_free(p->scheme);
    curl_free(p->host);
    curl_free(p->port);
    curl_free(p->path);
    curl_free(p->user);
    curl_free(p->password);
    curl_free(p->fragment);
    memset(p, 0, sizeof(*p));
}

/* Parses an absolute http(s) URL. Returns 1 on success (p filled; free with parts_free). */
static int parse(const char *url, parts_t *p)
{
    memset(p, 0, sizeof(*p));
    CURLU *u = curl_url();
    if (u == NULL)
        return 0;
    int ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &p->host, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_PORT, &p->port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_PATH, &p->path, 0) == CURLUE_OK;
    if (ok) {
        curl_url_get(u, CURLUPART_USER, &p->user, 0);
        curl_url_get(u, CURLUPART_PASSWORD, &p->password, 0);
        curl_url_get(u, CURLUPART_FRAGMENT, &p->fragment, 0);
        ok = strcasecmp(p->scheme, "http") == 0 || strcasecmp(p->scheme, "https") == 0;
    }
    curl_url_cleanup(u);
    if (!ok)
        parts_free(p);
    return ok;
}

static int prefix_match(const parts_t *url, const parts_t *allow)
{
    if (strcasecmp(url->scheme, allow->scheme) != 0 || strcasecmp(url->host, allow->host) != 0 ||
        strcmp(url->port, allow->port) != 0)
        return 0;
    size_t n = strlen(allow->path);
    if (strncmp(url->path, allow->path, n) != 0)
        return 0;
    /* segment boundary: the prefix ends with '/', or the URL path ends here or continues with '/' */
    return n == 0 || allow->path[n - 1] == '/' || url->path[n] == '\0' || url->path[n] == '/';
}

int ob_return_url_allowed(const json_t *allowed, const char *url)
{
    parts_t u, a;
    size_t i;
    json_t *v;
    int ok = 0;
    if (url == NULL || strlen(url) > OB_RETURN_URL_MAX || !json_is_array(allowed))
        return 0;
    for (const char *c = url; *c; c++) {
        if ((unsigned char)*c < 0x21 || *c == '\\' || (unsigned char)*c >= 0x7f)
            return 0; /* no whitespace, control chars, backslashes or raw non-ASCII */
    }
    if (!parse(url, &u))
        return 0;
    if (u.user != NULL || u.password != NULL || u.fragment != NULL || strstr(u.path, "/../") != NULL ||
        strstr(u.path, "/./") != NULL)
        goto out_free_url;
    json_array_foreach(allowed, i, v)
    {
        if (!json_is_string(v) || !parse(json_string_value(v), &a))
            continue;
        ok = prefix_match(&u, &a);
        parts_free(&a);
        if (ok)
            break;
    }
out_free_url:
    parts_free(&u);
    return ok;
}

char *ob_url_origin(const char *url)
{
    CURLU *u = curl_url();
    char *origin = NULL;
    if (u == NULL)
        return NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
        curl_url_set(u, CURLUPART_PATH, "/", 0);
        curl_url_set(u, CURLUPART_QUERY, NULL, 0);
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
        curl_url_set(u, CURLUPART_USER, NULL, 0);
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
        char *full = NULL;
        if (curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK) {
            size_t n = strlen(full);
            if (n > 0 && full[n - 1] == '/')
                n--;
            origin = strndup(full, n);
            curl_free(full);
        }
    }
    curl_url_cleanup(u);
    return origin;
}
