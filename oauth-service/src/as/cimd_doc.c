/*
 * cimd_doc.c - the pure parts of Client ID Metadata Documents (cimd.h): the URL shape, the address classifier, the
 * document validator and the cache lifetime.
 */
#include "as/cimd.h"
#include "as/clients.h"

#include "common/status.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define CIMD_TTL_DEFAULT 300
#define CIMD_TTL_MIN 60
#define CIMD_TTL_MAX 86400

int ob_cimd_is_url(const char *id)
{
    size_t len = id ? strlen(id) : 0;
    if (len == 0 || len > 2048 || strncmp(id, "https://", 8) != 0 || strpbrk(id, "?#\\") != NULL)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] >= 0x7f)
            return 0;
    const char *auth = id + 8, *path = strchr(auth, '/');
    if (path == NULL || path == auth || path[1] == '\0' || memchr(auth, '@', (size_t)(path - auth)) != NULL)
        return 0;
    for (const char *seg = path + 1;;) {
        size_t n = strcspn(seg, "/");
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        if (seg[n] == '\0')
            break;
        seg += n + 1;
    }
    return 1;
}

static int v4_public(const uint8_t a[4])
{
    uint32_t x = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) | ((uint32_t)a[2] << 8) | a[3];
    static const struct {
        uint32_t net;
        int bits;
    } special[] = {
        {0x00000000, 8},  /* this network */
        {0x0a000000, 8},  /* private */
        {0x64400000, 10}, /* shared address space (CGNAT) */
        {0x7f000000, 8},  /* loopback */
        {0xa9fe0000, 16}, /* link-local */
        {0xac100000, 12}, /* private */
        {0xc0000000, 24}, /* IETF protocol assignments */
        {0xc0000200, 24}, /* documentation */
        {0xc0586300, 24}, /* 6to4 relay anycast */
        {0xc0a80000, 16}, /* private */
        {0xc6120000, 15}, /* benchmarking */
        {0xc6336400, 24}, /* documentation */
        {0xcb007100, 24}, /* documentation */
        {0xe0000000, 4},  /* multicast */
        {0xf0000000, 4},  /* reserved, broadcast */
    };
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
        uint32_t mask = special[i].bits == 0 ? 0 : 0xffffffffu << (32 - special[i].bits);
        if ((x & mask) == special[i].net)
            return 0;
    }
    return 1;
}

static int v6_public(const uint8_t a[16])
{
    if ((a[0] & 0xe0) != 0x20) /* outside 2000::/3, the global unicast block */
        return 0;
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02) /* 2001::/23 IETF protocol assignments (Teredo, ...) */
        return 0;
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) /* 2001:db8::/32 documentation */
        return 0;
    if (a[0] == 0x20 && a[1] == 0x02) /* 2002::/16 6to4: an IPv4 address inside */
        return 0;
    if (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0) /* 3fff::/20 documentation */
        return 0;
    return 1;
}

int ob_cimd_addr_public(const struct sockaddr *sa, size_t salen)
{
    if (sa == NULL)
        return 0;
    if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in))
        return v4_public((const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr);
    if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6))
        return v6_public(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return 0;
}

/* 1 when the media type of ct is application/json or application/<x>+json (parameters ignored). */
static int json_media(const char *ct)
{
    if (ct == NULL)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    if (n < 12 || strncasecmp(ct, "application/", 12) != 0)
        return 0;
    return (n == 16 && strncasecmp(ct + 12, "json", 4) == 0) || (n > 17 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

static int fail(const char **why, const char *text)
{
    *why = text;
    return CM_EINVAL;
}

int ob_cimd_validate(const char *url, int status, const char *content_type, const char *body, size_t len, json_t **doc,
                     const char **why)
{
    *doc = NULL;
    if (status != 200)
        return fail(why, "The client's metadata document could not be fetched (its server did not answer 200).");
    if (!json_media(content_type))
        return fail(why, "The client's metadata document is not served as JSON.");
    if (len > OB_CIMD_MAX_BYTES)
        return fail(why, "The client's metadata document is too large.");
    json_t *d = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(d)) {
        json_decref(d);
        return fail(why, "The client's metadata document is not a JSON object.");
    }
    const char *key, *text = NULL;
    json_t *v;
    json_object_foreach(d, key, v)
    {
        if (strncmp(key, "client_secret", 13) == 0)
            text = "The client's metadata document holds a client secret, which a public document must not.";
    }
    const char *id = json_string_value(json_object_get(d, "client_id"));
    const json_t *uris = json_object_get(d, "redirect_uris");
    const json_t *method = json_object_get(d, "token_endpoint_auth_method");
    const json_t *name = json_object_get(d, "client_name");
    size_t i;
    if (text == NULL && (id == NULL || strcmp(id, url) != 0))
        text = "The client's metadata document names another client_id than its own address.";
    if (text == NULL && (!json_is_array(uris) || json_array_size(uris) == 0 || json_array_size(uris) > 20))
        text = "The client's metadata document has no redirect_uris.";
    json_array_foreach(text == NULL ? uris : NULL, i, v)
    {
        const char *bad;
        if (text == NULL && !ob_as_redirect_uri_ok(json_string_value(v), &bad))
            text = "The client's metadata document has an unacceptable redirect URI.";
    }
    if (text == NULL && method != NULL && !(json_is_string(method) && strcmp(json_string_value(method), "none") == 0))
        text = "The client's metadata document asks for a client authentication this server does not offer to "
               "document-identified clients (only \"none\").";
    if (text == NULL && name != NULL && (!json_is_string(name) || json_string_length(name) > 200))
        text = "The client's metadata document has an invalid client_name.";
    if (text != NULL) {
        json_decref(d);
        return fail(why, text);
    }
    *doc = d;
    return CM_OK;
}

int ob_cimd_cache_ttl(const char *cc)
{
    if (cc == NULL)
        return CIMD_TTL_DEFAULT;
    long ttl = CIMD_TTL_DEFAULT;
    for (const char *p = cc; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        size_t n = strcspn(p, ",");
        if ((n == 8 && strncasecmp(p, "no-store", 8) == 0) || (n == 8 && strncasecmp(p, "no-cache", 8) == 0))
            return 0;
        if (n > 8 && strncasecmp(p, "max-age=", 8) == 0 && isdigit((unsigned char)p[8]))
            ttl = strtol(p + 8, NULL, 10);
        p += n;
    }
    return ttl < CIMD_TTL_MIN ? CIMD_TTL_MIN : ttl > CIMD_TTL_MAX ? CIMD_TTL_MAX : (int)ttl;
}
