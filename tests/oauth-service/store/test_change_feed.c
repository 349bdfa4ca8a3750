/*
 * test_change_feed.c - the instance cache with change notifications, against a real PostgreSQL (DATABASE_URL; exit
 * 77 when unset): a row stays cached past the fallback lifetime while notifications are heard and is dropped as soon
 * as another session changes it; bookkeeping writes keep it; a notification that races a load keeps the loaded row
 * out of the cache; least recently used entries go first when the cache is full; a killed LISTEN connection comes
 * back by itself and every cached row is re-read; without notifications the lifetime applies. The schema is a
 * migrated one of this test's own; the broker's own connections carry an application_name of this process only,
 * so that pg_terminate_backend never reaches another test's listener. Every wait is bounded.
 */
#include "cu.h"

#include "db/migrate.h"
#include "store/change_feed.h"
#include "store/instance_cache.h"

#include "common/status.h"
#include "common/timer.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ID "c4a9e000-0000-4000-8000-00000000000"
#define HASH(ch) "'" ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch ch "'"
/* one gmail instance row, N a digit */
#define ROW(n) " ('" ID n "', 'u1', 'gmail', " HASH("a" n) ")"
#define ROWS ROW("1") "," ROW("2") "," ROW("3") "," ROW("4") "," ROW("5") "," ROW("6")

static const char *db_url;
static char schema[64], appname[64], conninfo[2048];
static h2o_evloop_t *loop;
static PGconn *w; /* the writer: another session, as another replica would be */

typedef struct {
    int done, status;
    char state[16];
} load_t;

static void on_load(void *arg, int status, ob_instance_t *inst)
{
    load_t *l = arg;
    l->done++;
    l->status = status;
    snprintf(l->state, sizeof(l->state), "%s", inst != NULL ? cm_inst_status_name(inst->status) : "-");
}

static void run_ms(int64_t ms)
{
    int64_t end = cm_now_ms() + ms;
    while (cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
}

static int load_wait(ob_icache_t *c, const char *id, load_t *l)
{
    memset(l, 0, sizeof(*l));
    if (ob_icache_load(c, id, on_load, l) != CM_AGAIN)
        return -1;
    int64_t end = cm_now_ms() + cu_wait_ms(5000);
    while (!l->done && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    return l->done ? l->status : -1;
}

/* Runs the loop until peek(id) is NULL (want_gone) or not; returns the ms it took, -1 after max_ms. */
static int64_t until_peek(ob_icache_t *c, const char *id, int want_gone, int64_t max_ms)
{
    int64_t start = cm_now_ms(), end = start + cu_wait_ms(max_ms);
    while (cm_now_ms() < end) {
        if ((ob_icache_peek(c, id) == NULL) == want_gone)
            return cm_now_ms() - start;
        h2o_evloop_run(loop, 5);
    }
    return -1;
}

static int until_listening(ob_change_feed_t *f, unsigned long connects, int64_t max_ms)
{
    int64_t end = cm_now_ms() + cu_wait_ms(max_ms);
    while (!(ob_change_feed_up(f) && ob_change_feed_connects(f) >= connects) && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    return ob_change_feed_up(f) && ob_change_feed_connects(f) >= connects;
}

static const char *exec(const char *sql)
{
    static char state[6];
    PGresult *r = PQexec(w, sql);
    ExecStatusType st = PQresultStatus(r);
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(state, sizeof(state), "%s", (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? "00000" : s ? s : "?????");
    if (strcmp(state, "00000") != 0)
        fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return state;
}

static void test_notified_change_drops_the_row(void)
{
    cm_pg_pool_t *db = cm_pg_pool_new(loop, conninfo, 2);
    ob_icache_t *c = ob_icache_new(db, NULL, 50, 0);
    ob_change_feed_t *f = ob_change_feed_new(db, c, 0);
    load_t l;
    CU_ASSERT_FATAL(db != NULL && c != NULL && f != NULL);
    CU_ASSERT_FATAL(until_listening(f, 1, 5000));
    CU_ASSERT_EQUAL(load_wait(c, ID "1", &l), CM_OK);
    CU_ASSERT_STRING_EQUAL(l.state, "active");

    /* far beyond the 50 ms lifetime: still cached, nobody changed it */
    run_ms(200);
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "1"));
    /* bookkeeping (usage counters) keeps it */
    CU_ASSERT_STRING_EQUAL(exec("UPDATE mcp_service_table SET usage_count = usage_count + 1, last_used_at = now()"
                                " WHERE instance_id = '" ID "1'"),
                           "00000");
    run_ms(200);
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "1"));

    /* another session makes it inactive: dropped at once, the next load reads the change */
    CU_ASSERT_STRING_EQUAL(exec("UPDATE mcp_service_table SET status = 'inactive', event_version = event_version + 1"
                                " WHERE instance_id = '" ID "1'"),
                           "00000");
    int64_t took = until_peek(c, ID "1", 1, 1000);
    CU_ASSERT(took >= 0 && took < 1000);
    CU_ASSERT_EQUAL(load_wait(c, ID "1", &l), CM_OK);
    CU_ASSERT_STRING_EQUAL(l.state, "inactive");
    /* new tokens likewise */
    CU_ASSERT_STRING_EQUAL(exec("UPDATE mcp_credentials SET access_token_enc = decode(repeat('ef', 40), 'hex'),"
                                " access_token_key_id = 'k3', row_version = row_version + 1"
                                " WHERE instance_id = '" ID "1'"),
                           "00000");
    took = until_peek(c, ID "1", 1, 1000);
    CU_ASSERT(took >= 0 && took < 1000);

    ob_icache_stats_t st;
    ob_icache_stats(c, &st);
    CU_ASSERT(st.changes >= 2);
    CU_ASSERT_EQUAL(st.listening, 1);
    ob_change_feed_free(f);
    cm_pg_pool_free(db);
    ob_icache_free(c);
}

