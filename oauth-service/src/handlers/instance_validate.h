/*
 * instance_validate.h - validation of admin API bodies (pure: no I/O, unit-tested).
 *
 * Every failure names the field and maps to one answer: 400 missing_field / invalid_field /
 * unknown_field / invalid_json, 413 field_too_large. Registry checks (unknown or inactive service)
 * are the handler's, since they need the broker.
 */
#ifndef OB_HANDLERS_INSTANCE_VALIDATE_H
#define OB_HANDLERS_INSTANCE_VALIDATE_H

#include <jansson.h>
#include <stdint.h>

#define OB_MAX_USER_ID 256
#define OB_MAX_CLIENT_ID 512
#define OB_MAX_CLIENT_SECRET 4096
#define OB_MAX_SCOPES 2048
#define OB_MAX_CUSTOM_NAME 255
#define OB_MAX_PROVIDER_OPTIONS 4096 /* bytes of compact JSON */
#define OB_MIN_EXPIRES_IN 60
#define OB_MAX_EXPIRES_IN 315360000 /* 10 years */

typedef struct ob_verr {
    int status;        /* 400 or 413 */
    const char *code;  /* stable code */
    const char *field; /* the offending field (static or borrowed from the body) */
    char message[192];
} ob_verr_t;

typedef struct ob_create_req {
    const char *service, *user_id, *client_id, *client_secret; /* borrowed from the body; client_secret NULL for
                                                                  a public client */
    const char *scopes, *custom_name;                          /* borrowed; may be NULL */
    char *provider_options;                                    /* malloc'ed compact JSON ("{}" when absent) */
    int64_t expires_in;                                        /* 0 = none */
} ob_create_req_t;

/* Validates a POST /instances body. public_client: the service's provider uses public clients (client auth
 * "none"), so client_secret is refused instead of required (out->client_secret stays NULL). CM_OK (out filled;
 * free out->provider_options) or CM_EINVAL (err filled). */
int ob_validate_create(const json_t *body, int public_client, ob_create_req_t *out, ob_verr_t *err);

/* Validates a PATCH /instances/{id} body: status ("active"|"inactive") and/or custom_name (string or null).
 * Strings borrowed from body. CM_OK or CM_EINVAL (err filled). */
int ob_validate_patch(const json_t *body, const char **status, int *set_name, const char **custom_name, ob_verr_t *err);

/* CM_OK when body is an object whose keys are all in keys (NULL-terminated), else CM_EINVAL (err: 400
 * invalid_json, or unknown_field naming the key). */
int ob_validate_keys(const json_t *body, const char *const *keys, ob_verr_t *err);

/* 1 when s is 1..max bytes of text without control characters. */
#include <stddef.h>
int ob_text_ok(const char *s, size_t max);

/* 1 when s is a valid space-separated list of RFC 6749 scope tokens (%x21 / %x23-5B / %x5D-7E). */
int ob_scopes_ok(const char *s);

#endif
