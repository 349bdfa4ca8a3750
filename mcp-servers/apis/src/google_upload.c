/*
 * google_upload.c - the body of a Google multipart media upload (apis/google.h), the same for Gmail's messages and
 * Drive's files.
 */
#include "apis/google.h"
#include "common/crypto.h"
#include "common/status.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A boundary (written into out) that occurs in neither a nor b. CM_OK, or CM_ERR when the random source fails or
 * every try collides. */
static int upload_boundary(char *out, size_t outsz, const char *a, size_t alen, const void *b, size_t blen)
{
    for (int tries = 0; tries < 8; tries++) {
        char hex[49];
        if (cm_random_hex(hex, sizeof(hex), 24) != CM_OK)
            return CM_ERR;
        int n = snprintf(out, outsz, "mcp_upload_%s", hex);
        if (n < 0 || (size_t)n >= outsz)
            return CM_ERR;
        if (memmem(a, alen, out, (size_t)n) == NULL && memmem(b, blen, out, (size_t)n) == NULL)
            return CM_OK;
    }
    return CM_ERR;
}

int mcp_google_multipart_body(json_t *metadata, const char *media_type, const void *data, size_t len, char *boundary,
                              size_t boundarysz, char **body, size_t *body_len)
{
    int rc;
    char *meta = json_dumps(metadata, JSON_COMPACT);
    cm_buf_t b = {0};
    if (meta == NULL)
        return CM_ENOMEM;
    rc = upload_boundary(boundary, boundarysz, meta, strlen(meta), data, len);
    if (rc != CM_OK)
        goto out_free_meta;
    cm_buf_printf(&b, "--%s\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n%s\r\n", boundary, meta);
    cm_buf_printf(&b, "--%s\r\nContent-Type: %s\r\n\r\n", boundary, media_type);
    cm_buf_append(&b, data, len);
    cm_buf_printf(&b, "\r\n--%s--\r\n", boundary);
    *body_len = b.len;
    *body = cm_buf_take(&b);
    rc = *body != NULL ? CM_OK : CM_ENOMEM;
out_free_meta:
    free(meta);
    return rc;
}
