/*
 * test_keys.c - the key ring (parsing, newest encrypts / all decrypt, purpose sub-keys), secret
 * files (mode 0600, trimming), the admin key check and the service keys of the MCP contract.
 */
#include "broker_proto_vectors.h"
#include "cu.h"

#include "keys/keyfile.h"
#include "keys/keyring.h"
#include "keys/keys.h"

#include "common/broker_proto.h"
#include "common/crypto.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define K1 "0101010101010101010101010101010101010101010101010101010101010101"
#define K2 "0202020202020202020202020202020202020202020202020202020202020202"

static char dir[] = "/tmp/ob-keys-XXXXXX";

static int suite_init(void)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int suite_clean(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text, mode_t mode, char *path, size_t pathsz)
{
    snprintf(path, pathsz, "%s/%s", dir, name);
    unlink(path);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static void test_parse(void)
{
    ob_keyring_t *kr = NULL;
    char err[256];
    const char *text = "# comment\n\n old " K1 "\nnew:" K2 "\n";
    CU_ASSERT_EQUAL_FATAL(ob_keyring_parse(text, strlen(text), &kr, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(ob_keyring_count(kr), 2);
    CU_ASSERT_STRING_EQUAL(ob_keyring_primary(kr), "new");
    CU_ASSERT_STRING_EQUAL(ob_keyring_id_at(kr, 0), "old");
    CU_ASSERT_PTR_NOT_NULL(ob_keyring_subkey(kr, "old", OB_KEY_CREDENTIALS));
    CU_ASSERT_PTR_NULL(ob_keyring_subkey(kr, "nope", OB_KEY_CREDENTIALS));
    /* purposes get different sub-keys, and neither is the raw key */
    const uint8_t *a = ob_keyring_subkey(kr, "new", OB_KEY_CREDENTIALS),
                  *b = ob_keyring_subkey(kr, "new", OB_KEY_STATE);
    CU_ASSERT(memcmp(a, b, 32) != 0);
    uint8_t raw[32];
    memset(raw, 2, sizeof(raw));
    CU_ASSERT(memcmp(a, raw, 32) != 0);
    ob_keyring_free(kr);

    /* the comment scripts/keys.sh writes: ';' and ',' inside a comment line separate nothing */
    const char *gen = "# keys: \"<key id> <64 hex>\"; the last line encrypts, all decrypt.\n  # a, b; c\nk1 " K1 "\n";
    CU_ASSERT_EQUAL_FATAL(ob_keyring_parse(gen, strlen(gen), &kr, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(ob_keyring_count(kr), 1);
    ob_keyring_free(kr);

    /* env style: comma separated */
    const char *env = "a:" K1 ",b:" K2;
    CU_ASSERT_EQUAL_FATAL(ob_keyring_parse(env, strlen(env), &kr, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(ob_keyring_primary(kr), "b");
    ob_keyring_free(kr);
}

static void expect_bad(const char *text, const char *needle)
{
    ob_keyring_t *kr = (ob_keyring_t *)1;
    char err[256] = "";
    CU_ASSERT_EQUAL(ob_keyring_parse(text, strlen(text), &kr, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NULL(kr);
    if (strstr(err, needle) == NULL) {
        fprintf(stderr, "\nexpected \"%s\" in \"%s\"\n", needle, err);
        CU_FAIL("wrong error");
    }
    CU_ASSERT_PTR_NULL(strstr(err, "0101")); /* never key material in errors */
}

/* The parser reads exactly len bytes: nothing past them (a buffer without a NUL), and a NUL inside them is a byte
 * like any other, not a blank. */
static void test_parse_bounds(void)
{
    ob_keyring_t *kr = NULL;
    char err[256];
    size_t n = 70;
    char *ids = malloc(n); /* an id with no separator and no NUL after it */
    CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
    memset(ids, 'k', n);
    CU_ASSERT_EQUAL(ob_keyring_parse(ids, n, &kr, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NULL(kr);
    free(ids);
    static const char with_nul[] = "k1 " K1 "\0";
    CU_ASSERT_EQUAL(ob_keyring_parse(with_nul, sizeof(with_nul), &kr, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NULL(kr);
    static const char nul_first[] = "\0k1 " K1;
    CU_ASSERT_EQUAL(ob_keyring_parse(nul_first, sizeof(nul_first) - 1, &kr, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NULL(kr);
}

static void test_parse_errors(void)
{
    expect_bad("", "no keys");
    expect_bad("# only a comment\n", "no keys");
    expect_bad("k1 0101", "exactly 64 hex");
    expect_bad("k1 " K1 "zz", "exactly 64 hex");
    expect_bad("k1 zz01010101010101010101010101010101010101010101010101010101010101", "not valid hex");
    expect_bad("bad/id " K1, "entry 1");
    expect_bad("k1 " K1 "\nk1 " K2, "duplicate key id");
    expect_bad(K1, "entry 1");
}

static void test_seal_open_rotation(void)
{
    ob_keyring_t *old = NULL, *both = NULL;
    char err[256];
    const char *t1 = "k1 " K1, *t2 = "k1 " K1 "\nk2 " K2;
    CU_ASSERT_EQUAL_FATAL(ob_keyring_parse(t1, strlen(t1), &old, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL_FATAL(ob_keyring_parse(t2, strlen(t2), &both, err, sizeof(err)), CM_OK);
    uint8_t *ct = NULL, *pt = NULL;
    size_t ctlen = 0, ptlen = 0;
    const char *kid = NULL;
    CU_ASSERT_EQUAL_FATAL(ob_keyring_seal(old, OB_KEY_CREDENTIALS, "aad", 3, "secret", 6, &ct, &ctlen, &kid), CM_OK);
    CU_ASSERT_STRING_EQUAL(kid, "k1");
    /* the newer ring still opens what the old key sealed */
    CU_ASSERT_EQUAL(ob_keyring_open(both, OB_KEY_CREDENTIALS, "k1", "aad", 3, ct, ctlen, &pt, &ptlen), CM_OK);
    CU_ASSERT(ptlen == 6 && memcmp(pt, "secret", 6) == 0);
    cm_secure_free(pt, ptlen);
    /* wrong purpose, wrong aad, unknown key id */
    CU_ASSERT_EQUAL(ob_keyring_open(both, OB_KEY_STATE, "k1", "aad", 3, ct, ctlen, &pt, &ptlen), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_keyring_open(both, OB_KEY_CREDENTIALS, "k1", "aaX", 3, ct, ctlen, &pt, &ptlen), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_keyring_open(both, OB_KEY_CREDENTIALS, "k9", "aad", 3, ct, ctlen, &pt, &ptlen), CM_ENOTFOUND);
    free(ct);
    /* the new ring encrypts under the newest key */
    CU_ASSERT_EQUAL_FATAL(ob_keyring_seal(both, OB_KEY_CREDENTIALS, NULL, 0, "x", 1, &ct, &ctlen, &kid), CM_OK);
    CU_ASSERT_STRING_EQUAL(kid, "k2");
    CU_ASSERT_EQUAL(ob_keyring_open(old, OB_KEY_CREDENTIALS, "k2", NULL, 0, ct, ctlen, &pt, &ptlen), CM_ENOTFOUND);
    free(ct);
    ob_keyring_free(old);
    ob_keyring_free(both);
}

static void test_new_line(void)
{
    char line[160], err[256];
    ob_keyring_t *kr = NULL;
    CU_ASSERT_EQUAL_FATAL(ob_keyring_new_line(NULL, line, sizeof(line)), CM_OK);
    CU_ASSERT_EQUAL(line[0], 'k');
    CU_ASSERT_EQUAL_FATAL(ob_keyring_parse(line, strlen(line), &kr, err, sizeof(err)), CM_OK);
    ob_keyring_free(kr);
    CU_ASSERT_EQUAL(ob_keyring_new_line("bad id", line, sizeof(line)), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_keyring_new_line("k", line, 10), CM_EINVAL);
}

static void test_keyfile(void)
{
    char path[256], err[256], *text = NULL;
    size_t len = 0;
    write_file("ok.key", "k1 " K1 "\n\n", 0600, path, sizeof(path));
    CU_ASSERT_EQUAL_FATAL(ob_keyfile_read(path, 4096, &text, &len, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(len, 3 + 64); /* trailing newlines trimmed */
    cm_secure_free(text, len);
    ob_keyring_t *kr = NULL;
    CU_ASSERT_EQUAL(ob_keyring_load_file(path, &kr, err, sizeof(err)), CM_OK);
    ob_keyring_free(kr);

    write_file("open.key", "k1 " K1 "\n", 0644, path, sizeof(path));
    CU_ASSERT_EQUAL(ob_keyfile_read(path, 4096, &text, &len, err, sizeof(err)), CM_EPERM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "0600"));
    CU_ASSERT_PTR_NULL(text);
    write_file("group.key", "k1 " K1 "\n", 0640, path, sizeof(path));
    CU_ASSERT_EQUAL(ob_keyfile_read(path, 4096, &text, &len, err, sizeof(err)), CM_EPERM);
    write_file("empty.key", " \n", 0600, path, sizeof(path));
    CU_ASSERT_EQUAL(ob_keyfile_read(path, 4096, &text, &len, err, sizeof(err)), CM_EINVAL);
    write_file("big.key", "0123456789", 0600, path, sizeof(path));
    CU_ASSERT_EQUAL(ob_keyfile_read(path, 4, &text, &len, err, sizeof(err)), CM_ETOOBIG);
    snprintf(path, sizeof(path), "%s/missing.key", dir);
    CU_ASSERT_EQUAL(ob_keyfile_read(path, 4096, &text, &len, err, sizeof(err)), CM_ENOTFOUND);
    CU_ASSERT_EQUAL(ob_keyring_load_file(dir, &kr, err, sizeof(err)), CM_EPERM); /* a directory */

    /* writing: 0600, parents created, no overwrite unless asked */
    snprintf(path, sizeof(path), "%s/sub/dir/new.key", dir);
    CU_ASSERT_EQUAL_FATAL(ob_keyfile_write(path, "abc\n", 4, 0, err, sizeof(err)), CM_OK);
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_EQUAL(ob_keyfile_write(path, "x", 1, 0, err, sizeof(err)), CM_ECONFLICT);
    CU_ASSERT_EQUAL(ob_keyfile_write(path, "xyz", 3, 1, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(ob_keyfile_read(path, 4096, &text, &len, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(text, "xyz");
    cm_secure_free(text, len);
}

/* The MCP contract's derivation (docs/mcp-broker-protocol.md), checked against RFC 5869 via an independent
 * computation with HMAC: HKDF-Extract with no salt, then one Expand block. */
static void test_service_keys(void)
{
    ob_service_key_t sk;
    const char *secret = "s3cret-of-gmail";
    CU_ASSERT_EQUAL_FATAL(ob_service_key_derive("gmail", secret, strlen(secret), &sk), CM_OK);
    uint8_t zeros[32] = {0}, prk[32], okm[32];
    char info[64], hex[65];
    cm_hmac_sha256(zeros, 32, secret, strlen(secret), prk);
    size_t n = (size_t)snprintf(info, sizeof(info), "%s", CM_BP_BEARER_LABEL);
    info[n] = 0x01;
    cm_hmac_sha256(prk, 32, info, n + 1, okm);
    cm_hex_encode(okm, 32, hex, sizeof(hex));
    CU_ASSERT_STRING_EQUAL(sk.bearer_hex, hex);
    n = (size_t)snprintf(info, sizeof(info), "%s", CM_BP_PUSH_KEY_LABEL);
    info[n] = 0x01;
    cm_hmac_sha256(prk, 32, info, n + 1, okm);
    CU_ASSERT(memcmp(sk.push_key, okm, 32) == 0);
    CU_ASSERT_EQUAL(ob_service_key_derive("gmail", secret, 0, &sk), CM_EINVAL);
    /* the shared known answers: the bearer the runtime sends and the push signature it checks */
    char sig[CM_BP_SIG_LEN];
    CU_ASSERT_EQUAL_FATAL(ob_service_key_derive("gmail", BPV_SECRET, strlen(BPV_SECRET), &sk), CM_OK);
    CU_ASSERT_STRING_EQUAL(sk.bearer_hex, BPV_BEARER_HEX);
    CU_ASSERT_EQUAL_FATAL(
        cm_bp_push_sign(sk.push_key, BPV_TS, strlen(BPV_TS), BPV_BODY, strlen(BPV_BODY), sig, sizeof(sig)), CM_OK);
    CU_ASSERT_STRING_EQUAL(sig, BPV_SIG);
}

static void test_load_all(void)
{
    char path[256], err[512];
    ob_config_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    write_file("ring.keys", "k1 " K1 "\nk2 " K2 "\n", 0600, path, sizeof(path));
    cfg.data_key_file = strdup(path);
    write_file("admin.key", "the-admin-key\n", 0600, path, sizeof(path));
    cfg.admin_key_file = strdup(path);
    snprintf(path, sizeof(path), "%s/services", dir);
    mkdir(path, 0700);
    cfg.service_keys_dir = strdup(path);
    write_file("services/gmail.secret", "gmail-secret\n", 0600, path, sizeof(path));
    write_file("services/github.secret", "github-secret", 0600, path, sizeof(path));
    json_t *services =
        json_pack("[{s:s},{s:s},{s:s}]", "service_name", "gmail", "service_name", "github", "service_name", "slack");
    unsetenv("OB_DATA_KEYS");
    ob_keys_t *k = NULL;
    CU_ASSERT_EQUAL_FATAL(ob_keys_load(&cfg, services, &k, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(ob_keyring_primary(k->ring), "k2");
    CU_ASSERT_TRUE(ob_keys_admin_ok(k, "the-admin-key", 13));
    CU_ASSERT_FALSE(ob_keys_admin_ok(k, "the-admin-kez", 13));
    CU_ASSERT_FALSE(ob_keys_admin_ok(k, "the-admin-key\n", 14));
    CU_ASSERT_FALSE(ob_keys_admin_ok(k, "", 0));
    CU_ASSERT_EQUAL(k->n_services, 2); /* slack has no secret file */
    ob_service_key_t sk;
    ob_service_key_derive("gmail", "gmail-secret", 12, &sk);
    CU_ASSERT_TRUE(ob_keys_service_ok(k, "gmail", sk.bearer_hex, 64));
    CU_ASSERT_FALSE(ob_keys_service_ok(k, "github", sk.bearer_hex, 64)); /* another service's bearer */
    CU_ASSERT_FALSE(ob_keys_service_ok(k, "slack", sk.bearer_hex, 64));
    CU_ASSERT_FALSE(ob_keys_service_ok(k, "gmail", sk.bearer_hex, 63));
    CU_ASSERT_PTR_NOT_NULL(ob_keys_push_key(k, "github"));
    CU_ASSERT_PTR_NULL(ob_keys_push_key(k, "slack"));
    ob_keys_free(k);

    /* the admin key as a configured hash */
    char hex[65];
    cm_sha256_hex("other-admin", 11, hex, sizeof(hex));
    cfg.admin_key_sha256 = strdup(hex);
    CU_ASSERT_EQUAL_FATAL(ob_keys_load(&cfg, services, &k, err, sizeof(err)), CM_OK);
    CU_ASSERT_TRUE(ob_keys_admin_ok(k, "other-admin", 11));
    CU_ASSERT_FALSE(ob_keys_admin_ok(k, "the-admin-key", 13));
    ob_keys_free(k);

    /* env wins over the file */
    setenv("OB_DATA_KEYS", "envkey:" K1, 1);
    CU_ASSERT_EQUAL_FATAL(ob_keys_load(&cfg, services, &k, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(ob_keyring_primary(k->ring), "envkey");
    ob_keys_free(k);
    setenv("OB_DATA_KEYS", "garbage", 1);
    CU_ASSERT_EQUAL(ob_keys_load(&cfg, services, &k, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "OB_DATA_KEYS"));
    unsetenv("OB_DATA_KEYS");

    /* refuses to start without a data key; refuses a readable key file */
    free(cfg.data_key_file);
    snprintf(path, sizeof(path), "%s/nothing.keys", dir);
    cfg.data_key_file = strdup(path);
    CU_ASSERT_EQUAL(ob_keys_load(&cfg, services, &k, err, sizeof(err)), CM_ENOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no data encryption key"));
    write_file("open.keys", "k1 " K1 "\n", 0644, path, sizeof(path));
    free(cfg.data_key_file);
    cfg.data_key_file = strdup(path);
    CU_ASSERT_EQUAL(ob_keys_load(&cfg, services, &k, err, sizeof(err)), CM_EPERM);
    /* a readable service secret is refused too */
    write_file("ring.keys", "k1 " K1 "\n", 0600, path, sizeof(path));
    free(cfg.data_key_file);
    cfg.data_key_file = strdup(path);
    write_file("services/gmail.secret", "gmail-secret\n", 0644, path, sizeof(path));
    CU_ASSERT_EQUAL(ob_keys_load(&cfg, services, &k, err, sizeof(err)), CM_EPERM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "gmail"));

    json_decref(services);
    free(cfg.data_key_file);
    free(cfg.admin_key_file);
    free(cfg.admin_key_sha256);
    free(cfg.service_keys_dir);
}

void tests_register(void)
{
    CU_SUITE("keys", suite_init, suite_clean, {"key ring parsing", test_parse}, {"parse errors", test_parse_errors},
             {"parse reads only len bytes", test_parse_bounds}, {"seal/open across rotation", test_seal_open_rotation},
             {"new key line", test_new_line}, {"secret files", test_keyfile},
             {"service keys (MCP contract)", test_service_keys}, {"loading everything", test_load_all});
}
