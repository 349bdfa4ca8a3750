/*
 * fuzz_sealed_state.c - the sealed OAuth state of the callback (oauth-service/src/oauth/state.c, ob_state_open).
 *
 * Input: mode byte, then bytes.
 *   mode even: the bytes are the state text of ?state=... as it arrives (base64url, header, key id, GCM).
 *   mode odd:  the bytes are a plaintext, sealed here exactly like ob_state_seal does, so the parser
 *              behind the authentication tag is reached. An accepted state must seal and open again
 *              to the same fields.
 */
#include "fuzz.h"

#include "common/crypto.h"
#include "common/status.h"
#include "keys/keyring.h"
#include "oauth/state.h"

#define NOW 1700000000

static ob_keyring_t *kr;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char keys[] = "old 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
                               "k2 ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\n";
    char err[160];
    FZ_CHECK(ob_keyring_parse(keys, sizeof(keys) - 1, &kr, err, sizeof(err)) == CM_OK);
    return 0;
}

/* The state text for a plaintext, sealed under the primary key (the layout of ob_state_seal). */
static char *seal_plaintext(const uint8_t *pt, size_t len)
{
    static const char prefix[] = "ob-state-v1"; /* the AAD is the prefix with its NUL, then the key id */
    const char *kid = ob_keyring_primary(kr);
    size_t kidlen = strlen(kid);
    uint8_t aad[sizeof(prefix) + OB_KEY_ID_MAX], *ct = NULL;
    size_t ctlen = 0;
    const char *used = NULL;
    memcpy(aad, prefix, sizeof(prefix));
    memcpy(aad + sizeof(prefix), kid, kidlen);
    FZ_CHECK(ob_keyring_seal(kr, OB_KEY_STATE, aad, sizeof(prefix) + kidlen, pt, len, &ct, &ctlen, &used) == CM_OK);
    uint8_t *blob = malloc(2 + kidlen + ctlen);
    FZ_CHECK(blob != NULL);
    blob[0] = 0x01;
    blob[1] = (uint8_t)kidlen;
    memcpy(blob + 2, kid, kidlen);
    memcpy(blob + 2 + kidlen, ct, ctlen);
    char *text = cm_b64url_encode(blob, 2 + kidlen + ctlen);
    FZ_CHECK(text != NULL);
    free(blob);
    free(ct);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    int sealed = fz_byte(&in) & 1;
    char *text = sealed ? seal_plaintext(in.p, in.left) : fz_strndup(in.p, in.left);
    ob_state_t st;
    int rc = ob_state_open(kr, text, NOW, &st);
    FZ_CHECK(rc == CM_OK || rc == CM_EINVAL || rc == CM_ETIMEDOUT || rc == CM_ENOTFOUND);
    if (rc == CM_OK) {
        FZ_CHECK(cm_uuid_valid(st.instance_id) && st.provider[0] != '\0' && st.expires_at > NOW);
        char *again = ob_state_seal(kr, &st);
        FZ_CHECK(again != NULL);
        ob_state_t st2;
        FZ_CHECK(ob_state_open(kr, again, NOW, &st2) == CM_OK);
        FZ_CHECK(memcmp(&st, &st2, sizeof(st)) == 0); /* open zeroes the struct first: padding included */
        ob_state_wipe(&st2);
        free(again);
    }
    ob_state_wipe(&st);
    free(text);
    return 0;
}
