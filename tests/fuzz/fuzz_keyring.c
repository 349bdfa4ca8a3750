/*
 * fuzz_keyring.c - the data key ring text (oauth-service/src/keys/keyring.c: the key file or OB_DATA_KEYS).
 *
 * An accepted ring must seal and open a value under every purpose, and its entries must be listable.
 */
#include "fuzz.h"

#include "common/status.h"
#include "keys/keyring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ob_keyring_t *kr = NULL;
    char err[200];
    int rc = ob_keyring_parse((const char *)data, size, &kr, err, sizeof(err));
    if (rc != CM_OK) {
        FZ_CHECK(kr == NULL && memchr(err, '\0', sizeof(err)) != NULL);
        return 0;
    }
    size_t n = ob_keyring_count(kr);
    FZ_CHECK(n > 0 && n <= OB_KEYRING_MAX);
    for (size_t i = 0; i < n; i++)
        FZ_CHECK(ob_keyring_id_at(kr, i) != NULL && ob_keyring_subkey(kr, ob_keyring_id_at(kr, i), OB_KEY_STATE));
    uint8_t *ct = NULL, *pt = NULL;
    size_t ctlen = 0, ptlen = 0;
    const char *kid = NULL;
    FZ_CHECK(ob_keyring_seal(kr, OB_KEY_CREDENTIALS, "a", 1, "secret", 6, &ct, &ctlen, &kid) == CM_OK);
    FZ_CHECK(strcmp(kid, ob_keyring_primary(kr)) == 0);
    FZ_CHECK(ob_keyring_open(kr, OB_KEY_CREDENTIALS, kid, "a", 1, ct, ctlen, &pt, &ptlen) == CM_OK);
    FZ_CHECK(ptlen == 6 && memcmp(pt, "secret", 6) == 0);
    free(ct);
    free(pt);
    ob_keyring_free(kr);
    return 0;
}
