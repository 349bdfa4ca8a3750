/*
 * keys.c - loading the broker's secrets and checking presented credentials (see keys.h).
 */
#include "keys/keys.h"
#include "keys/keyfile.h"

#include "common/broker_proto.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ob_service_key_derive(const char *service, const void *secret, size_t len, ob_service_key_t *sk)
{
    memset(sk, 0, sizeof(*sk));
    if (service == NULL || strlen(service) >= sizeof(sk->name) || len == 0)
        return CM_EINVAL;
    memcpy(sk->name, service, strlen(service) + 1);
    if (cm_bp_service_keys(secret, len, sk->push_key, sk->bearer_hex) != CM_OK) {
        cm_wipe(sk, sizeof(*sk));
        return CM_EINVAL;
    }
    return CM_OK;
}

static int load_ring(const ob_config_t *cfg, ob_keys_t *k, char *err, size_t errsz)
{
    const char *env = getenv("OB_DATA_KEYS");
    if (env != NULL && *env != '\0') {
        char sub[256];
        int rc = ob_keyring_parse(env, strlen(env), &k->ring, sub, sizeof(sub));
        if (rc != CM_OK)
            snprintf(err, errsz, "OB_DATA_KEYS: %s", sub);
        return rc;
    }
    if (cfg->data_key_file == NULL) {
        snprintf(err, errsz,
                 "no data encryption key: set keys.data_key_file or OB_DATA_KEYS "
                 "(scripts/keys.sh generates one)");
        return CM_EINVAL;
    }
    int rc = ob_keyring_load_file(cfg->data_key_file, &k->ring, err, errsz);
    if (rc == CM_ENOTFOUND)
        snprintf(err, errsz, "no data encryption key: %s does not exist (scripts/keys.sh generates it)",
                 cfg->data_key_file);
    return rc;
}

static int load_admin(const ob_config_t *cfg, ob_keys_t *k, char *err, size_t errsz)
{
    if (cfg->admin_key_sha256 != NULL) {
        size_t n = 0;
        if (strlen(cfg->admin_key_sha256) != 64 ||
            cm_hex_decode(cfg->admin_key_sha256, k->admin_hash, sizeof(k->admin_hash), &n) != CM_OK || n != 32) {
            snprintf(err, errsz, "keys.admin_key_sha256 must be 64 hex chars (the SHA-256 of the admin key)");
            return CM_EINVAL;
        }
        k->admin_configured = 1;
        return CM_OK;
    }
    if (cfg->admin_key_file == NULL) {
        cm_warn("keys", "no admin key configured: the admin API answers 503");
        return CM_OK;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = ob_keyfile_read(cfg->admin_key_file, 4096, &text, &len, err, errsz);
    if (rc == CM_ENOTFOUND) {
        cm_warn("keys", "admin key file %s does not exist: the admin API answers 503", cfg->admin_key_file);
        return CM_OK;
    }
    if (rc != CM_OK)
        return rc;
    cm_sha256(text, len, k->admin_hash);
    cm_secure_free(text, len);
    k->admin_configured = 1;
    return CM_OK;
}

static int load_services(const ob_config_t *cfg, const json_t *services, ob_keys_t *k, char *err, size_t errsz)
{
    size_t n = json_array_size(services);
    if (n == 0)
        return CM_OK;
    if ((k->services = calloc(n, sizeof(*k->services))) == NULL)
        return CM_ENOMEM;
    size_t missing = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_object_get(json_array_get(services, i), "service_name"));
        char path[4096], sub[512], *text = NULL;
        size_t len = 0;
        if (name == NULL || cfg->service_keys_dir == NULL)
            continue;
        snprintf(path, sizeof(path), "%s/%s.secret", cfg->service_keys_dir, name);
        int rc = ob_keyfile_read(path, 4096, &text, &len, sub, sizeof(sub));
        if (rc == CM_ENOTFOUND) {
            missing++;
            cm_debug("keys", "no service secret for %s (%s)", name, path);
            continue;
        }
        if (rc != CM_OK) {
            snprintf(err, errsz, "service secret of %s: %s", name, sub);
            return rc;
        }
        rc = ob_service_key_derive(name, text, len, &k->services[k->n_services]);
        cm_secure_free(text, len);
        if (rc != CM_OK) {
            snprintf(err, errsz, "service secret of %s: key derivation failed", name);
            return rc;
        }
        k->n_services++;
    }
    cm_info("keys", "service secrets: %zu loaded from %s, %zu services without one", k->n_services,
            cfg->service_keys_dir ? cfg->service_keys_dir : "(none)", missing);
    return CM_OK;
}

int ob_keys_load(const ob_config_t *cfg, const json_t *services, ob_keys_t **out, char *err, size_t errsz)
{
    int rc;
    *out = NULL;
    ob_keys_t *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return CM_ENOMEM;
    if ((rc = load_ring(cfg, k, err, errsz)) != CM_OK)
        goto out_free_keys;
    if ((rc = load_admin(cfg, k, err, errsz)) != CM_OK)
        goto out_free_keys;
    if ((rc = load_services(cfg, services, k, err, errsz)) != CM_OK)
        goto out_free_keys;
    cm_info("keys", "data key ring: %zu key(s), newest \"%s\" encrypts", ob_keyring_count(k->ring),
            ob_keyring_primary(k->ring));
    *out = k;
    return CM_OK;

out_free_keys:
    ob_keys_free(k);
    return rc;
}

void ob_keys_free(ob_keys_t *k)
{
    if (k == NULL)
        return;
    ob_keyring_free(k->ring);
    if (k->services != NULL)
        cm_secure_free(k->services, k->n_services ? k->n_services * sizeof(*k->services) : 1);
    cm_wipe(k, sizeof(*k));
    free(k);
}

int ob_keys_admin_ok(const ob_keys_t *k, const char *presented, size_t len)
{
    uint8_t h[32];
    if (k == NULL || !k->admin_configured || presented == NULL || len == 0)
        return 0;
    cm_sha256(presented, len, h);
    int ok = cm_ct_equal(h, sizeof(h), k->admin_hash, sizeof(k->admin_hash));
    cm_wipe(h, sizeof(h));
    return ok;
}

static const ob_service_key_t *find_service(const ob_keys_t *k, const char *service)
{
    if (k == NULL || service == NULL)
        return NULL;
    for (size_t i = 0; i < k->n_services; i++) {
        if (strcmp(k->services[i].name, service) == 0)
            return &k->services[i];
    }
    return NULL;
}

int ob_keys_service_ok(const ob_keys_t *k, const char *service, const char *bearer, size_t len)
{
    const ob_service_key_t *sk = find_service(k, service);
    if (sk == NULL || bearer == NULL)
        return 0;
    return cm_ct_equal(bearer, len, sk->bearer_hex, 64);
}

const uint8_t *ob_keys_push_key(const ob_keys_t *k, const char *service)
{
    const ob_service_key_t *sk = find_service(k, service);
    return sk ? sk->push_key : NULL;
}
