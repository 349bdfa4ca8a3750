/*
 * input_state.c - the requestState of 2026-07-28 input_required results: the answers a handler read so far, sealed
 * with HMAC-SHA256 under a server key and bound to the instance, the tool or prompt, its arguments and an expiry, so
 * that the client's retry can carry them back and nothing it altered is believed.
 *
 * Wire form: base64url(payload JSON) "." base64url(HMAC(key, first part)); payload
 * {"v":1, "t": target, "i": instance, "h": SHA-256 of the canonical arguments (hex), "e": expiry (unix s),
 *  "r": {key: answer}}.
 */
#include "common/crypto.h"
#include "common/status.h"
#include "features/input.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hex SHA-256 of args in a canonical form (sorted keys, compact; absent = {}). */
static int args_hash(const json_t *args, char out[CM_SHA256_LEN * 2 + 1])
{
    json_t *empty = json_object();
    char *text = json_dumps(json_is_object(args) ? args : empty, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(empty);
    if (text == NULL)
        return CM_ENOMEM;
    cm_sha256_hex(text, strlen(text), out, CM_SHA256_LEN * 2 + 1);
    free(text);
    return CM_OK;
}

static char *seal(const uint8_t key[MCP_INPUT_STATE_KEY_LEN], json_t *payload, size_t max_bytes, char *err,
                  size_t errsz)
{
    char *text = json_dumps(payload, JSON_COMPACT);
    char *body = text ? cm_b64url_encode(text, strlen(text)) : NULL;
    uint8_t mac[CM_SHA256_LEN];
    char *mac64 = NULL, *out = NULL;
    free(text);
    if (body == NULL || cm_hmac_sha256(key, MCP_INPUT_STATE_KEY_LEN, body, strlen(body), mac) != CM_OK ||
        (mac64 = cm_b64url_encode(mac, sizeof(mac))) == NULL) {
        snprintf(err, errsz, "out of memory");
        goto out_free;
    }
    size_t n = strlen(body) + 1 + strlen(mac64) + 1;
    if (n - 1 > max_bytes) {
        snprintf(err, errsz, "the answers collected exceed the request state limit of %zu bytes", max_bytes);
        goto out_free;
    }
    if ((out = malloc(n)) != NULL)
        snprintf(out, n, "%s.%s", body, mac64);
    else
        snprintf(err, errsz, "out of memory");
out_free:
    free(body);
    free(mac64);
    return out;
}

/* The payload of a state whose MAC verifies (new reference), or NULL. */
static json_t *unseal(const uint8_t key[MCP_INPUT_STATE_KEY_LEN], const char *state)
{
    const char *dot = strrchr(state, '.');
    uint8_t mac[CM_SHA256_LEN];
    size_t mac_len = 0, len = 0;
    if (dot == NULL || cm_hmac_sha256(key, MCP_INPUT_STATE_KEY_LEN, state, (size_t)(dot - state), mac) != CM_OK)
        return NULL;
    uint8_t *given = cm_b64url_decode(dot + 1, strlen(dot + 1), &mac_len);
    int ok = given != NULL && cm_ct_equal(given, mac_len, mac, sizeof(mac));
    free(given);
    if (!ok)
        return NULL;
    uint8_t *text = cm_b64url_decode(state, (size_t)(dot - state), &len);
    json_t *payload = text ? json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free(text);
    return payload;
}

int mcp__input_from_request(mcp__input_t *in, const uint8_t key[MCP_INPUT_STATE_KEY_LEN], json_t *params,
                            const char *target, const char *instance, const json_t *args, char *err, size_t errsz)
{
    json_t *responses = json_object_get(params, "inputResponses");
    json_t *state = json_object_get(params, "requestState");
    if (state != NULL && !json_is_null(state)) {
        char hash[CM_SHA256_LEN * 2 + 1];
        json_t *payload = json_is_string(state) ? unseal(key, json_string_value(state)) : NULL;
        const char *t = json_string_value(json_object_get(payload, "t"));
        const char *i = json_string_value(json_object_get(payload, "i"));
        const char *h = json_string_value(json_object_get(payload, "h"));
        int ok = payload != NULL && json_integer_value(json_object_get(payload, "v")) == 1 && t != NULL &&
                 strcmp(t, target) == 0 && i != NULL && strcmp(i, instance) == 0 && h != NULL &&
                 args_hash(args, hash) == CM_OK && strcmp(h, hash) == 0;
        if (ok && json_integer_value(json_object_get(payload, "e")) < mcp__unix_now()) {
            json_decref(payload);
            snprintf(err, errsz, "requestState has expired: call again without it");
            return -1;
        }
        int rc = ok ? mcp__input_add_responses(in, json_object_get(payload, "r"), err, errsz) : CM_EINVAL;
        json_decref(payload);
        if (!ok) {
            snprintf(err, errsz, "requestState failed its integrity check (altered, or issued for another request)");
            return -1;
        }
        if (rc != CM_OK)
            return -1;
    }
    if (json_object_get(params, "inputResponses") != NULL &&
        mcp__input_add_responses(in, responses, err, errsz) != CM_OK)
        return -1;
    return 0;
}

json_t *mcp__input_required_result(const mcp__input_t *in, const uint8_t key[MCP_INPUT_STATE_KEY_LEN],
                                   const char *target, const char *instance, const json_t *args, int ttl_s,
                                   size_t max_bytes, char *err, size_t errsz)
{
    char hash[CM_SHA256_LEN * 2 + 1];
    if (args_hash(args, hash) != CM_OK) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    json_t *payload = json_pack("{s:i, s:s, s:s, s:s, s:I, s:O}", "v", 1, "t", target, "i", instance, "h", hash, "e",
                                (json_int_t)(mcp__unix_now() + ttl_s), "r", in->used);
    char *state = payload ? seal(key, payload, max_bytes, err, errsz) : NULL;
    json_decref(payload);
    if (state == NULL)
        return NULL;
    json_t *result =
        json_pack("{s:s, s:O, s:s}", "resultType", "input_required", "inputRequests", in->asked, "requestState", state);
    free(state);
    if (result == NULL)
        snprintf(err, errsz, "out of memory");
    return result;
}
