/*
 * instance.c - parsing instance rows and their admin JSON view (see instance.h).
 */
#include "store/instance.h"
#include "store/cred_crypto.h"

#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
    COL_ID,
    COL_USER,
    COL_SERVICE,
    COL_STATUS,
    COL_OAUTH_STATUS,
    COL_EXPIRES,
    COL_CUSTOM_NAME,
    COL_KEY_HASH,
    COL_ROW_VERSION,
    COL_USAGE,
    COL_LAST_USED,
    COL_CREATED,
    COL_UPDATED,
    COL_CLIENT_ID,
    COL_AT_ENC,
    COL_AT_KID,
    COL_TOKEN_EXPIRES,
    COL_SCOPE,
    COL_TOKEN_TYPE,
    COL_OPTIONS,
    COL_REQ_SCOPES,
    COL_HAS_RT,
    COL_CRED_VERSION,
    COL_EVENT_VERSION,
    COL_COUNT
};

static char *opt_str(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

static int64_t num(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(PQgetvalue(res, row, col), &end, 10);
    return errno == 0 && *end == '\0' ? (int64_t)v : 0;
}

static void copy_fixed(char *dst, size_t dstsz, const char *src)
{
    size_t n = strlen(src);
    if (n >= dstsz)
        n = dstsz - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

ob_instance_t *ob_instance_from_row(const PGresult *res, int row, const ob_keyring_t *kr)
{
    if (PQnfields(res) < COL_COUNT || row >= PQntuples(res))
        return NULL;
    ob_instance_t *inst = calloc(1, sizeof(*inst));
    if (inst == NULL)
        return NULL;
    copy_fixed(inst->id, sizeof(inst->id), PQgetvalue(res, row, COL_ID));
    inst->user_id = opt_str(res, row, COL_USER);
    const char *service = PQgetisnull(res, row, COL_SERVICE) ? "" : PQgetvalue(res, row, COL_SERVICE);
    size_t service_len = strlen(service);
    int status = ob_status_column(res, row, COL_STATUS);
    inst->status = status < 0 ? CM_INST_INACTIVE : (cm_inst_status_t)status; /* the CHECK constraint's names only */
    if (ob_oauth_status_parse(PQgetvalue(res, row, COL_OAUTH_STATUS), &inst->oauth_status) != CM_OK)
        inst->oauth_status = OB_OAUTH_FAILED;
    inst->expires_at = num(res, row, COL_EXPIRES);
    inst->custom_name = opt_str(res, row, COL_CUSTOM_NAME);
    copy_fixed(inst->key_hash, sizeof(inst->key_hash), PQgetvalue(res, row, COL_KEY_HASH));
    inst->row_version = num(res, row, COL_ROW_VERSION);
    inst->usage_count = num(res, row, COL_USAGE);
    inst->last_used_at = num(res, row, COL_LAST_USED);
    inst->created_at = num(res, row, COL_CREATED);
    inst->updated_at = num(res, row, COL_UPDATED);
    inst->client_id = opt_str(res, row, COL_CLIENT_ID);
    inst->token_expires_at = num(res, row, COL_TOKEN_EXPIRES);
    inst->scope = opt_str(res, row, COL_SCOPE);
    inst->token_type = opt_str(res, row, COL_TOKEN_TYPE);
    inst->provider_options = opt_str(res, row, COL_OPTIONS);
    inst->requested_scopes = opt_str(res, row, COL_REQ_SCOPES);
    inst->has_refresh_token = PQgetvalue(res, row, COL_HAS_RT)[0] == 't';
    inst->cred_row_version = num(res, row, COL_CRED_VERSION);
    inst->event_version = num(res, row, COL_EVENT_VERSION);
    /* a name the registry allows is 1..64 characters ([a-z0-9_-]: mcp_table's CHECK) */
    if (service_len == 0 || service_len >= sizeof(inst->service)) {
        cm_error("store", "instance %s: the service name is empty or longer than 64 characters", inst->id);
        ob_instance_free(inst);
        return NULL;
    }
    memcpy(inst->service, service, service_len + 1);
    if (inst->user_id == NULL) {
        ob_instance_free(inst);
        return NULL;
    }
    if (kr != NULL && !PQgetisnull(res, row, COL_AT_ENC) && !PQgetisnull(res, row, COL_AT_KID)) {
        size_t len = 0;
        int rc = ob_cred_open(kr, inst->id, OB_FIELD_ACCESS_TOKEN, PQgetvalue(res, row, COL_AT_KID),
                              PQgetvalue(res, row, COL_AT_ENC), &inst->access_token, &len);
        if (rc != CM_OK) {
            cm_error("store", "instance %s: the stored access token does not open under key \"%s\" (%s)", inst->id,
                     PQgetvalue(res, row, COL_AT_KID), rc == CM_ENOTFOUND ? "unknown key id" : "authentication failed");
            inst->access_token = NULL;
        }
    }
    return inst;
}

void ob_instance_free(ob_instance_t *inst)
{
    if (inst == NULL)
        return;
    free(inst->user_id);
    free(inst->custom_name);
    free(inst->client_id);
    free(inst->scope);
    free(inst->requested_scopes);
    free(inst->provider_options);
    free(inst->token_type);
    cm_secure_free(inst->access_token, 0);
    if (inst->vend_body != NULL)
        cm_secure_free(inst->vend_body, inst->vend_body_len);
    free(inst->authz_template);
    free(inst);
}

static const char *const oauth_status_names[OB_OAUTH__COUNT] = {"pending", "completed", "failed"};

int ob_oauth_status_parse(const char *name, ob_oauth_status_t *out)
{
    for (int i = 0; name != NULL && i < OB_OAUTH__COUNT; i++) {
        if (strcmp(name, oauth_status_names[i]) == 0) {
            *out = (ob_oauth_status_t)i;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

const char *ob_oauth_status_name(ob_oauth_status_t st)
{
    return (int)st >= 0 && st < OB_OAUTH__COUNT ? oauth_status_names[st] : "?";
}

int ob_status_column(const PGresult *res, int row, int col)
{
    cm_inst_status_t st;
    if (PQgetisnull(res, row, col) || cm_inst_status_parse(PQgetvalue(res, row, col), &st) != CM_OK)
        return -1;
    return (int)st;
}

cm_inst_status_t ob_instance_effective_status(const ob_instance_t *inst, int64_t now)
{
    if (inst->expires_at != 0 && inst->expires_at <= now && inst->status != CM_INST_INACTIVE)
        return CM_INST_EXPIRED;
    return inst->status;
}

json_t *ob_instance_to_json(const ob_instance_t *inst, int64_t now, const char *authorize_url, const char *mcp_url)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "instance_id", json_string(inst->id));
    json_object_set_new(o, "user_id", json_string(inst->user_id));
    json_object_set_new(o, "service", json_string(inst->service));
    json_object_set_new(o, "status", json_string(cm_inst_status_name(ob_instance_effective_status(inst, now))));
    json_object_set_new(o, "oauth_status", json_string(ob_oauth_status_name(inst->oauth_status)));
    json_object_set_new(o, "custom_name", inst->custom_name ? json_string(inst->custom_name) : json_null());
    json_object_set_new(o, "expires_at", inst->expires_at ? json_integer(inst->expires_at) : json_null());
    json_object_set_new(o, "client_id", inst->client_id ? json_string(inst->client_id) : json_null());
    json_object_set_new(o, "scopes", inst->requested_scopes ? json_string(inst->requested_scopes) : json_null());
    json_object_set_new(o, "granted_scope", inst->scope ? json_string(inst->scope) : json_null());
    json_t *opts = inst->provider_options ? json_loads(inst->provider_options, 0, NULL) : NULL;
    json_object_set_new(o, "provider_options", opts ? opts : json_object());
    json_object_set_new(o, "token_expires_at",
                        inst->token_expires_at ? json_integer(inst->token_expires_at) : json_null());
    json_object_set_new(o, "has_refresh_token", json_boolean(inst->has_refresh_token));
    json_object_set_new(o, "usage_count", json_integer(inst->usage_count));
    json_object_set_new(o, "last_used_at", inst->last_used_at ? json_integer(inst->last_used_at) : json_null());
    json_object_set_new(o, "created_at", json_integer(inst->created_at));
    json_object_set_new(o, "updated_at", json_integer(inst->updated_at));
    if (authorize_url != NULL)
        json_object_set_new(o, "authorize_url", json_string(authorize_url));
    if (mcp_url != NULL)
        json_object_set_new(o, "mcp_url", json_string(mcp_url));
    return o;
}