/* A cache of at most max_entries (0 = the default) on its own one-connection pool, told that notifications are heard
 * (no lifetime: only changes, writes and the size bound drop entries). */
static ob_icache_t *listening_cache(size_t max_entries, cm_pg_pool_t **db)
{
    *db = cm_pg_pool_new(loop, conninfo, 1);
    ob_icache_t *c = *db != NULL ? ob_icache_new(*db, NULL, 60000, max_entries) : NULL;
    if (c != NULL)
        ob_icache_set_listening(c, 1);
    return c;
}

static void test_notification_racing_a_load(void)
{
    cm_pg_pool_t *db = NULL;
    ob_icache_t *c = listening_cache(0, &db);
    load_t l = {0};
    CU_ASSERT_FATAL(db != NULL && c != NULL);
    /* the load is in flight (it may read the row before the change) when the notification arrives */
    CU_ASSERT_EQUAL_FATAL(ob_icache_load(c, ID "2", on_load, &l), CM_AGAIN);
    ob_icache_changed(c, ID "2");
    int64_t end = cm_now_ms() + cu_wait_ms(5000);
    while (!l.done && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    CU_ASSERT_EQUAL(l.done, 1);
    CU_ASSERT_EQUAL(l.status, CM_OK);                 /* its waiter is answered */
    CU_ASSERT_PTR_NULL(ob_icache_peek(c, ID "2"));    /* but the row is not kept */
    CU_ASSERT_EQUAL(load_wait(c, ID "2", &l), CM_OK); /* a load sent after the notification is kept */
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "2"));
    cm_pg_pool_free(db);
    ob_icache_free(c);
}

