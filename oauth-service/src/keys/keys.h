/*
 * keys.h - every secret the broker holds besides the per-instance data (see the keys table in
 * architecture-brief.md): the data key ring, the admin key (as a SHA-256 hash) and the service
 * secrets shared with each MCP server.
 *
 * Service secrets: one file per service, <services_dir>/<service>.secret (mode 0600), read exactly
 * as the MCP runtime reads MCP_SERVICE_SECRET_FILE (trailing whitespace trimmed, raw bytes as HKDF
 * input). The purpose keys (service bearer, push key) are derived as common/broker_proto.h says, the
 * same code the MCP runtime runs.
 *
 * Loading reads files (blocking): call at start-up only. The result is immutable afterwards.
 */
#ifndef OB_KEYS_KEYS_H
#define OB_KEYS_KEYS_H

#include "common/broker_proto.h"
#include "config/config.h"
#include "keys/keyring.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ob_service_key {
    char name[65];
    uint8_t push_key[CM_BP_KEY_LEN];
    char bearer_hex[CM_BP_BEARER_HEX_LEN];
} ob_service_key_t;

typedef struct ob_keys {
    ob_keyring_t *ring;
    int admin_configured;
    uint8_t admin_hash[32];
    ob_service_key_t *services;
    size_t n_services;
} ob_keys_t;

/*
 * Loads the key ring (env OB_DATA_KEYS wins over cfg->data_key_file), the admin key hash
 * (cfg->admin_key_sha256, else the SHA-256 of cfg->admin_key_file's content; none = admin API off)
 * and the secret of every service in `services` (registry rows with "service_name") found in
 * cfg->service_keys_dir (missing files are logged: that service cannot call the broker).
 * Refuses (CM_EINVAL/CM_EPERM/...) without a data key: the broker never stores plaintext.
 * On success *out is the caller's (ob_keys_free).
 */
int ob_keys_load(const ob_config_t *cfg, const json_t *services, ob_keys_t **out, char *err, size_t errsz);
void ob_keys_free(ob_keys_t *k);

/* Derives a service's keys from its secret bytes into *sk (name copied). CM_OK or CM_EINVAL. */
int ob_service_key_derive(const char *service, const void *secret, size_t len, ob_service_key_t *sk);

/* 1 when presented is the admin key (SHA-256 compared in constant time), else 0 (also when none is configured). */
int ob_keys_admin_ok(const ob_keys_t *k, const char *presented, size_t len);
/* 1 when bearer is `service`'s service bearer (constant-time), else 0. */
int ob_keys_service_ok(const ob_keys_t *k, const char *service, const char *bearer, size_t len);
/* The push key of a service (32 bytes, borrowed), or NULL when its secret is not loaded. */
const uint8_t *ob_keys_push_key(const ob_keys_t *k, const char *service);

#endif
