/*
 * client_meta.c - the registration policy of the AS's clients (clients.h): redirect URIs, metadata, ids and
 * secrets. Pure: no I/O beyond randomness.
 */
#include "as/clients.h"

#include "common/crypto.h"
#include "common/status.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define REDIRECT_URI_MAX 2000
#define REDIRECT_URIS_MAX 20
#define TEXT_MEMBER_MAX 2000

/* Schemes that run or read something in the browser instead of handing a code to a client. */
static const char *const banned_schemes[] = {"javascript", "data",        "file", "vbscript", "blob", "about",
                                             "filesystem", "view-source", "ws",   "wss",      "ftp",  NULL};

/* The authority after "//" (up to '/', '?' or the end): [start, end). */
static void authority(const char *p, const char **start, const char **end)
{
    *start = p;
    *end = p + strcspn(p, "/?");
}

static int loopback_host(const char *a, const char *e)
{
    size_t n = (size_t)(e - a);
    const char *colon = NULL;
    if (n > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (close == NULL)
            return 0;
        colon = close + 1 < e ? close + 1 : NULL;
        if (colon != NULL && *colon != ':')
            return 0;
        if ((size_t)(close + 1 - a) != 5 || strncmp(a, "[::1]", 5) != 0)
            return 0;
    } else {
        colon = memchr(a, ':', n);
        size_t hl = colon ? (size_t)(colon - a) : n;
        if (!((hl == 9 && strncasecmp(a, "127.0.0.1", 9) == 0) || (hl == 9 && strncasecmp(a, "localhost", 9) == 0)))
            return 0;
    }
    if (colon != NULL) { /* an optional port: digits only */
        const char *d = colon + 1;
        if (d == e || (size_t)(e - d) > 5)
            return 0;
        for (; d < e; d++)
            if (!isdigit((unsigned char)*d))
                return 0;
    }
    return 1;
}

int ob_as_redirect_uri_ok(const char *uri, const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    size_t n = uri ? strlen(uri) : 0;
    if (n == 0 || n > REDIRECT_URI_MAX) {
        *why = "a redirect URI must be a non-empty string of at most 2000 bytes";
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c <= 0x20 || c == 0x7f || c == '\\' || c == '<' || c == '>' || c == '"') {
            *why = "a redirect URI must not contain whitespace, controls or <>\"\\";
            return 0;
        }
    }
    if (strchr(uri, '#') != NULL) {
        *why = "a redirect URI must not contain a fragment";
        return 0;
    }
    size_t sl = 0;
    if (!isalpha((unsigned char)uri[0])) {
        *why = "a redirect URI must be an absolute URI";
        return 0;
    }
    while (isalnum((unsigned char)uri[sl]) || uri[sl] == '+' || uri[sl] == '-' || uri[sl] == '.')
        sl++;
    if (uri[sl] != ':' || uri[sl + 1] == '\0') {
        *why = "a redirect URI must be an absolute URI";
        return 0;
    }
    for (size_t i = 0; banned_schemes[i] != NULL; i++) {
        if (strlen(banned_schemes[i]) == sl && strncasecmp(uri, banned_schemes[i], sl) == 0) {
            *why = "this redirect URI scheme is not allowed";
            return 0;
        }
    }
    const char *rest = uri + sl + 1, *a = NULL, *e = NULL;
    if (strncmp(rest, "//", 2) == 0) {
        authority(rest + 2, &a, &e);
        if (memchr(a, '@', (size_t)(e - a)) != NULL) {
            *why = "a redirect URI must not contain userinfo";
            return 0;
        }
    }
    int is_https = sl == 5 && strncasecmp(uri, "https", 5) == 0;
    int is_http = sl == 4 && strncasecmp(uri, "http", 4) == 0;
    if (is_https || is_http) {
        if (a == NULL || a == e) {
            *why = "an http(s) redirect URI needs a host";
            return 0;
        }
        if (is_http && !loopback_host(a, e)) {
            *why = "an http redirect URI must be a loopback address (127.0.0.1, [::1], localhost): use https";
            return 0;
        }
    }
    return 1;
}

static int str_in(const char *s, const char *const *set)
{
    for (size_t i = 0; set[i] != NULL; i++)
        if (strcmp(s, set[i]) == 0)
            return 1;
    return 0;
}

static int fail(const char **error, const char *code, char *desc, size_t descsz, const char *text, const char *name)
{
    *error = code;
    snprintf(desc, descsz, "%s%s%s", name ? name : "", name ? ": " : "", text);
    return CM_EINVAL;
}

/* A string array member whose elements are all in allowed (NULL = any string of limited size); absent = def. */
static int string_list(const json_t *in, const char *name, const char *const *allowed, const char *def, json_t **out)
{
    json_t *v = json_object_get(in, name);
    if (v == NULL) {
        *out = def ? json_pack("[s]", def) : NULL;
        return CM_OK;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > REDIRECT_URIS_MAX)
        return CM_EINVAL;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        const char *s = json_string_value(e);
        if (s == NULL || (allowed != NULL && !str_in(s, allowed)) || strlen(s) > TEXT_MEMBER_MAX)
            return CM_EINVAL;
    }
    *out = json_deep_copy(v);
    return CM_OK;
}