static void test_lru_bound(void)
{
    cm_pg_pool_t *db = NULL;
    ob_icache_t *c = listening_cache(2, &db);
    load_t l;
    CU_ASSERT_FATAL(db != NULL && c != NULL);
    CU_ASSERT_EQUAL(load_wait(c, ID "1", &l), CM_OK);
    CU_ASSERT_EQUAL(load_wait(c, ID "2", &l), CM_OK);
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "1")); /* 1 used last: 2 is the least recently used */
    CU_ASSERT_EQUAL(load_wait(c, ID "3", &l), CM_OK);
    CU_ASSERT_EQUAL(ob_icache_count(c), 2);
    CU_ASSERT_PTR_NULL(ob_icache_peek(c, ID "2"));
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "1"));
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "3"));
    ob_icache_stats_t st;
    ob_icache_stats(c, &st);
    CU_ASSERT_EQUAL(st.evictions, 1);
    CU_ASSERT_EQUAL(st.max_entries, 2);
    cm_pg_pool_free(db);
    ob_icache_free(c);
}

/* Second chance: a hit marks its entry; eviction spares marked entries once (clearing the mark) and drops the first
 * unmarked one, oldest first. */
static void test_lru_second_chance(void)
{
    cm_pg_pool_t *db = NULL;
    ob_icache_t *c = listening_cache(3, &db);
    load_t l;
    CU_ASSERT_FATAL(db != NULL && c != NULL);
    CU_ASSERT_EQUAL(load_wait(c, ID "1", &l), CM_OK);
    CU_ASSERT_EQUAL(load_wait(c, ID "2", &l), CM_OK);
    CU_ASSERT_EQUAL(load_wait(c, ID "3", &l), CM_OK);
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "1"));
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "2"));
    CU_ASSERT_EQUAL(load_wait(c, ID "4", &l), CM_OK); /* 3 is the one not used since it was loaded */
    CU_ASSERT_PTR_NULL(ob_icache_peek(c, ID "3"));
    CU_ASSERT_EQUAL(load_wait(c, ID "5", &l), CM_OK); /* 1 and 2 were spared once; 1 is the oldest of them */
    CU_ASSERT_EQUAL(ob_icache_count(c), 3);
    CU_ASSERT_PTR_NULL(ob_icache_peek(c, ID "1"));
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "2"));
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "4"));
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "5"));
    /* a hand that finds every entry marked clears them all and still makes room */
    CU_ASSERT_EQUAL(load_wait(c, ID "6", &l), CM_OK);
    CU_ASSERT_EQUAL(ob_icache_count(c), 3);
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "6"));
    ob_icache_stats_t st;
    ob_icache_stats(c, &st);
    CU_ASSERT_EQUAL(st.evictions, 3);
    cm_pg_pool_free(db);
    ob_icache_free(c);
}

static void test_listener_killed_reconnects_and_resyncs(void)
{
    cm_pg_pool_t *db = cm_pg_pool_new(loop, conninfo, 1);
    ob_icache_t *c = ob_icache_new(db, NULL, 60000, 0);
    ob_change_feed_t *f = ob_change_feed_new(db, c, 0);
    load_t l;
    CU_ASSERT_FATAL(db != NULL && c != NULL && f != NULL);
    CU_ASSERT_FATAL(until_listening(f, 1, 5000));
    CU_ASSERT_EQUAL(load_wait(c, ID "3", &l), CM_OK);
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "3"));

    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '%s'"
             " AND query LIKE 'LISTEN %%'",
             appname);
    CU_ASSERT_STRING_EQUAL(exec(sql), "00000");
    /* back by itself; everything read before is re-read (a change may have been missed meanwhile) */
    CU_ASSERT_FATAL(until_listening(f, 2, 5000));
    CU_ASSERT_PTR_NULL(ob_icache_peek(c, ID "3"));
    CU_ASSERT_EQUAL(load_wait(c, ID "3", &l), CM_OK);
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "3"));
    /* and it hears changes again */
    CU_ASSERT_STRING_EQUAL(exec("UPDATE mcp_service_table SET custom_name = 'renamed' WHERE instance_id = '" ID "3'"),
                           "00000");
    int64_t took = until_peek(c, ID "3", 1, 1000);
    CU_ASSERT(took >= 0 && took < 1000);
    ob_change_feed_free(f);
    cm_pg_pool_free(db);
    ob_icache_free(c);
}

