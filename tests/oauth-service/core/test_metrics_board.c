/*
 * test_metrics_board.c - the workers' metrics board: what a forked child publishes is read by its parent, each slot
 * apart; nothing published -> not found; too large -> refused, the previous text kept; a new text replaces it.
 */
#include "cu.h"

#include "core/metrics_board.h"

#include "common/status.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_publish_across_fork(void)
{
    ob_metrics_board_t *b = ob_metrics_board_new(3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(ob_metrics_board_slots(b), 3);
    char *text = NULL;
    int64_t age = -1;
    CU_ASSERT_EQUAL(ob_metrics_board_read(b, 1, &text, &age), CM_ENOTFOUND);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) /* the child publishes into slot 1 of the shared board */
        _exit(ob_metrics_board_publish(b, 1, "up{} 1\n", 7) == CM_OK ? 0 : 1);
    int status = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_EQUAL_FATAL(ob_metrics_board_read(b, 1, &text, &age), CM_OK);
    CU_ASSERT_STRING_EQUAL(text, "up{} 1\n");
    CU_ASSERT(age >= 0 && age < 5000);
    free(text);
    CU_ASSERT_EQUAL(ob_metrics_board_read(b, 0, &text, &age), CM_ENOTFOUND);
    CU_ASSERT_EQUAL(ob_metrics_board_read(b, 3, &text, &age), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_metrics_board_publish(b, -1, "x", 1), CM_EINVAL);
    ob_metrics_board_free(b);
}

static void test_too_big(void)
{
    ob_metrics_board_t *b = ob_metrics_board_new(1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(ob_metrics_board_publish(b, 0, "a 1\n", 4), CM_OK);
    char *big = malloc(OB_METRICS_SLOT_BYTES + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'x', OB_METRICS_SLOT_BYTES + 1);
    CU_ASSERT_EQUAL(ob_metrics_board_publish(b, 0, big, OB_METRICS_SLOT_BYTES + 1), CM_ETOOBIG);
    free(big);
    char *text = NULL;
    int64_t age;
    CU_ASSERT_EQUAL_FATAL(ob_metrics_board_read(b, 0, &text, &age), CM_OK);
    CU_ASSERT_STRING_EQUAL(text, "a 1\n");
    free(text);
    /* the next publication replaces the text */
    CU_ASSERT_EQUAL(ob_metrics_board_publish(b, 0, "b 2\n", 4), CM_OK);
    CU_ASSERT_EQUAL_FATAL(ob_metrics_board_read(b, 0, &text, &age), CM_OK);
    CU_ASSERT_STRING_EQUAL(text, "b 2\n");
    free(text);
    ob_metrics_board_free(b);
}

void tests_register(void)
{
    CU_SUITE("metrics_board", NULL, NULL,
             {"a forked child's publication is read by its parent", test_publish_across_fork},
             {"too large refused, the last text kept", test_too_big});
}
