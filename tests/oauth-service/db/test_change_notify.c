/*
 * test_change_notify.c - the change notification triggers and the instance counts of migrations 0009 and 0010,
 * against a real PostgreSQL (DATABASE_URL; exit 77 when unset). Each test migrates a schema of its own; a second
 * session LISTENs and sees exactly the notifications the first session's committed writes should send. Other
 * tests may notify the same channel at the same time: only payloads of this test's instance are counted.
 */
#include "cu.h"
#include "db_schema.h"

#include "db/migrate.h"

#include "common/status.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ID "7e57c0de-0000-4000-8000-00000000000"
#define HASH(ch) "'" ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch "'"

/* Collects for wait_ms the notifications whose payload starts with prefix: their count, the last one in last. */
static int drain(PGconn *l, const char *prefix, int wait_ms, char *last, size_t lastsz)
{
    int n = 0;
    for (int waited = 0; waited <= wait_ms; waited += 20) {
        struct pollfd pfd = {.fd = PQsocket(l), .events = POLLIN};
        poll(&pfd, 1, 20);
        PQconsumeInput(l);
        PGnotify *nt;
        while ((nt = PQnotifies(l)) != NULL) {
            if (strcmp(nt->relname, "ob_instance_changed") == 0 && strncmp(nt->extra, prefix, strlen(prefix)) == 0) {
                n++;
                snprintf(last, lastsz, "%s", nt->extra);
            }
            PQfreemem(nt);
        }
    }
    return n;
}

static void test_notify_triggers(void)
{
    const char *schema;
    PGconn *w = tdb_seeded_schema("ob_tcn", &schema), *l = tdb_connect(schema);
    char last[128] = "";
    CU_ASSERT_FATAL(l != NULL);
    CU_ASSERT_STRING_EQUAL_FATAL(tdb_state_of(l, "LISTEN ob_instance_changed"), "00000");

    /* a new instance, then its status with a new event version */
    CU_ASSERT_STRING_EQUAL(
        tdb_state_of(w, "INSERT INTO mcp_service_table (instance_id, user_id, service_name, mcp_key_hash)"
                        " VALUES ('" ID "1', 'u1', 'gmail', " HASH("aa") ")"),
        "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 0");
    CU_ASSERT_STRING_EQUAL(
        tdb_state_of(w, "UPDATE mcp_service_table SET status = 'inactive', row_version = row_version + 1,"
                        " event_version = event_version + 1 WHERE instance_id = '" ID "1'"),
        "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 1");

    /* usage counters only: no cached copy holds them, nobody is told */
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w, "UPDATE mcp_service_table SET usage_count = usage_count + 5,"
                                           " last_used_at = now() WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 0);

    /* new tokens: told (with the instance's event version); the refresher's bookkeeping alone: not */
    CU_ASSERT_STRING_EQUAL(
        tdb_state_of(w, "INSERT INTO mcp_credentials (instance_id, access_token_enc, access_token_key_id)"
                        " VALUES ('" ID "1', decode(repeat('ab', 40), 'hex'), 'k1')"),
        "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 1");
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w, "UPDATE mcp_credentials SET refresh_failures = refresh_failures + 1,"
                                           " next_refresh_at = now(), last_error_code = 'x', refresh_owner = 'o',"
                                           " refresh_started_at = now() WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 0);
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w,
                                        "UPDATE mcp_credentials SET access_token_enc = decode(repeat('cd', 40), 'hex'),"
                                        " access_token_key_id = 'k2' WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);

    /* a change and its token write in one transaction: one notification; a rolled back change: none */
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w, "BEGIN"), "00000");
    CU_ASSERT_STRING_EQUAL(
        tdb_state_of(w, "UPDATE mcp_service_table SET status = 'active', event_version = event_version + 1"
                        " WHERE instance_id = '" ID "1'"),
        "00000");
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w, "UPDATE mcp_credentials SET row_version = row_version + 1"
                                           " WHERE instance_id = '" ID "1'"),
                           "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 200, last, sizeof(last)), 0); /* not before the commit */
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w, "COMMIT"), "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 2");
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w, "BEGIN"), "00000");
    CU_ASSERT_STRING_EQUAL(
        tdb_state_of(w, "UPDATE mcp_service_table SET custom_name = 'x' WHERE instance_id = '" ID "1'"), "00000");
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w, "ROLLBACK"), "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 0);

    /* deletion (credentials go with it): one notification, with the version of the deletion event */
    CU_ASSERT_STRING_EQUAL(tdb_state_of(w, "DELETE FROM mcp_service_table WHERE instance_id = '" ID "1'"), "00000");
    CU_ASSERT_EQUAL(drain(l, ID "1", 300, last, sizeof(last)), 1);
    CU_ASSERT_STRING_EQUAL(last, ID "1 3");
    PQfinish(l);
    PQfinish(w);
}

