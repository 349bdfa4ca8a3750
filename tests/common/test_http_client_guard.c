/*
 * test_http_client_guard.c - the connect-address check of cm_http_request_t (addr_ok) against the real HTTP server of
 * the fixture on 127.0.0.1: a refused address fails with "address refused" and no request reaches the server; an
 * accepted one is checked with the very address connected to, on every request (no pooled connection skips it).
 */
#include "cu.h"
#include "http_client_fixture.h"

#include "common/status.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct seen {
    int calls;
    int accept;
    char addr[64];
    int port;
};

static int check(void *arg, const struct sockaddr *sa, size_t salen)
{
    struct seen *s = arg;
    s->calls++;
    if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, s->addr, sizeof(s->addr));
        s->port = ntohs(in->sin_port);
    }
    return s->accept;
}

static int base_port(void)
{
    const char *colon = strrchr(base, ':');
    return colon ? (int)strtol(colon + 1, NULL, 10) : -1;
}

static void test_refused(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    struct seen s = {.accept = 0};
    char url[128];
    snprintf(url, sizeof(url), "%s/echo", base);
    cm_http_request_t req = {.url = url, .addr_ok = check, .addr_arg = &s};
    struct result r = {0};
    CU_ASSERT_EQUAL(start(c, &req, &r, NULL), CM_AGAIN);
    CU_ASSERT_TRUE(run_until(&r.done, 1, 3000));
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.error, "address refused");
    CU_ASSERT_EQUAL(r.body_len, 0);
    CU_ASSERT_TRUE(s.calls >= 1);
    CU_ASSERT_STRING_EQUAL(s.addr, "127.0.0.1");
    CU_ASSERT_EQUAL(s.port, base_port());
    cm_http_client_free(c);
}

static void test_accepted_every_time(void)
{
    cm_http_client_t *c = cm_http_client_new(loop);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    struct seen s = {.accept = 1};
    char url[128], v[64];
    snprintf(url, sizeof(url), "%s/echo", base);
    for (int i = 0; i < 2; i++) {
        cm_http_request_t req = {.url = url, .addr_ok = check, .addr_arg = &s};
        struct result r = {0};
        CU_ASSERT_EQUAL(start(c, &req, &r, NULL), CM_AGAIN);
        CU_ASSERT_TRUE(run_until(&r.done, 1, 3000));
        CU_ASSERT_EQUAL(r.status, 200);
        CU_ASSERT_STRING_EQUAL(json_field(r.body, "method", v, sizeof(v)), "GET");
    }
    CU_ASSERT_EQUAL(s.calls, 2); /* a fresh connection each time: each one checked */
    CU_ASSERT_EQUAL(s.port, base_port());
    /* without a check the client still works as before */
    struct result r = {0};
    get(c, "/echo", &r);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(s.calls, 2);
    CU_ASSERT_EQUAL(sync_callbacks, 0);
    cm_http_client_free(c);
}

void tests_register(void)
{
    CU_SUITE("http_client_guard", setup, teardown, {"refused", test_refused},
             {"accepted_every_time", test_accepted_every_time});
}
