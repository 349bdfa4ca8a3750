/*
 * test_http_client_lifecycle.c - cm_http_* calls over their life against a real HTTP server (common/httpd,
 * tests/common/http_client_fixture.c) on 127.0.0.1 in the same loop: 100 concurrent requests (+ throughput, no
 * descriptor left behind), cancel (before start, mid-flight, from another call's callback), freeing the client with
 * calls pending (also from inside a callback; their drop hooks run, their callbacks do not), and callbacks never
 * running inside cm_http_start, and a pooled keep-alive connection closed by its peer while idle (no busy loop, the
 * next call connects again). Every loop is bounded in time.
 */
#include "cu.h"
#include "http_client_fixture.h"

#include "common/status.h"
#include "common/timer.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- concurrency ---- */

struct many {
    int done, ok;
    char expect[8];
};

static void on_many(void *arg, const cm_http_response_t *res)
{
    struct many *m = arg;
    char v[16];
    if (res->status == 200 && strcmp(json_field(res->body, "x-id", v, sizeof(v)), m->expect) == 0)
        m->ok = 1;
    m->done = 1;
}

static void test_concurrent(void)
{
    int fds = cu_count_fds();
    cm_http_client_t *c = cm_http_client_new(loop);
    static struct many m[100];
    char url[128];
    snprintf(url, sizeof(url), "%s/echo", base);
    memset(m, 0, sizeof(m));
    for (int i = 0; i < 100; i++) {
        snprintf(m[i].expect, sizeof(m[i].expect), "%d", i);
        cm_http_header_t h[] = {{"X-Id", m[i].expect}};
        cm_http_request_t req = {.url = url, .headers = h, .n_headers = 1};
        CU_ASSERT_EQUAL(cm_http_start(c, &req, on_many, &m[i], NULL), CM_AGAIN);
    }
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 100);
    int64_t end = cm_now_ms() + 10000;
    int done = 0, ok = 0;
    while (done < 100 && cm_now_ms() < end) {
        h2o_evloop_run(loop, 10);
        done = ok = 0;
        for (int i = 0; i < 100; i++) {
            done += m[i].done;
            ok += m[i].ok;
        }
    }
    CU_ASSERT_EQUAL(done, 100);
    CU_ASSERT_EQUAL(ok, 100);
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 0);

    /* throughput: 5000 GETs, 100 in flight, connections reused (fewer under memcheck: the same paths, 20x slower) */
    int total = (int)(5000 / cu_wait_ms(1)), sent = 0, finished = 0;
    static struct many t[5000];
    memset(t, 0, sizeof(t));
    int64_t t0 = cm_now_ms();
    end = t0 + 60000;
    while (finished < total && cm_now_ms() < end) {
        while (sent < total && sent - finished < 100) {
            snprintf(t[sent].expect, sizeof(t[sent].expect), "%d", sent % 1000);
            cm_http_header_t h[] = {{"X-Id", t[sent].expect}};
            cm_http_request_t req = {.url = url, .headers = h, .n_headers = 1};
            cm_http_start(c, &req, on_many, &t[sent], NULL);
            sent++;
        }
        h2o_evloop_run(loop, 10);
        finished = (int)(sent - (int)cm_http_client_inflight(c));
    }
    int64_t ms = cm_now_ms() - t0;
    ok = 0;
    for (int i = 0; i < total; i++)
        ok += t[i].ok;
    CU_ASSERT_EQUAL(ok, total);
    fprintf(stderr, "\n    [http] %d requests, 100 in flight, client and server on one loop: %lld ms = %.0f req/s\n",
            total, (long long)ms, ms > 0 ? total * 1000.0 / (double)ms : 0.0);
    cm_http_client_free(c);
    run_for(100); /* the server notices the closed keep-alive connections */
    CU_ASSERT_EQUAL(cu_count_fds(), fds);
}

/* ---- cancel and free ---- */

struct canceller {
    struct result r;
    cm_http_call_t *victim;
};

static void on_cancel_other(void *arg, const cm_http_response_t *res)
{
    struct canceller *k = arg;
    k->r.done++;
    cm_http_cancel(k->victim);
    k->victim = NULL;
}

