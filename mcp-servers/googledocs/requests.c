/*
 * requests.c - the checks of batch_update's raw requests that its JSON schema cannot express (the schema, enforced
 * by the runtime before the handler runs, already fixes the request kinds, their fields and limits).
 */
#include "common/status.h"
#include "googledocs.h"

#include <stdio.h>

int gd_check_requests(json_t *requests, char *err, size_t errsz)
{
    size_t i;
    json_t *r;
    json_array_foreach(requests, i, r)
    {
        const char *kind;
        json_t *body;
        json_object_foreach(r, kind, body)
        {
            json_t *range = json_object_get(body, "range");
            if (range == NULL)
                continue;
            json_int_t start = json_integer_value(json_object_get(range, "startIndex"));
            json_int_t end = json_integer_value(json_object_get(range, "endIndex"));
            if (start >= end) {
                snprintf(err, errsz,
                         "requests[%zu].%s.range: endIndex (%lld) must be greater than startIndex (%lld); Google Docs "
                         "refuses an empty range.",
                         i, kind, (long long)end, (long long)start);
                return CM_EINVAL;
            }
        }
    }
    return CM_OK;
}
