/*
 * test_instance_status.c - the broker's status enums at the database/JSON edge: oauth_status names, the instance
 * status that applies now.
 */
#include "cu.h"

#include "store/instance.h"

#include "common/status.h"

#include <string.h>

static void test_oauth_status_names(void)
{
    static const char *const names[] = {"pending", "completed", "failed"};
    for (int i = 0; i < 3; i++) {
        ob_oauth_status_t st = OB_OAUTH__COUNT;
        CU_ASSERT_EQUAL(ob_oauth_status_parse(names[i], &st), CM_OK);
        CU_ASSERT_EQUAL((int)st, i);
        CU_ASSERT_STRING_EQUAL(ob_oauth_status_name(st), names[i]);
    }
    ob_oauth_status_t st = OB_OAUTH_PENDING;
    CU_ASSERT_EQUAL(ob_oauth_status_parse("Completed", &st), CM_EINVAL); /* exact names only */
    CU_ASSERT_EQUAL(ob_oauth_status_parse("", &st), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_oauth_status_parse(NULL, &st), CM_EINVAL);
    CU_ASSERT_EQUAL(st, OB_OAUTH_PENDING); /* untouched on failure */
    CU_ASSERT_STRING_EQUAL(ob_oauth_status_name(OB_OAUTH__COUNT), "?");
}

static void test_effective_status(void)
{
    ob_instance_t inst;
    memset(&inst, 0, sizeof(inst));
    inst.status = CM_INST_ACTIVE;
    CU_ASSERT_EQUAL(ob_instance_effective_status(&inst, 1000), CM_INST_ACTIVE); /* no lifetime */
    inst.expires_at = 2000;
    CU_ASSERT_EQUAL(ob_instance_effective_status(&inst, 1999), CM_INST_ACTIVE);
    CU_ASSERT_EQUAL(ob_instance_effective_status(&inst, 2000), CM_INST_EXPIRED);
    inst.status = CM_INST_NEEDS_REAUTH;
    CU_ASSERT_EQUAL(ob_instance_effective_status(&inst, 3000), CM_INST_EXPIRED);
    inst.status = CM_INST_INACTIVE; /* an administrator's decision outlives the clock */
    CU_ASSERT_EQUAL(ob_instance_effective_status(&inst, 3000), CM_INST_INACTIVE);
}

void tests_register(void)
{
    CU_SUITE("instance status", NULL, NULL, {"oauth_status names", test_oauth_status_names},
             {"effective status", test_effective_status});
}
