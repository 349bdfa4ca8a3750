/*
 * service_args.c - tool argument helpers for services (mcp/args.h).
 */
#include "mcp/args.h"
#include "common/crypto.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mcp_arg_bytes(const json_t *value, int base64, size_t max, const char *arg, uint8_t **out, size_t *len, char *err,
                  size_t errsz)
{
    *out = NULL;
    *len = 0;
    const char *s = json_string_value(value);
    size_t n = json_string_length(value);
    if (s == NULL) {
        snprintf(err, errsz, "Invalid argument '%s': a string is required.", arg);
        return CM_EINVAL;
    }
    uint8_t *bytes = NULL;
    if (base64) {
        bytes = cm_b64_decode(s, n, len);
        if (bytes == NULL) {
            snprintf(err, errsz, "Invalid argument '%s': not valid base64 (standard alphabet, with padding).", arg);
            return CM_EINVAL;
        }
    } else {
        if ((bytes = malloc(n + 1)) == NULL)
            return CM_ENOMEM;
        memcpy(bytes, s, n + 1);
        *len = n;
    }
    if (*len > max) {
        char mib[32] = "";
        if (max >= 1024 * 1024 && max % (1024 * 1024) == 0)
            snprintf(mib, sizeof(mib), " (%zu MiB)", max / (1024 * 1024));
        snprintf(
            err, errsz,
            "Invalid argument '%s': %zu bytes, above this tool's limit of %zu bytes%s (the file travels inside one "
            "MCP request).",
            arg, *len, max, mib);
        free(bytes);
        *len = 0;
        return CM_EINVAL;
    }
    *out = bytes;
    return CM_OK;
}
