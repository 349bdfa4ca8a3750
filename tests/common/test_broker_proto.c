/* test_broker_proto.c - the shared broker <-> MCP server contract against known answers (broker_proto_vectors.h). */
#include "broker_proto_vectors.h"
#include "common/broker_proto.h"
#include "common/crypto.h"
#include "common/status.h"
#include "cu.h"

#include <stdint.h>
#include <string.h>

static void push_key(uint8_t key[CM_BP_KEY_LEN])
{
    size_t n = 0;
    CU_ASSERT_EQUAL_FATAL(cm_hex_decode(BPV_PUSH_KEY_HEX, key, CM_BP_KEY_LEN, &n), CM_OK);
    CU_ASSERT_EQUAL_FATAL(n, CM_BP_KEY_LEN);
}

static void test_labels(void)
{
    /* the labels are on the wire of both sides: changing one breaks every deployed MCP server */
    CU_ASSERT_STRING_EQUAL(CM_BP_PUSH_KEY_LABEL, "mcp-push-v1");
    CU_ASSERT_STRING_EQUAL(CM_BP_BEARER_LABEL, "mcp-service-bearer-v1");
    CU_ASSERT_STRING_EQUAL(CM_BP_HDR_TIMESTAMP, "X-Broker-Timestamp");
    CU_ASSERT_STRING_EQUAL(CM_BP_HDR_SIGNATURE, "X-Broker-Signature");
}

static void test_derivation(void)
{
    uint8_t key[CM_BP_KEY_LEN], want[CM_BP_KEY_LEN];
    char hex[CM_BP_BEARER_HEX_LEN];
    push_key(want);
    CU_ASSERT_EQUAL_FATAL(cm_bp_service_keys(BPV_SECRET, strlen(BPV_SECRET), key, hex), CM_OK);
    CU_ASSERT_EQUAL(memcmp(key, want, sizeof(key)), 0);
    CU_ASSERT_STRING_EQUAL(hex, BPV_BEARER_HEX);
    CU_ASSERT_EQUAL_FATAL(cm_bp_derive_key(BPV_SECRET, strlen(BPV_SECRET), CM_BP_PUSH_KEY_LABEL, key), CM_OK);
    CU_ASSERT_EQUAL(memcmp(key, want, sizeof(key)), 0);
    /* RFC 5869 test case 3 (no salt, no info) pins the construction */
    uint8_t ikm[22];
    memset(ikm, 0x0b, sizeof(ikm));
    CU_ASSERT_EQUAL_FATAL(cm_bp_derive_key(ikm, sizeof(ikm), "", key), CM_OK);
    static const uint8_t tc3[8] = {0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f};
    CU_ASSERT_EQUAL(memcmp(key, tc3, sizeof(tc3)), 0);
    /* no secret, no keys; the outputs are wiped */
    memset(hex, 'x', sizeof(hex));
    CU_ASSERT_EQUAL(cm_bp_service_keys("", 0, key, hex), CM_EINVAL);
    CU_ASSERT_EQUAL(hex[0], '\0');
    CU_ASSERT_EQUAL(cm_bp_derive_key(NULL, 3, CM_BP_PUSH_KEY_LABEL, key), CM_EINVAL);
}

static void test_sign(void)
{
    uint8_t key[CM_BP_KEY_LEN];
    char sig[CM_BP_SIG_LEN];
    push_key(key);
    CU_ASSERT_EQUAL_FATAL(cm_bp_push_sign(key, BPV_TS, strlen(BPV_TS), BPV_BODY, strlen(BPV_BODY), sig, sizeof(sig)),
                          CM_OK);
    CU_ASSERT_STRING_EQUAL(sig, BPV_SIG);
    CU_ASSERT_EQUAL_FATAL(cm_bp_push_sign(key, BPV_TS, strlen(BPV_TS), NULL, 0, sig, sizeof(sig)), CM_OK);
    CU_ASSERT_STRING_EQUAL(sig, BPV_SIG_EMPTY);
    memset(key, 1, sizeof(key));
    CU_ASSERT_EQUAL_FATAL(
        cm_bp_push_sign(key, BPV_ONES_TS, strlen(BPV_ONES_TS), BPV_ONES_BODY, strlen(BPV_ONES_BODY), sig, sizeof(sig)),
        CM_OK);
    CU_ASSERT_STRING_EQUAL(sig, BPV_ONES_SIG);
    CU_ASSERT_EQUAL(cm_bp_push_sign(key, "1", 1, "{}", 2, sig, CM_BP_SIG_LEN - 1), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_bp_push_sign(key, "1", 1, NULL, 2, sig, sizeof(sig)), CM_EINVAL);
}

static int check(const uint8_t *key, const char *ts, const char *sig, const char *body)
{
    return cm_bp_push_check(key, ts, strlen(ts), sig, sig ? strlen(sig) : 0, body, strlen(body));
}