static void test_lifetime_without_notifications(void)
{
    cm_pg_pool_t *db = cm_pg_pool_new(loop, conninfo, 1);
    ob_icache_t *c = ob_icache_new(db, NULL, 100, 0);
    load_t l;
    CU_ASSERT_FATAL(db != NULL && c != NULL);
    CU_ASSERT_EQUAL(load_wait(c, ID "1", &l), CM_OK);
    CU_ASSERT_PTR_NOT_NULL(ob_icache_peek(c, ID "1"));
    int64_t took = until_peek(c, ID "1", 1, 2000); /* stale once the 100 ms are over */
    CU_ASSERT(took >= 0);
    cm_pg_pool_free(db);
    ob_icache_free(c);
}

static void test_payload_parse(void)
{
    char id[37];
    long long v = -1;
    CU_ASSERT_EQUAL(ob_change_payload_parse(ID "1 42", id, &v), CM_OK);
    CU_ASSERT_STRING_EQUAL(id, ID "1");
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_EQUAL(ob_change_payload_parse(ID "1", id, &v), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_change_payload_parse(ID "1 ", id, &v), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_change_payload_parse(ID "1 4x", id, &v), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_change_payload_parse("c4a9e000-0000-4000-8000_000000000001 1", id, &v), CM_EINVAL);
    CU_ASSERT_EQUAL(ob_change_payload_parse("", id, &v), CM_EINVAL);
}

static int suite_init(void)
{
    loop = h2o_evloop_create();
    snprintf(schema, sizeof(schema), "ob_tcf_%ld", (long)getpid());
    snprintf(appname, sizeof(appname), "ob_tcf_%ld", (long)getpid());
    snprintf(conninfo, sizeof(conninfo), "%s%soptions=-csearch_path%%3D%s&application_name=%s", db_url,
             strchr(db_url, '?') ? "&" : "?", schema, appname);
    w = PQconnectdb(db_url);
    if (PQstatus(w) != CONNECTION_OK)
        return 1;
    char sql[256], err[512];
    snprintf(sql, sizeof(sql), "SET client_min_messages = warning; CREATE SCHEMA %s; SET search_path = %s", schema,
             schema);
    PQclear(PQexec(w, sql));
    json_t *services = NULL;
    if (ob_db_migrate(w, OB_SOURCE_DIR "/db/migrations", err, sizeof(err)) != CM_OK ||
        ob_services_load(OB_SOURCE_DIR "/config/services.json", &services, err, sizeof(err)) != CM_OK ||
        ob_db_seed_services(w, services, err, sizeof(err)) != CM_OK) {
        fprintf(stderr, "setup: %s\n", err);
        json_decref(services);
        return 1;
    }
    json_decref(services);
    if (strcmp(exec("INSERT INTO mcp_service_table (instance_id, user_id, service_name, mcp_key_hash) VALUES" ROWS),
               "00000") != 0)
        return 1;
    return strcmp(exec("INSERT INTO mcp_credentials (instance_id, access_token_enc, access_token_key_id) VALUES"
                       " ('" ID "1', decode(repeat('ab', 40), 'hex'), 'k1')"),
                  "00000") != 0;
}

static int suite_clean(void)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    PQclear(PQexec(w, sql));
    PQfinish(w);
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
    return 0;
}

void tests_register(void)
{
    db_url = getenv("DATABASE_URL");
    if (db_url == NULL || db_url[0] == '\0') {
        fprintf(stderr, "DATABASE_URL is not set: skipping the database tests\n");
        exit(77);
    }
    CU_SUITE("change feed", suite_init, suite_clean, {"payload parsing", test_payload_parse},
             {"a notified change drops the cached row", test_notified_change_drops_the_row},
             {"a notification racing a load", test_notification_racing_a_load}, {"LRU bound", test_lru_bound},
             {"LRU by second chance", test_lru_second_chance},
             {"killed listener reconnects and resyncs", test_listener_killed_reconnects_and_resyncs},
             {"the lifetime without notifications", test_lifetime_without_notifications});
}