static void test_cancel(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    char echo[128], hang[128];
    snprintf(echo, sizeof(echo), "%s/echo", base);
    snprintf(hang, sizeof(hang), "%s/hang", base);
    struct result a = {0}, b = {0};
    cm_http_call_t *ca = NULL, *cb = NULL;
    cm_http_request_t req = {.url = echo};
    start(c, &req, &a, &ca);
    start(c, &req, &b, &cb);
    CU_ASSERT_PTR_NOT_NULL(ca);
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 2);
    cm_http_cancel(ca); /* before it even started */
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 1);
    CU_ASSERT_TRUE(run_until(&b.done, 1, 5000));
    run_for(50);
    CU_ASSERT_EQUAL(a.done, 0);
    CU_ASSERT_EQUAL(b.status, 200);

    /* cancel mid-flight (request sent, no answer yet) */
    struct result h = {0};
    cm_http_request_t hreq = {.url = hang, .timeout_ms = 2000};
    cm_http_call_t *ch = NULL;
    start(c, &hreq, &h, &ch);
    run_for(100);
    cm_http_cancel(ch);
    run_for(100);
    CU_ASSERT_EQUAL(h.done, 0);

    /* cancel from inside another call's callback */
    struct canceller k = {0};
    struct result v = {0};
    cm_http_request_t vreq = {.url = hang, .timeout_ms = 500};
    start(c, &vreq, &v, &k.victim);
    cm_http_start(c, &req, on_cancel_other, &k, NULL);
    CU_ASSERT_TRUE(run_until(&k.r.done, 1, 5000));
    run_for(700);
    CU_ASSERT_EQUAL(v.done, 0);
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 0);
    cm_http_client_free(c);
}

struct freer {
    cm_http_client_t *c;
    int calls;
};

static void on_free_client(void *arg, const cm_http_response_t *res)
{
    struct freer *f = arg;
    f->calls++;
    cm_http_client_free(f->c);
}