int ob_as_client_metadata_validate(const json_t *in, json_t **out, const char **error, char *desc, size_t descsz)
{
    static const char *const methods[] = {"none", "client_secret_basic", "client_secret_post", NULL};
    static const char *const grants[] = {"authorization_code", "refresh_token", NULL};
    static const char *const responses[] = {"code", NULL};
    static const char *const app_types[] = {"web", "native", NULL};
    static const char *const texts[] = {"client_uri",  "logo_uri",         "tos_uri", "policy_uri",
                                        "software_id", "software_version", "scope",   NULL};
    json_t *o = NULL, *list = NULL;
    *out = NULL;
    if (!json_is_object(in))
        return fail(error, "invalid_client_metadata", desc, descsz, "the body must be a JSON object", NULL);
    json_t *ru = json_object_get(in, "redirect_uris");
    if (!json_is_array(ru) || json_array_size(ru) == 0)
        return fail(error, "invalid_redirect_uri", desc, descsz, "at least one redirect URI is required",
                    "redirect_uris");
    if (json_array_size(ru) > REDIRECT_URIS_MAX)
        return fail(error, "invalid_redirect_uri", desc, descsz, "at most 20 redirect URIs", "redirect_uris");
    size_t i;
    json_t *e;
    json_array_foreach(ru, i, e)
    {
        const char *why = NULL;
        if (!ob_as_redirect_uri_ok(json_string_value(e), &why))
            return fail(error, "invalid_redirect_uri", desc, descsz, why, "redirect_uris");
    }
    if ((o = json_object()) == NULL)
        return CM_ENOMEM;
    json_object_set_new(o, "redirect_uris", json_deep_copy(ru));

    json_t *m = json_object_get(in, "token_endpoint_auth_method");
    if (m != NULL && (json_string_value(m) == NULL || !str_in(json_string_value(m), methods))) {
        json_decref(o);
        return fail(error, "invalid_client_metadata", desc, descsz,
                    "must be none, client_secret_basic or client_secret_post", "token_endpoint_auth_method");
    }
    json_object_set_new(o, "token_endpoint_auth_method", json_string(m ? json_string_value(m) : "client_secret_basic"));

    if (string_list(in, "grant_types", grants, "authorization_code", &list) != CM_OK) {
        json_decref(o);
        return fail(error, "invalid_client_metadata", desc, descsz,
                    "a non-empty subset of authorization_code, refresh_token", "grant_types");
    }
    json_object_set_new(o, "grant_types", list);
    if (string_list(in, "response_types", responses, "code", &list) != CM_OK) {
        json_decref(o);
        return fail(error, "invalid_client_metadata", desc, descsz, "must be [\"code\"]", "response_types");
    }
    json_object_set_new(o, "response_types", list);

    json_t *at = json_object_get(in, "application_type");
    if (at != NULL && (json_string_value(at) == NULL || !str_in(json_string_value(at), app_types))) {
        json_decref(o);
        return fail(error, "invalid_client_metadata", desc, descsz, "must be web or native", "application_type");
    }
    json_object_set_new(o, "application_type", json_string(at ? json_string_value(at) : "web"));

    json_t *name = json_object_get(in, "client_name");
    if (name != NULL) {
        const char *s = json_string_value(name);
        if (s == NULL || s[0] == '\0' || strlen(s) > OB_AS_CLIENT_NAME_MAX) {
            json_decref(o);
            return fail(error, "invalid_client_metadata", desc, descsz, "a non-empty string of at most 200 bytes",
                        "client_name");
        }
        json_object_set_new(o, "client_name", json_string(s));
    }
    for (i = 0; texts[i] != NULL; i++) {
        json_t *v = json_object_get(in, texts[i]);
        if (v == NULL)
            continue;
        const char *s = json_string_value(v);
        if (s == NULL || strlen(s) > TEXT_MEMBER_MAX) {
            json_decref(o);
            return fail(error, "invalid_client_metadata", desc, descsz, "a string of at most 2000 bytes", texts[i]);
        }
        json_object_set_new(o, texts[i], json_string(s));
    }
    if (json_object_get(in, "contacts") != NULL) {
        if (string_list(in, "contacts", NULL, NULL, &list) != CM_OK) {
            json_decref(o);
            return fail(error, "invalid_client_metadata", desc, descsz, "an array of strings", "contacts");
        }
        json_object_set_new(o, "contacts", list);
    }
    *out = o;
    return CM_OK;
}

int ob_as_client_is_confidential(const json_t *metadata)
{
    const char *m = json_string_value(json_object_get(metadata, "token_endpoint_auth_method"));
    return m != NULL && (strcmp(m, "client_secret_basic") == 0 || strcmp(m, "client_secret_post") == 0);
}

/* n characters of [A-Za-z0-9], unbiased (rejection of bytes >= 248). */
static int alnum(char *out, size_t n)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t buf[64];
    size_t got = 0;
    while (got < n) {
        if (cm_random_bytes(buf, sizeof(buf)) != CM_OK)
            return CM_ERR;
        for (size_t i = 0; i < sizeof(buf) && got < n; i++)
            if (buf[i] < 248)
                out[got++] = set[buf[i] % 62];
    }
    out[n] = '\0';
    cm_wipe(buf, sizeof(buf));
    return CM_OK;
}

int ob_as_client_id_new(char *out, size_t outsz)
{
    size_t pl = strlen(OB_AS_CLIENT_ID_PREFIX);
    if (outsz < pl + OB_AS_CLIENT_ID_RANDOM + 1)
        return CM_EINVAL;
    memcpy(out, OB_AS_CLIENT_ID_PREFIX, pl);
    return alnum(out + pl, OB_AS_CLIENT_ID_RANDOM);
}

int ob_as_client_secret_new(char *out, size_t outsz)
{
    if (outsz < OB_AS_CLIENT_SECRET_LEN + 1)
        return CM_EINVAL;
    return alnum(out, OB_AS_CLIENT_SECRET_LEN);
}
