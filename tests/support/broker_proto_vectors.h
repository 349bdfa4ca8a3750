/*
 * broker_proto_vectors.h - known answers of the broker <-> MCP server contract (common/broker_proto.h),
 * computed independently of this code (Python hmac/hashlib: HKDF-Extract with no salt, one Expand block;
 * HMAC-SHA256 over "<timestamp>.<body>"). tests/common/test_broker_proto.c checks the module against them, and
 * the broker's test_keys and the runtime's test_mcp_push check each side's use of it against the same bytes.
 */
#ifndef TESTS_SUPPORT_BROKER_PROTO_VECTORS_H
#define TESTS_SUPPORT_BROKER_PROTO_VECTORS_H

/* service secret "s3cret" */
#define BPV_SECRET "s3cret"
#define BPV_PUSH_KEY_HEX "204eb5a949359cfa643323fe8e5fb5f77450a4794c23489db7247ee6dcb2cb9c"
#define BPV_BEARER_HEX "4e2be1a46034c502648228f7cc29c95d2af97d8d66154c429204c6c6422cd8b2"
/* push signed with that push key */
#define BPV_TS "1700000000"
#define BPV_BODY "hello"
#define BPV_SIG "sha256=c2411d5db358e19d0fcd08a18619073d168beafab57498fcd23e6e6c456a9808"
/* the same timestamp, empty body */
#define BPV_SIG_EMPTY "sha256=0760f6f98ed657ef440cc94b30d2e4e16e31a320c2201e5798ecd7a9493c430f"
/* key of 32 bytes 0x01, a push body as the broker sends it */
#define BPV_ONES_TS "1800000000"
#define BPV_ONES_BODY "{\"id\":\"x\",\"events\":[]}"
#define BPV_ONES_SIG "sha256=a776c41f97198c050c9fdb3a608ed93cc4ff30945e299c4f7ef550725a890086"

#endif
