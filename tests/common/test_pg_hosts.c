/*
 * test_pg_hosts.c - cm_pg pool over a multi-host conninfo (libpq's host list and target_session_attrs through the
 * pool's non-blocking connect), against a real PostgreSQL (DATABASE_URL, a postgresql://user:pw@127.0.0.1:port/db
 * URL; exit 77 when unset):
 *  - a first host that refuses: the pool connects to the second one, with target_session_attrs=read-write;
 *  - target_session_attrs that the only server does not meet (standby): the pool is down (CM_EUNAVAIL), no hang;
 *  - a first host that accepts the TCP connection but never answers (a frozen server): once an attempt timed out on
 *    it (connect_timeout=2), later attempts start with the next host, and the pool connects there.
 * Every loop is bounded in time.
 */
#include "cu.h"

#include "common/pg.h"
#include "common/status.h"
#include "common/timer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static h2o_evloop_t *loop;
static const char *db_url;
static char userinfo[512], dbpath[256], port[16]; /* DATABASE_URL split around 127.0.0.1:port */

static int setup(void)
{
    loop = h2o_evloop_create();
    return loop == NULL;
}

static int teardown(void)
{
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
    return 0;
}

struct res {
    int n, status;
    char val[64];
};

static void on_res(void *arg, int status, PGresult *r)
{
    struct res *x = arg;
    x->status = status;
    if (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
        snprintf(x->val, sizeof(x->val), "%s", PQgetvalue(r, 0, 0));
    x->n++;
}

/* Runs sql on p and waits (bounded) for its answer. */
static void run_query(cm_pg_pool_t *p, const char *sql, struct res *x, int64_t max_ms)
{
    memset(x, 0, sizeof(*x));
    CU_ASSERT_EQUAL_FATAL(cm_pg_query(p, sql, 0, NULL, on_res, x), CM_AGAIN);
    int64_t end = cm_now_ms() + cu_wait_ms(max_ms);
    while (x->n == 0 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    CU_ASSERT_EQUAL(x->n, 1);
}

static int wait_connected(cm_pg_pool_t *p, int64_t max_ms)
{
    int64_t end = cm_now_ms() + cu_wait_ms(max_ms);
    while (cm_pg_pool_connected(p) < 1 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    return cm_pg_pool_connected(p) >= 1;
}

/* DATABASE_URL with host list "127.0.0.1:<first>,127.0.0.1:<db port>" and query string q. */
static void url_with(char *out, size_t size, int first_port, const char *q)
{
    int w = snprintf(out, size, "%s@127.0.0.1:%d,127.0.0.1:%s%s?%s", userinfo, first_port, port, dbpath, q);
    CU_ASSERT_FATAL(w > 0 && (size_t)w < size);
}

static void test_second_host(void)
{
    char url[1024];
    /* port 1 refuses. The second host gets a generous connect_timeout: under valgrind on a loaded machine the SCRAM
     * handshake alone can take longer than the default 5 s, and how long a host may take is not this test's subject */
    url_with(url, sizeof(url), 1, "target_session_attrs=read-write&connect_timeout=60");
    cm_pg_pool_t *p = cm_pg_pool_new(loop, url, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    /* connected first: a query's own timeout (5 s) runs from its call and would also count the handshake */
    CU_ASSERT_TRUE(wait_connected(p, 20000));
    struct res x;
    run_query(p, "SELECT inet_server_port()::text", &x, 5000);
    CU_ASSERT_EQUAL(x.status, CM_OK);
    CU_ASSERT_STRING_EQUAL(x.val, port);
    cm_pg_pool_free(p);
}

static void test_attrs_not_met(void)
{
    char url[1024];
    url_with(url, sizeof(url), 1, "target_session_attrs=standby"); /* the only server is a primary */
    cm_pg_pool_t *p = cm_pg_pool_new(loop, url, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct res x;
    int64_t t0 = cm_now_ms();
    run_query(p, "SELECT 1", &x, 5000);
    CU_ASSERT_EQUAL(x.status, CM_EUNAVAIL);
    CU_ASSERT_TRUE(cm_now_ms() - t0 < cu_wait_ms(2000));
    CU_ASSERT_EQUAL(cm_pg_pool_connected(p), 0);
    cm_pg_pool_free(p);
}

static void test_frozen_first_host(void)
{
    /* a listening socket nobody accepts on: the kernel completes the handshake, libpq then waits forever for the
     * answer to its startup packet (as with a stopped or overloaded server) */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 16) == 0 &&
                    getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
    char url[1024];
    url_with(url, sizeof(url), ntohs(sa.sin_port), "target_session_attrs=read-write&connect_timeout=2");
    cm_pg_pool_t *p = cm_pg_pool_new(loop, url, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    int64_t t0 = cm_now_ms();
    /* the first attempt waits on the frozen host until connect_timeout; the next one starts with the second host */
    CU_ASSERT_TRUE(wait_connected(p, 8000));
    int64_t took = cm_now_ms() - t0;
    CU_ASSERT_TRUE(took >= 1900);
    CU_ASSERT_TRUE(took < cu_wait_ms(6000));
    struct res x;
    run_query(p, "SELECT inet_server_port()::text", &x, 5000);
    CU_ASSERT_EQUAL(x.status, CM_OK);
    CU_ASSERT_STRING_EQUAL(x.val, port);
    cm_pg_pool_free(p);
    close(fd);
}

void tests_register(void)
{
    db_url = getenv("DATABASE_URL");
    if (db_url == NULL || db_url[0] == '\0') {
        fprintf(stderr, "DATABASE_URL not set: skipping\n");
        exit(77);
    }
    const char *at = strstr(db_url, "@127.0.0.1:");
    const char *slash = at ? strchr(at + strlen("@127.0.0.1:"), '/') : NULL;
    const char *p0 = at ? at + strlen("@127.0.0.1:") : NULL;
    if (slash == NULL || strchr(slash, '?') != NULL || (size_t)(at - db_url) >= sizeof(userinfo) ||
        (size_t)(slash - p0) >= sizeof(port) || strlen(slash) >= sizeof(dbpath)) {
        fprintf(stderr, "DATABASE_URL is not postgresql://user:pw@127.0.0.1:port/db: skipping\n");
        exit(77);
    }
    snprintf(userinfo, sizeof(userinfo), "%.*s", (int)(at - db_url), db_url);
    snprintf(port, sizeof(port), "%.*s", (int)(slash - p0), p0);
    snprintf(dbpath, sizeof(dbpath), "%s", slash);
    CU_SUITE("pg_hosts", setup, teardown, {"second_host", test_second_host}, {"attrs_not_met", test_attrs_not_met},
             {"frozen_first_host", test_frozen_first_host});
}