static void test_check(void)
{
    uint8_t key[CM_BP_KEY_LEN];
    push_key(key);
    CU_ASSERT_EQUAL(check(key, BPV_TS, BPV_SIG, BPV_BODY), CM_OK);
    /* hex in any case is the same signature */
    char upper[CM_BP_SIG_LEN];
    memcpy(upper, BPV_SIG, sizeof(upper));
    for (size_t i = 7; upper[i] != '\0'; i++)
        upper[i] = (char)(upper[i] >= 'a' && upper[i] <= 'f' ? upper[i] - 'a' + 'A' : upper[i]);
    CU_ASSERT_EQUAL(check(key, BPV_TS, upper, BPV_BODY), CM_OK);
    /* another timestamp, body or key: a well-formed signature that does not match */
    CU_ASSERT_EQUAL(check(key, "1700000001", BPV_SIG, BPV_BODY), CM_EPERM);
    CU_ASSERT_EQUAL(check(key, BPV_TS, BPV_SIG, "hellO"), CM_EPERM);
    CU_ASSERT_EQUAL(check(key, BPV_TS, BPV_SIG_EMPTY, BPV_BODY), CM_EPERM);
    key[31] ^= 1;
    CU_ASSERT_EQUAL(check(key, BPV_TS, BPV_SIG, BPV_BODY), CM_EPERM);
    /* not sha256=<64 hex> */
    CU_ASSERT_EQUAL(check(key, BPV_TS, NULL, BPV_BODY), CM_EINVAL);
    CU_ASSERT_EQUAL(check(key, BPV_TS, BPV_SIG + 7, BPV_BODY), CM_EINVAL);
    CU_ASSERT_EQUAL(check(key, BPV_TS, "sha256=abc", BPV_BODY), CM_EINVAL);
    CU_ASSERT_EQUAL(
        check(key, BPV_TS, "sha1=c2411d5db358e19d0fcd08a18619073d168beafab57498fcd23e6e6c456a9808aa", BPV_BODY),
        CM_EINVAL);
    CU_ASSERT_EQUAL(
        check(key, BPV_TS, "sha256=g2411d5db358e19d0fcd08a18619073d168beafab57498fcd23e6e6c456a9808", BPV_BODY),
        CM_EINVAL);
    /* a NUL inside the hex digits */
    char nul[CM_BP_SIG_LEN];
    memcpy(nul, BPV_SIG, sizeof(nul));
    nul[20] = '\0';
    CU_ASSERT_EQUAL(cm_bp_push_check(key, BPV_TS, strlen(BPV_TS), nul, CM_BP_SIG_LEN - 1, "hello", 5), CM_EINVAL);
}

static void test_timestamp(void)
{
    int64_t ts = -1;
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp(BPV_TS, strlen(BPV_TS), &ts), CM_OK);
    CU_ASSERT_EQUAL(ts, 1700000000);
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp("999999999999", 12, &ts), CM_OK);
    CU_ASSERT_EQUAL(ts, 999999999999LL);
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp("1700000000", 4, &ts), CM_OK); /* only len bytes count */
    CU_ASSERT_EQUAL(ts, 1700);
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp("1000000000000", 13, &ts), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp("", 0, &ts), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp(NULL, 3, &ts), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp("-170", 4, &ts), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp("17 0", 4, &ts), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_bp_parse_timestamp("+170", 4, &ts), CM_EINVAL);
}

static void test_inst_status(void)
{
    static const char *const names[] = {"active", "inactive", "expired", "needs_reauth", "deleted"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        cm_inst_status_t st = CM_INST__COUNT;
        CU_ASSERT_EQUAL(cm_inst_status_parse(names[i], &st), CM_OK);
        CU_ASSERT_STRING_EQUAL(cm_inst_status_name(st), names[i]);
    }
    cm_inst_status_t st = CM_INST_EXPIRED;
    CU_ASSERT_EQUAL(cm_inst_status_parse("Active", &st), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_inst_status_parse("active ", &st), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_inst_status_parse("", &st), CM_EINVAL);
    CU_ASSERT_EQUAL(cm_inst_status_parse(NULL, &st), CM_EINVAL);
    CU_ASSERT_EQUAL(st, CM_INST_EXPIRED); /* untouched on failure */
    CU_ASSERT_STRING_EQUAL(cm_inst_status_name(CM_INST__COUNT), "unknown");
    CU_ASSERT_STRING_EQUAL(cm_inst_status_name((cm_inst_status_t)-1), "unknown");
}

void tests_register(void)
{
    CU_SUITE("broker protocol", NULL, NULL, {"wire labels", test_labels}, {"purpose keys", test_derivation},
             {"push signature", test_sign}, {"push signature check", test_check}, {"push timestamp", test_timestamp},
             {"instance status names", test_inst_status});
}
