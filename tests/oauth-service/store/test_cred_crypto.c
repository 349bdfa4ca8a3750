/*
 * test_cred_crypto.c - credential fields at rest: round trip, bytea text, and the associated data
 * binding a ciphertext to its row and column (a moved ciphertext fails).
 */
#include "cu.h"

#include "store/cred_crypto.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#define K1 "0101010101010101010101010101010101010101010101010101010101010101"
#define K2 "0202020202020202020202020202020202020202020202020202020202020202"
#define ID1 "6f1c2f8e-3a8b-4c1e-9d2a-1b2c3d4e5f60"
#define ID2 "6f1c2f8e-3a8b-4c1e-9d2a-1b2c3d4e5f61"

static ob_keyring_t *ring(const char *text)
{
    ob_keyring_t *kr = NULL;
    char err[128];
    CU_ASSERT_EQUAL(ob_keyring_parse(text, strlen(text), &kr, err, sizeof(err)), CM_OK);
    return kr;
}

static void test_round_trip(void)
{
    ob_keyring_t *kr = ring("k1 " K1);
    char *hex = NULL, *out = NULL;
    size_t outlen = 0;
    const char *kid = NULL;
    const char *tok = "ya29.a0AfH6SMB-access-token";
    CU_ASSERT_EQUAL_FATAL(ob_cred_seal(kr, ID1, OB_FIELD_ACCESS_TOKEN, tok, strlen(tok), &hex, &kid), CM_OK);
    CU_ASSERT_STRING_EQUAL(kid, "k1");
    CU_ASSERT(strncmp(hex, "\\x", 2) == 0);
    CU_ASSERT_EQUAL(strlen(hex), 2 + 2 * (strlen(tok) + 28));
    CU_ASSERT_PTR_NULL(strstr(hex, "ya29"));
    CU_ASSERT_EQUAL_FATAL(ob_cred_open(kr, ID1, OB_FIELD_ACCESS_TOKEN, "k1", hex, &out, &outlen), CM_OK);
    CU_ASSERT_STRING_EQUAL(out, tok);
    cm_secure_free(out, outlen);
    /* the instance id is compared case-insensitively (uuid text from PostgreSQL is lowercase) */
    CU_ASSERT_EQUAL(
        ob_cred_open(kr, "6F1C2F8E-3A8B-4C1E-9D2A-1B2C3D4E5F60", OB_FIELD_ACCESS_TOKEN, "k1", hex, &out, &outlen),
        CM_OK);
    cm_secure_free(out, outlen);
    /* two seals of the same value differ (random IV) */
    char *hex2 = NULL;
    CU_ASSERT_EQUAL(ob_cred_seal(kr, ID1, OB_FIELD_ACCESS_TOKEN, tok, strlen(tok), &hex2, &kid), CM_OK);
    CU_ASSERT(strcmp(hex, hex2) != 0);
    free(hex2);
    free(hex);
    ob_keyring_free(kr);
}

static void test_binding(void)
{
    ob_keyring_t *kr = ring("k1 " K1 "\nk2 " K2);
    char *hex = NULL, *out = NULL;
    size_t outlen = 0;
    const char *kid = NULL;
    CU_ASSERT_EQUAL_FATAL(ob_cred_seal(kr, ID1, OB_FIELD_REFRESH_TOKEN, "1//refresh", 10, &hex, &kid), CM_OK);
    CU_ASSERT_STRING_EQUAL(kid, "k2");
    /* moved to another row */
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID2, OB_FIELD_REFRESH_TOKEN, kid, hex, &out, &outlen), CM_EINVAL);
    /* moved to another column */
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_ACCESS_TOKEN, kid, hex, &out, &outlen), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_CLIENT_SECRET, kid, hex, &out, &outlen), CM_EINVAL);
    /* labelled with the wrong key id, or an unknown one */
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_REFRESH_TOKEN, "k1", hex, &out, &outlen), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_REFRESH_TOKEN, "k3", hex, &out, &outlen), CM_ENOTFOUND);
    /* any flipped bit */
    size_t n = strlen(hex);
    for (size_t i = 2; i < n; i += 7) {
        char saved = hex[i];
        hex[i] = saved == '0' ? '1' : '0';
        CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_REFRESH_TOKEN, kid, hex, &out, &outlen), CM_EINVAL);
        hex[i] = saved;
    }
    /* truncated, malformed */
    hex[n - 2] = '\0';
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_REFRESH_TOKEN, kid, hex, &out, &outlen), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_REFRESH_TOKEN, kid, "0a0b", &out, &outlen), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_REFRESH_TOKEN, kid, "\\x0", &out, &outlen), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_cred_open(kr, ID1, OB_FIELD_REFRESH_TOKEN, kid, "\\xzz", &out, &outlen), CM_EINVAL);
    CU_ASSERT_PTR_NULL(out);
    free(hex);
    ob_keyring_free(kr);
}

static void test_limits(void)
{
    ob_keyring_t *kr = ring("k1 " K1);
    char *hex = NULL;
    const char *kid = NULL;
    char *big = calloc(1, OB_CRED_MAX_VALUE + 2);
    memset(big, 'a', OB_CRED_MAX_VALUE + 1);
    CU_ASSERT_EQUAL(ob_cred_seal(kr, ID1, OB_FIELD_ACCESS_TOKEN, big, OB_CRED_MAX_VALUE + 1, &hex, &kid), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_cred_seal(kr, ID1, OB_FIELD_ACCESS_TOKEN, big, OB_CRED_MAX_VALUE, &hex, &kid), CM_OK);
    free(hex);
    free(big);
    CU_ASSERT_EQUAL(ob_cred_seal(NULL, ID1, OB_FIELD_ACCESS_TOKEN, "x", 1, &hex, &kid), CM_EINVAL);
    size_t n = 0;
    unsigned char *raw = ob_bytea_decode("\\x00ff", &n);
    CU_ASSERT(raw != NULL && n == 2 && raw[1] == 0xff);
    free(raw);
    char *enc = ob_bytea_encode((const unsigned char *)"\x01\xab", 2);
    CU_ASSERT_STRING_EQUAL(enc, "\\x01ab");
    free(enc);
    ob_keyring_free(kr);
}

void tests_register(void)
{
    CU_SUITE("cred_crypto", NULL, NULL, {"round trip", test_round_trip}, {"row and column binding", test_binding},
             {"limits and bytea text", test_limits});
}
