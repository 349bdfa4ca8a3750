/*
 * url.c - growable buffer, percent-encoding, form parsing and URL building on libcurl.
 */
#include "common/url.h"
#include "common/crypto.h"
#include "common/status.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* ---- cm_buf ---- */

/*
 * Grows to hold at least `need` bytes. The old block is wiped before it is freed: buffers carry
 * form bodies with client secrets and tokens.
 */
static int buf_reserve(cm_buf_t *b, size_t need)
{
    if (b->failed)
        return CM_ENOMEM;
    if (need <= b->cap)
        return CM_OK;
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = malloc(cap);
    if (p == NULL) {
        b->failed = 1;
        return CM_ENOMEM;
    }
    if (b->data != NULL) {
        memcpy(p, b->data, b->len + 1);
        cm_secure_free(b->data, b->cap);
    } else {
        p[0] = '\0';
    }
    b->data = p;
    b->cap = cap;
    return CM_OK;
}

int cm_buf_append(cm_buf_t *b, const char *s, size_t n)
{
    if (b == NULL)
        return CM_EINVAL;
    if (s == NULL && n > 0) {
        b->failed = 1;
        return CM_EINVAL;
    }
    if (n > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return CM_ENOMEM;
    }
    int rc = buf_reserve(b, b->len + n + 1);
    if (rc != CM_OK)
        return rc;
    if (n > 0)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CM_OK;
}

int cm_buf_appendz(cm_buf_t *b, const char *s)
{
    if (s == NULL) {
        if (b != NULL)
            b->failed = 1;
        return CM_EINVAL;
    }
    return cm_buf_append(b, s, strlen(s));
}

int cm_buf_printf(cm_buf_t *b, const char *fmt, ...)
{
    if (b == NULL || fmt == NULL)
        return CM_EINVAL;
    int rc = buf_reserve(b, b->len + 1);
    if (rc != CM_OK)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->data[b->len] = '\0';
        b->failed = 1;
        rc = CM_EINVAL;
        goto out_end_copy;
    }
    if ((size_t)n >= b->cap - b->len) {
        b->data[b->len] = '\0';
        if ((size_t)n > SIZE_MAX - b->len - 1) {
            b->failed = 1;
            rc = CM_ENOMEM;
            goto out_end_copy;
        }
        rc = buf_reserve(b, b->len + (size_t)n + 1);
        if (rc != CM_OK)
            goto out_end_copy;
        if (vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2) != n) {
            b->data[b->len] = '\0';
            b->failed = 1;
            rc = CM_ERR;
            goto out_end_copy;
        }
    }
    b->len += (size_t)n;
    rc = CM_OK;
out_end_copy:
    va_end(ap2);
    return rc;
}

