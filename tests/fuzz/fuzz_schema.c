/*
 * fuzz_schema.c - the JSON-Schema subset of tool arguments (mcp-servers/runtime/src/schema*.c): both the schema
 * (compiled when a service registers a tool) and the instance (every tools/call's arguments).
 *
 * Input: schema text \0 instance text. A compiled schema validates the instance, fills defaults into a
 * copy and normalises integers on another; an instance the schema accepts must still be accepted after
 * its defaults were applied only when the defaults are themselves valid, so that is not asserted.
 */
#include "fuzz.h"

#include "common/json_util.h"
#include "schema/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    size_t slen = 0, ilen = 0;
    char *stext = fz_field(&in, &slen);
    char *itext = fz_field(&in, &ilen);
    json_t *schema = cm_json_loadb(stext, slen, NULL);
    json_t *instance = cm_json_loadb(itext, ilen, NULL);
    char err[256];
    mcp_schema_t *s = schema != NULL ? mcp_schema_compile(schema, err, sizeof(err)) : NULL;
    if (s != NULL && instance != NULL) {
        FZ_CHECK(mcp_schema_json(s) == schema);
        mcp_schema_error_t verr;
        int rc = mcp_schema_validate(s, instance, &verr);
        if (rc != 0) {
            FZ_CHECK(memchr(verr.path, '\0', sizeof(verr.path)) != NULL);
            FZ_CHECK(memchr(verr.message, '\0', sizeof(verr.message)) != NULL && verr.message[0] != '\0');
        }
        json_t *with_defaults = json_deep_copy(instance);
        if (with_defaults != NULL && mcp_schema_has_defaults(s))
            (void)mcp_schema_apply_defaults(s, with_defaults);
        json_decref(with_defaults);
        json_t *ints = json_deep_copy(instance);
        if (ints != NULL && mcp_schema_has_whole_reals(ints))
            (void)mcp_schema_normalize_integers(s, ints);
        json_decref(ints);
    }
    if (s == NULL && schema != NULL)
        FZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
    mcp_schema_free(s);
    json_decref(schema);
    json_decref(instance);
    if (itext != NULL)
        (void)mcp_utf8_length(itext, ilen);
    free(stext);
    free(itext);
    return 0;
}
