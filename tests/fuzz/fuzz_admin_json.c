/*
 * fuzz_admin_json.c - admin API bodies (oauth-service/src/handlers/instance_validate.c behind POST /instances,
 * PATCH /instances/{id} and the token import), decoded like cm_req_json_object does (cm_json_loadb).
 *
 * Every refusal must be a 400 or 413 with a code; an accepted create must satisfy the documented limits.
 */
#include "fuzz.h"

#include "common/json_util.h"
#include "common/status.h"
#include "handlers/instance_validate.h"

static void check_refusal(const ob_verr_t *e)
{
    FZ_CHECK((e->status == 400 || e->status == 413) && e->code != NULL && e->code[0] != '\0');
    FZ_CHECK(memchr(e->message, '\0', sizeof(e->message)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = cm_json_loadb((const char *)data, size, NULL);
    if (body == NULL)
        return 0;
    ob_verr_t e;
    ob_create_req_t req;
    for (int public_client = 0; public_client <= 1; public_client++) {
        if (ob_validate_create(body, public_client, &req, &e) == CM_OK) {
            FZ_CHECK(ob_text_ok(req.user_id, OB_MAX_USER_ID) && ob_text_ok(req.client_id, OB_MAX_CLIENT_ID));
            /* a public client never stores a secret; a confidential one always has one */
            FZ_CHECK(public_client ? req.client_secret == NULL : ob_text_ok(req.client_secret, OB_MAX_CLIENT_SECRET));
            FZ_CHECK(req.scopes == NULL || req.scopes[0] == '\0' || ob_scopes_ok(req.scopes));
            FZ_CHECK(req.provider_options != NULL && strlen(req.provider_options) <= OB_MAX_PROVIDER_OPTIONS);
            FZ_CHECK(req.expires_in == 0 ||
                     (req.expires_in >= OB_MIN_EXPIRES_IN && req.expires_in <= OB_MAX_EXPIRES_IN));
            free(req.provider_options);
        } else {
            check_refusal(&e);
            FZ_CHECK(req.provider_options == NULL);
        }
    }

    const char *status = NULL, *name = NULL;
    int set_name = 0;
    if (ob_validate_patch(body, &status, &set_name, &name, &e) == CM_OK)
        FZ_CHECK(status != NULL || set_name);
    else
        check_refusal(&e);

    static const char *const import_keys[] = {"instance_id", "access_token", "refresh_token", "expires_at",
                                              "expires_in",  "scope",        "token_type",    NULL};
    if (ob_validate_keys(body, import_keys, &e) != CM_OK)
        check_refusal(&e);
    const char *scopes = cm_json_str(body, "scopes");
    if (scopes != NULL)
        (void)ob_scopes_ok(scopes);
    json_decref(body);
    return 0;
}