char *cm_buf_take(cm_buf_t *b)
{
    if (b == NULL)
        return NULL;
    if (b->failed) {
        cm_buf_free(b);
        return NULL;
    }
    char *s = b->data != NULL ? b->data : strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void cm_buf_free(cm_buf_t *b)
{
    if (b == NULL)
        return;
    if (b->data != NULL)
        cm_secure_free(b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* ---- percent-encoding ---- */

char *cm_url_escape(const char *s, size_t len)
{
    if (s == NULL || len > (size_t)INT_MAX)
        return NULL;
    if (len == 0) /* curl_easy_escape would take 0 as "use strlen" */
        return strdup("");
    /* Since libcurl 7.82 the handle is unused; it keeps ALPHA / DIGIT / "-._~" and encodes the rest. */
    char *e = curl_easy_escape(NULL, s, (int)len);
    if (e == NULL)
        return NULL;
    char *out = strdup(e);
    curl_free(e);
    return out;
}

/*
 * Own decoder rather than curl_easy_unescape: curl passes "%G1" and a truncated "%4" through as
 * literal text, and the contract here is to reject them.
 */
char *cm_url_unescape(const char *s, size_t len, int plus_is_space, size_t *outlen)
{
    if (outlen != NULL)
        *outlen = 0;
    if (s == NULL && len > 0)
        return NULL;
    if (len == SIZE_MAX)
        return NULL;
    char *out = malloc(len + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (len - i < 3 || cm_hex_digit((unsigned char)s[i + 1]) < 0 || cm_hex_digit((unsigned char)s[i + 2]) < 0) {
                cm_secure_free(out, len + 1);
                return NULL;
            }
            out[o++] = (char)((cm_hex_digit((unsigned char)s[i + 1]) << 4) | cm_hex_digit((unsigned char)s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    if (outlen != NULL)
        *outlen = o;
    return out;
}

/* ---- forms ---- */

int cm_form_add(cm_buf_t *b, const char *name, const char *value)
{
    if (b == NULL || name == NULL)
        return CM_EINVAL;
    if (value == NULL)
        return CM_OK;
    int rc = CM_ENOMEM;
    char *en = cm_url_escape(name, strlen(name));
    char *ev = cm_url_escape(value, strlen(value));
    if (en == NULL || ev == NULL) {
        b->failed = 1;
        goto out_free_escaped;
    }
    if (b->len > 0 && (rc = cm_buf_append(b, "&", 1)) != CM_OK)
        goto out_free_escaped;
    if ((rc = cm_buf_appendz(b, en)) != CM_OK || (rc = cm_buf_append(b, "=", 1)) != CM_OK ||
        (rc = cm_buf_appendz(b, ev)) != CM_OK)
        goto out_free_escaped;
    rc = CM_OK;
out_free_escaped:
    free(en);
    if (ev != NULL)
        cm_secure_free(ev, 0); /* values may be secrets */
    return rc;
}

/* Every '%' starts a valid escape, and none decodes to NUL (callbacks get C strings). */
static int form_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%')
            continue;
        if (len - i < 3)
            return 0;
        int hi = cm_hex_digit((unsigned char)s[i + 1]), lo = cm_hex_digit((unsigned char)s[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return 0;
        i += 2;
    }
    return 1;
}

int cm_form_parse(const char *s, size_t len, cm_form_cb cb, void *arg)
{
    if (cb == NULL || (s == NULL && len > 0))
        return CM_EINVAL;
    /* Validate everything first so a malformed input never reaches the callback half-way. */
    if (!form_valid(s, len))
        return CM_EINVAL;
    size_t pos = 0;
    while (pos < len) {
        const char *seg = s + pos;
        const char *amp = memchr(seg, '&', len - pos);
        size_t seglen = amp != NULL ? (size_t)(amp - seg) : len - pos;
        pos += seglen + 1;
        if (seglen == 0)
            continue; /* "a=1&&b=2", trailing '&' */
        const char *eq = memchr(seg, '=', seglen);
        size_t nlen = eq != NULL ? (size_t)(eq - seg) : seglen;
        const char *val = eq != NULL ? eq + 1 : seg + seglen;
        size_t vlen = eq != NULL ? seglen - nlen - 1 : 0;
        size_t dnlen = 0, dvlen = 0;
        char *name = cm_url_unescape(seg, nlen, 1, &dnlen);
        char *value = cm_url_unescape(val, vlen, 1, &dvlen);
        int rc = CM_OK;
        if (name == NULL || value == NULL)
            rc = CM_ENOMEM; /* escapes were validated above */
        else
            rc = cb(arg, name, value);
        free(name);
        if (value != NULL)
            cm_secure_free(value, dvlen + 1);
        if (rc != 0)
            return rc;
    }
    return CM_OK;
}

struct form_get {
    const char *name;
    char *value;
    int oom;
};

static int form_get_cb(void *arg, const char *name, const char *value)
{
    struct form_get *g = arg;
    if (strcmp(name, g->name) != 0)
        return 0;
    g->value = strdup(value);
    if (g->value == NULL)
        g->oom = 1;
    return 1;
}

char *cm_form_get(const char *s, size_t len, const char *name)
{
    if (name == NULL)
        return NULL;
    struct form_get g = {.name = name};
    if (cm_form_parse(s, len, form_get_cb, &g) < 0) {
        free(g.value);
        return NULL;
    }
    return g.value;
}

/* ---- URLs ---- */

/*
 * Flags for parsing a base URL. Only schemes libcurl knows are accepted: with
 * CURLU_NON_SUPPORT_SCHEME curl would rewrite "com.example.app:/cb" into "com.example.app://cb/".
 * CURLU_PATH_AS_IS keeps the path byte for byte (no "/a/../b" -> "/b" normalisation).
 */
#define BASE_URL_FLAGS CURLU_PATH_AS_IS

char *cm_url_with_query(const char *base, const char *const *params)
{
    if (base == NULL)
        return NULL;
    char *result = NULL;
    CURLU *u = curl_url();
    if (u == NULL)
        return NULL;
    if (curl_url_set(u, CURLUPART_URL, base, BASE_URL_FLAGS) != CURLUE_OK)
        goto out_free_url;
    /* All pairs escaped and '&'-joined first, then ONE append: curl re-assembles the whole query on every
     * CURLU_APPENDQUERY, so appending pair by pair is quadratic (it dominated /oauth/authorize in the benchmark). */
    cm_buf_t pairs = {0};
    for (size_t i = 0; params != NULL && params[i] != NULL; i += 2)
        cm_form_add(&pairs, params[i], params[i + 1]); /* skips NULL values */
    char *q = cm_buf_take(&pairs);
    if (q == NULL)
        goto out_free_url;
    /* Already escaped: APPENDQUERY adds the '&' and leaves the text alone. */
    CURLUcode uc = q[0] != '\0' ? curl_url_set(u, CURLUPART_QUERY, q, CURLU_APPENDQUERY) : CURLUE_OK;
    cm_secure_free(q, 0);
    if (uc != CURLUE_OK)
        goto out_free_url;
    char *full = NULL;
    if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK || full == NULL)
        goto out_free_url;
    result = strdup(full);
    curl_free(full);
    /* libcurl before 8.x writes escapes it stores as "%2f"; RFC 3986 2.1 prefers "%2F" (same meaning). */
    for (char *p = result; p != NULL && *p != '\0'; p++) {
        if (p[0] == '%' && cm_hex_digit((unsigned char)p[1]) >= 0 && cm_hex_digit((unsigned char)p[2]) >= 0) {
            p[1] = (char)toupper((unsigned char)p[1]);
            p[2] = (char)toupper((unsigned char)p[2]);
            p += 2;
        }
    }
out_free_url:
    curl_url_cleanup(u);
    return result;
}

int cm_url_is_http(const char *s)
{
    if (s == NULL)
        return 0;
    /* curl accepts "http:///host"; require the authority to follow "//" directly. */
    size_t skip;
    if (strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else
        return 0;
    if (s[skip] == '\0' || s[skip] == '/' || s[skip] == '\\')
        return 0;
    int ok = 0;
    CURLU *u = curl_url();
    if (u == NULL)
        return 0;
    char *scheme = NULL, *host = NULL;
    if (curl_url_set(u, CURLUPART_URL, s, 0) != CURLUE_OK)
        goto out_free_url;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        goto out_free_parts;
    ok = (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) && host[0] != '\0';
out_free_parts:
    curl_free(scheme);
    curl_free(host);
out_free_url:
    curl_url_cleanup(u);
    return ok;
}