static void test_counts_without_hot_row(void)
{
    const char *schema;
    PGconn *a = tdb_seeded_schema("ob_tcn", &schema), *b = tdb_connect(schema);
    CU_ASSERT_FATAL(b != NULL);
    /* a's insert stays uncommitted: b's insert for the same service must not wait for it */
    CU_ASSERT_STRING_EQUAL(tdb_state_of(a, "BEGIN"), "00000");
    CU_ASSERT_STRING_EQUAL(
        tdb_state_of(a, "INSERT INTO mcp_service_table (instance_id, user_id, service_name, mcp_key_hash)"
                        " VALUES ('" ID "2', 'u1', 'gmail', " HASH("bb") ")"),
        "00000");
    CU_ASSERT_STRING_EQUAL(tdb_state_of(b, "SET lock_timeout = '1s'"), "00000");
    CU_ASSERT_STRING_EQUAL(
        tdb_state_of(b, "INSERT INTO mcp_service_table (instance_id, user_id, service_name, mcp_key_hash)"
                        " VALUES ('" ID "3', 'u2', 'gmail', " HASH("cc") ")"),
        "00000");
    CU_ASSERT_STRING_EQUAL(tdb_state_of(b, "UPDATE mcp_service_table SET status = 'inactive'"
                                           " WHERE instance_id = '" ID "3'"),
                           "00000");
    CU_ASSERT_STRING_EQUAL(tdb_state_of(a, "COMMIT"), "00000");
    /* the counts follow inserts, status changes and deletes */
    CU_ASSERT_EQUAL(tdb_query_long(b, "SELECT total_instances FROM mcp_service_counts WHERE service_name = 'gmail'"),
                    2);
    CU_ASSERT_EQUAL(tdb_query_long(b, "SELECT active_instances FROM mcp_service_counts WHERE service_name = 'gmail'"),
                    1);
    CU_ASSERT_EQUAL(tdb_query_long(b, "SELECT total_instances FROM mcp_service_counts WHERE service_name = 'github'"),
                    0);
    CU_ASSERT_STRING_EQUAL(tdb_state_of(a, "DELETE FROM mcp_service_table WHERE instance_id = '" ID "2'"), "00000");
    CU_ASSERT_EQUAL(tdb_query_long(b, "SELECT total_instances * 10 + active_instances FROM mcp_service_counts"
                                      " WHERE service_name = 'gmail'"),
                    10);
    /* every registered service has a row */
    CU_ASSERT_EQUAL(
        tdb_query_long(b, "SELECT (SELECT count(*) FROM mcp_service_counts) - (SELECT count(*) FROM mcp_table)"), 0);
    PQfinish(b);
    PQfinish(a);
}

void tests_register(void)
{
    tdb_init();
    CU_SUITE("change notifications and counts", NULL, tdb_suite_clean,
             {"committed changes notify, bookkeeping does not", test_notify_triggers},
             {"counts without a hot row", test_counts_without_hot_row});
}