static void test_free_with_pending(void)
{
    char echo[128], hang[128];
    snprintf(echo, sizeof(echo), "%s/echo", base);
    snprintf(hang, sizeof(hang), "%s/hang", base);
    cm_http_request_t req = {.url = echo}, hreq = {.url = hang, .timeout_ms = 300};
    struct result r = {0};

    cm_http_client_t *c = cm_http_client_new(loop);
    for (int i = 0; i < 5; i++)
        start(c, &req, &r, NULL);
    start(c, &hreq, &r, NULL);
    cm_http_client_free(c); /* nothing started yet */
    run_for(100);
    CU_ASSERT_EQUAL(r.done, 0);

    c = cm_http_client_new(loop);
    for (int i = 0; i < 3; i++)
        start(c, &hreq, &r, NULL);
    run_for(50); /* connected, requests sent, no answer */
    CU_ASSERT_EQUAL(cm_http_client_inflight(c), 3);
    cm_http_client_free(c);
    run_for(500); /* past their timeout */
    CU_ASSERT_EQUAL(r.done, 0);

    /* freed from inside a callback while others are pending */
    struct freer f = {cm_http_client_new(loop), 0};
    cm_http_start(f.c, &req, on_free_client, &f, NULL);
    start(f.c, &hreq, &r, NULL);
    start(f.c, &hreq, &r, NULL);
    int64_t end = cm_now_ms() + 3000;
    while (f.calls == 0 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    run_for(500);
    CU_ASSERT_EQUAL(f.calls, 1);
    CU_ASSERT_EQUAL(r.done, 0);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
}

/* the drop hook: run once per call the client still held when freed, never for a call already answered */
static int drops;
static void count_drop(void *arg)
{
    CU_ASSERT_PTR_NOT_NULL(arg);
    drops++;
}

static void test_drop_on_free(void)
{
    char echo[128], hang[128];
    snprintf(echo, sizeof(echo), "%s/echo", base);
    snprintf(hang, sizeof(hang), "%s/hang", base);
    cm_http_request_t req = {.url = echo, .drop = count_drop},
                      hreq = {.url = hang, .timeout_ms = 2000, .drop = count_drop};
    struct result r = {0};
    cm_http_client_t *c = cm_http_client_new(loop);
    start(c, &req, &r, NULL);
    int64_t end = cm_now_ms() + 3000;
    while (r.done == 0 && cm_now_ms() < end)
        h2o_evloop_run(loop, 10);
    CU_ASSERT_EQUAL(r.done, 1);
    start(c, &hreq, &r, NULL);
    start(c, &hreq, &r, NULL);
    run_for(50);
    drops = 0;
    cm_http_client_free(c);
    CU_ASSERT_EQUAL(drops, 2);
    run_for(100);
    CU_ASSERT_EQUAL(r.done, 1);
}

/* ---- a pooled connection closed by the peer while idle ---- */

/* Accepts one connection on lfd while the loop runs, reads one request, answers 200 "ok" keeping it alive. Returns
 * the connection's fd, -1 on failure. */
static int serve_one(int lfd, struct result *r)
{
    int fd = -1;
    int64_t end = cm_now_ms() + 3000;
    while (fd < 0 && cm_now_ms() < end) {
        h2o_evloop_run(loop, 10);
        fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    }
    if (fd < 0)
        return -1;
    char buf[2048];
    size_t len = 0;
    while (cm_now_ms() < end && (len < 4 || memmem(buf, len, "\r\n\r\n", 4) == NULL)) {
        h2o_evloop_run(loop, 10);
        ssize_t n = recv(fd, buf + len, sizeof(buf) - len, 0);
        if (n > 0)
            len += (size_t)n;
        if (n == 0 || len == sizeof(buf))
            break;
    }
    static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
    if (send(fd, answer, sizeof(answer) - 1, MSG_NOSIGNAL) != (ssize_t)sizeof(answer) - 1 ||
        !run_until(&r->done, 1, 3000)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Descriptors of this process that are the only one open on their socket. The loop watches each of curl's sockets
 * through a dup, so a socket of curl's counts once here only when its watcher is a dup of some other socket. */
static int lone_sockets(void)
{
    char inodes[256][64];
    int n = 0, lone = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL && n < 256) {
        char path[300], link[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(path, link, sizeof(link) - 1);
        if (len > 0 && (link[len] = '\0', strncmp(link, "socket:", 7) == 0))
            snprintf(inodes[n++], sizeof(inodes[0]), "%s", link);
    }
    if (d != NULL)
        closedir(d);
    for (int i = 0; i < n; i++) {
        int same = 0;
        for (int j = 0; j < n; j++)
            same += strcmp(inodes[i], inodes[j]) == 0;
        lone += same == 1;
    }
    return lone;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_idle_closed_by_peer(void)
{
    int fds = cu_count_fds();
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t salen = sizeof(sa);
    CU_ASSERT_FATAL(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lfd, 4) == 0 &&
                    getsockname(lfd, (struct sockaddr *)&sa, &salen) == 0);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", ntohs(sa.sin_port));
    cm_http_client_t *c = cm_http_client_new(loop);
    cm_http_request_t req = {.url = url};
    struct result r = {0};
    CU_ASSERT_EQUAL(start(c, &req, &r, NULL), CM_AGAIN);
    int conn = serve_one(lfd, &r);
    CU_ASSERT_FATAL(conn >= 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.body, "ok");
    int open_pooled = cu_count_fds(), lone_pooled = lone_sockets(); /* curl's socket + its dup, our end */

    /* the connection idles in curl's pool; the peer closes it: the client must not spin on the readable socket */
    close(conn);
    double cpu0 = cpu_ms();
    run_for(300);
    double spent = cpu_ms() - cpu0;
    CU_ASSERT(spent < 150.0 * cu_wait_ms(1));
    if (spent >= 150.0 * cu_wait_ms(1))
        fprintf(stderr, "\n    [http] %.0f ms of CPU in 300 ms with an idle connection closed by the peer\n", spent);

    /* the next call finds the pooled connection dead and connects again */
    struct result r2 = {0};
    CU_ASSERT_EQUAL(start(c, &req, &r2, NULL), CM_AGAIN);
    conn = serve_one(lfd, &r2);
    CU_ASSERT_FATAL(conn >= 0);
    CU_ASSERT_EQUAL(r2.status, 200);
    /* as many open as before, and the new socket watched through a dup of itself: the dead connection's socket and
       its dup went when curl closed it */
    CU_ASSERT_EQUAL(cu_count_fds(), open_pooled);
    CU_ASSERT_EQUAL(lone_sockets(), lone_pooled);
    cm_http_client_free(c);
    close(conn);
    close(lfd);
    run_for(50);
    CU_ASSERT_EQUAL(cu_count_fds(), fds); /* curl's sockets and the loop's dups all closed */
}

void tests_register(void)
{
    CU_SUITE("http_client_lifecycle", setup, teardown, {"concurrent", test_concurrent}, {"cancel", test_cancel},
             {"free_with_pending", test_free_with_pending}, {"drop_on_free", test_drop_on_free},
             {"idle_closed_by_peer", test_idle_closed_by_peer});
}
