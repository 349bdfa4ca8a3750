/*
 * resource.c - canonical MCP URLs and their mapping to a service or an instance (resource.h).
 */
#include "as/resource.h"

#include "common/crypto.h"
#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RES_MAX 2048
/* A UUID-shaped stand-in for the instance id: it survives normalisation unchanged, so the canonical instance URL of
 * a service splits around it into the prefix and suffix every instance URL of that service has. */
#define ID_MARK "ffffffff-0000-4000-8000-00000000beef"

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

int ob_as_resource_normalize(const char *in, char **out)
{
    *out = NULL;
    size_t len = in ? strlen(in) : 0;
    if (len == 0 || len > RES_MAX)
        return CM_EINVAL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == '\\')
            return CM_EINVAL;
    }
    size_t slen;
    int https;
    if (strncasecmp(in, "http://", 7) == 0) {
        slen = 7;
        https = 0;
    } else if (strncasecmp(in, "https://", 8) == 0) {
        slen = 8;
        https = 1;
    } else {
        return CM_EINVAL;
    }
    const char *auth = in + slen;
    const char *path = strchr(auth, '/');
    size_t alen = path ? (size_t)(path - auth) : strlen(auth);
    if (alen == 0 || memchr(auth, '@', alen) != NULL)
        return CM_EINVAL;
    /* host (a bracketed IPv6 literal or a name) and optional port */
    size_t hlen;
    if (auth[0] == '[') {
        const char *close = memchr(auth, ']', alen);
        if (close == NULL)
            return CM_EINVAL;
        hlen = (size_t)(close - auth) + 1;
    } else {
        const char *colon = memchr(auth, ':', alen);
        hlen = colon ? (size_t)(colon - auth) : alen;
    }
    if (hlen == 0 || (hlen < alen && auth[hlen] != ':'))
        return CM_EINVAL;
    long port = -1;
    if (hlen < alen) {
        const char *p = auth + hlen + 1;
        size_t plen = alen - hlen - 1;
        if (plen == 0 || plen > 5 || strspn(p, "0123456789") < plen)
            return CM_EINVAL;
        port = strtol(p, NULL, 10);
        if (port < 1 || port > 65535)
            return CM_EINVAL;
    }
    cm_buf_t b = {0};
    cm_buf_appendz(&b, https ? "https://" : "http://");
    for (size_t i = 0; i < hlen; i++) {
        char c = lower(auth[i]);
        cm_buf_append(&b, &c, 1);
    }
    if (port > 0 && port != (https ? 443 : 80))
        cm_buf_printf(&b, ":%ld", port);
    if (path != NULL) {
        size_t plen = strlen(path);
        if (plen > 0 && path[plen - 1] == '/')
            plen--; /* "<url>/" names the same resource as "<url>" */
        cm_buf_append(&b, path, plen);
    }
    char *s = cm_buf_take(&b);
    if (s == NULL)
        return CM_ENOMEM;
    *out = s;
    return CM_OK;
}

/* tmpl with {port} and {service} of the registry row replaced, and {instance_id} by id. malloc'ed. */
static char *expand(const json_t *row, const char *tmpl, const char *id)
{
    const char *service = json_string_value(json_object_get(row, "service_name"));
    char port[24];
    snprintf(port, sizeof(port), "%lld", (long long)json_integer_value(json_object_get(row, "port")));
    cm_buf_t b = {0};
    for (const char *t = tmpl; *t;) {
        if (strncmp(t, "{port}", 6) == 0) {
            cm_buf_appendz(&b, port);
            t += 6;
        } else if (strncmp(t, "{service}", 9) == 0) {
            cm_buf_appendz(&b, service ? service : "");
            t += 9;
        } else if (strncmp(t, "{instance_id}", 13) == 0) {
            cm_buf_appendz(&b, id);
            t += 13;
        } else {
            cm_buf_append(&b, t++, 1);
        }
    }
    return cm_buf_take(&b);
}

static char *canonical_of(const json_t *row, const char *tmpl, const char *id)
{
    char *raw = expand(row, tmpl, id), *canon = NULL;
    if (raw != NULL && ob_as_resource_normalize(raw, &canon) != CM_OK)
        canon = NULL;
    free(raw);
    return canon;
}

static const char *service_tmpl(const ob_broker_t *b)
{
    const char *t = b->cfg->authz.mcp_service_url_template;
    return t ? t : "http://127.0.0.1:{port}/mcp";
}

char *ob_as_service_url(const ob_broker_t *b, const char *service)
{
    const json_t *row = ob_service_find(b, service);
    return row ? canonical_of(row, service_tmpl(b), "") : NULL;
}

/* 1 when s is a lowercase UUID. */
static int lower_uuid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    char id[37];
    memcpy(id, s, 36);
    id[36] = '\0';
    return cm_uuid_valid(id) && strpbrk(id, "ABCDEF") == NULL;
}

int ob_as_resource_classify(const ob_broker_t *b, const char *canon, ob_as_resource_t *out)
{
    size_t i, clen = strlen(canon);
    const json_t *row;
    memset(out, 0, sizeof(*out));
    json_array_foreach(b->services, i, row)
    {
        const char *service = json_string_value(json_object_get(row, "service_name"));
        if (service == NULL)
            continue;
        char *svc = canonical_of(row, service_tmpl(b), "");
        int hit = svc != NULL && strcmp(svc, canon) == 0;
        free(svc);
        if (hit) {
            out->kind = OB_AS_RES_SERVICE;
            out->service = service;
            return CM_OK;
        }
        char *inst = b->cfg->mcp_url_template ? canonical_of(row, b->cfg->mcp_url_template, ID_MARK) : NULL;
        const char *mark = inst ? strstr(inst, ID_MARK) : NULL;
        if (mark != NULL) {
            size_t pre = (size_t)(mark - inst), suf = strlen(mark + 36);
            if (clen == pre + 36 + suf && strncmp(canon, inst, pre) == 0 && strcmp(canon + pre + 36, mark + 36) == 0 &&
                lower_uuid(canon + pre, 36)) {
                out->kind = OB_AS_RES_INSTANCE;
                out->service = service;
                memcpy(out->instance_id, canon + pre, 36);
                out->instance_id[36] = '\0';
                free(inst);
                return CM_OK;
            }
        }
        free(inst);
    }
    return CM_ENOTFOUND;
}
