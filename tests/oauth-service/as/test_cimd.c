/*
 * test_cimd.c - Client ID Metadata Documents, the pure parts: which client_ids are document URLs, which addresses
 * a document may come from (RFC 6890 special-use blocks refused), the document rules and the cache lifetime; and
 * freeing the cache with a fetch in flight (a loopback listener that never answers): every waiter is dropped, none
 * answered.
 */
#include "cu.h"

#include "as/cimd.h"

#include "common/status.h"

#include <arpa/inet.h>
#include <h2o.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int pub(const char *text)
{
    struct sockaddr_in in4 = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET, text, &in4.sin_addr) == 1)
        return ob_cimd_addr_public((struct sockaddr *)&in4, sizeof(in4));
    if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1)
        return ob_cimd_addr_public((struct sockaddr *)&in6, sizeof(in6));
    return -1;
}

static void test_addresses(void)
{
    const char *special[] = {"0.0.0.0",
                             "0.1.2.3",
                             "10.0.0.1",
                             "10.255.255.255",
                             "100.64.0.1",
                             "100.127.255.254",
                             "127.0.0.1",
                             "127.255.0.9",
                             "169.254.169.254",
                             "172.16.0.1",
                             "172.31.255.255",
                             "192.0.0.8",
                             "192.0.2.1",
                             "192.88.99.1",
                             "192.168.1.1",
                             "198.18.0.1",
                             "198.19.255.255",
                             "198.51.100.7",
                             "203.0.113.9",
                             "224.0.0.1",
                             "239.255.255.250",
                             "240.0.0.1",
                             "255.255.255.255",
                             "::",
                             "::1",
                             "::ffff:127.0.0.1",
                             "::ffff:8.8.8.8",
                             "::127.0.0.1",
                             "64:ff9b::a00:1",
                             "100::1",
                             "2001::1",
                             "2001:10::1",
                             "2001:db8::1",
                             "2002:a00:1::1",
                             "fc00::1",
                             "fd12:3456::1",
                             "fe80::1",
                             "fec0::1",
                             "ff02::1",
                             "3fff::1",
                             NULL};
    for (int i = 0; special[i]; i++) {
        CU_ASSERT_EQUAL(pub(special[i]), 0);
        if (pub(special[i]) != 0)
            fprintf(stderr, "public? %s\n", special[i]);
    }
    const char *public_[] = {"8.8.8.8",           "1.1.1.1",
                             "100.63.255.255",    "100.128.0.1",
                             "172.15.255.255",    "172.32.0.1",
                             "192.0.1.1",         "192.169.0.1",
                             "198.17.0.1",        "198.20.0.1",
                             "223.255.255.1",     "2606:4700::1",
                             "2a00:1450:4001::1", "2001:4860:4860::8888",
                             "2001:200::1",       NULL};
    for (int i = 0; public_[i]; i++) {
        CU_ASSERT_EQUAL(pub(public_[i]), 1);
        if (pub(public_[i]) != 1)
            fprintf(stderr, "special? %s\n", public_[i]);
    }
    struct sockaddr_in in4 = {.sin_family = AF_INET};
    CU_ASSERT_EQUAL(ob_cimd_addr_public((struct sockaddr *)&in4, 3), 0); /* truncated */
    CU_ASSERT_EQUAL(ob_cimd_addr_public(NULL, 0), 0);
}

static void test_is_url(void)
{
    CU_ASSERT_TRUE(ob_cimd_is_url("https://claude.ai/oauth/claude-code-client-metadata"));
    CU_ASSERT_TRUE(ob_cimd_is_url("https://127.0.0.1:8443/client.json"));
    CU_ASSERT_TRUE(ob_cimd_is_url("https://vscode.dev/oauth/client-metadata.json"));
    const char *no[] = {"http://claude.ai/client",
                        "https://claude.ai",
                        "https://claude.ai/",
                        "https:///x",
                        "https://u@claude.ai/x",
                        "https://claude.ai/x#f",
                        "https://claude.ai/x?y=1",
                        "https://claude.ai/a/../b",
                        "https://claude.ai/./b",
                        "https://claude.ai/a/..",
                        "mcp_0123456789abcdef",
                        "",
                        NULL};
    for (int i = 0; no[i]; i++)
        CU_ASSERT_FALSE(ob_cimd_is_url(no[i]));
    CU_ASSERT_FALSE(ob_cimd_is_url(NULL));
}

#define URL "https://app.example/client.json"

static const char *check(const char *body, const char *ct, int status)
{
    json_t *doc = NULL;
    const char *why = NULL;
    int rc = ob_cimd_validate(URL, status, ct, body, strlen(body), &doc, &why);
    if (rc == CM_OK) {
        CU_ASSERT_PTR_NOT_NULL(doc);
        json_decref(doc);
        return "ok";
    }
    CU_ASSERT_PTR_NULL(doc);
    CU_ASSERT_PTR_NOT_NULL(why);
    return why;
}

#define GOOD "{\"client_id\":\"" URL "\",\"client_name\":\"App\",\"redirect_uris\":[\"http://127.0.0.1/cb\"]"

static void test_validate(void)
{
    CU_ASSERT_STRING_EQUAL(check(GOOD "}", "application/json", 200), "ok");
    CU_ASSERT_STRING_EQUAL(check(GOOD "}", "Application/JSON; charset=utf-8", 200), "ok");
    CU_ASSERT_STRING_EQUAL(check(GOOD "}", "application/oauth-client+json", 200), "ok");
    CU_ASSERT_STRING_EQUAL(check(GOOD ",\"token_endpoint_auth_method\":\"none\"}", "application/json", 200), "ok");
    CU_ASSERT_STRING_EQUAL(check(GOOD ",\"logo_uri\":\"https://x/y.png\",\"extra\":1}", "application/json", 200), "ok");
    /* refusals */
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD "}", "text/plain", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD "}", "application/jsonx", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD "}", "text/json+json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD "}", NULL, 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD "}", "application/json", 302), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD "}", "application/json", 404), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check("[1]", "application/json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check("{", "application/json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD ",\"client_id\":\"" URL "\"}", "application/json", 200), "ok"); /* dup */
    CU_ASSERT_STRING_NOT_EQUAL(
        check("{\"client_id\":\"https://app.example/client.json/\",\"redirect_uris\":[\"https://a/cb\"]}",
              "application/json", 200),
        "ok");
    CU_ASSERT_STRING_NOT_EQUAL(
        check("{\"client_id\":\"https://APP.example/client.json\",\"redirect_uris\":[\"https://a/cb\"]}",
              "application/json", 200),
        "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check("{\"client_id\":\"" URL "\"}", "application/json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check("{\"client_id\":\"" URL "\",\"redirect_uris\":[]}", "application/json", 200),
                               "ok");
    CU_ASSERT_STRING_NOT_EQUAL(
        check("{\"client_id\":\"" URL "\",\"redirect_uris\":\"https://a/cb\"}", "application/json", 200), "ok");
    const char *bad_uris[] = {"javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "http://app.example/cb",
                              "https://a/cb#frag",   "https://u@a/cb",   "https:///cb",        NULL};
    for (int i = 0; bad_uris[i]; i++) {
        char body[512];
        snprintf(body, sizeof(body), "{\"client_id\":\"" URL "\",\"redirect_uris\":[\"https://ok/cb\",\"%s\"]}",
                 bad_uris[i]);
        CU_ASSERT_STRING_NOT_EQUAL(check(body, "application/json", 200), "ok");
    }
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD ",\"client_secret\":\"s\"}", "application/json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check(GOOD ",\"client_secret_expires_at\":0}", "application/json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(
        check(GOOD ",\"token_endpoint_auth_method\":\"client_secret_basic\"}", "application/json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(
        check(GOOD ",\"token_endpoint_auth_method\":\"client_secret_post\"}", "application/json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(
        check(GOOD ",\"token_endpoint_auth_method\":\"client_secret_jwt\"}", "application/json", 200), "ok");
    CU_ASSERT_STRING_NOT_EQUAL(check("{\"client_id\":\"" URL "\",\"client_name\":5,\"redirect_uris\":[\"https://a/"
                                     "cb\"]}",
                                     "application/json", 200),
                               "ok");
    /* the size cap */
    char big[OB_CIMD_MAX_BYTES + 200];
    int n = snprintf(big, sizeof(big), GOOD ",\"pad\":\"");
    memset(big + n, 'x', sizeof(big) - (size_t)n - 3);
    memcpy(big + sizeof(big) - 3, "\"}", 3);
    CU_ASSERT_STRING_NOT_EQUAL(check(big, "application/json", 200), "ok");
}

static void test_ttl(void)
{
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl(NULL), 300);
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl(""), 300);
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl("public, max-age=3600"), 3600);
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl("max-age=5"), 60);
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl("max-age=0"), 60);
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl("max-age=999999999999999999999"), 86400);
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl("max-age=xyz"), 300);
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl("no-store"), 0);
    CU_ASSERT_EQUAL(ob_cimd_cache_ttl("public, no-cache"), 0);
}

static int answered, dropped;

static void on_answer(void *arg, int status, const json_t *doc, const char *why)
{
    (void)status, (void)doc, (void)why;
    free(arg); /* a waiter's context is released once: by its answer or by its drop */
    answered++;
}

static void on_drop(void *arg)
{
    free(arg);
    dropped++;
}

static void test_free_in_flight(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lfd, 4) == 0 &&
                    getsockname(lfd, (struct sockaddr *)&a, &len) == 0);
    char origin[64], url[96];
    snprintf(origin, sizeof(origin), "https://127.0.0.1:%d", ntohs(a.sin_port));
    snprintf(url, sizeof(url), "%s/slow.json", origin);
    json_t *allowed = json_pack("[s]", origin);
    h2o_evloop_t *loop = h2o_evloop_create();
    cm_http_client_t *http = cm_http_client_new(loop);
    ob_cimd_t *c = ob_cimd_new(http, allowed, NULL, 0);
    CU_ASSERT_FATAL(http != NULL && c != NULL);
    answered = dropped = 0;
    CU_ASSERT_EQUAL(ob_cimd_get(c, url, on_answer, on_drop, calloc(1, 64)), CM_AGAIN);
    CU_ASSERT_EQUAL(ob_cimd_get(c, url, on_answer, on_drop, calloc(1, 64)), CM_AGAIN); /* joins the fetch */
    CU_ASSERT_EQUAL(ob_cimd_fetches(c), 1);
    for (int i = 0; i < 10; i++)
        h2o_evloop_run(loop, 10); /* connected (the backlog accepts), the TLS hello unanswered */
    int answered_before = answered;
    ob_cimd_free(c);
    /* each context released exactly once (the sanitizer and valgrind passes see no leak); a fetch still in flight
     * (the usual case) drops both waiters, unanswered */
    CU_ASSERT_EQUAL(answered + dropped, 2);
    if (answered_before == 0) {
        CU_ASSERT_EQUAL(dropped, 2);
        CU_ASSERT_EQUAL(answered, 0);
    }
    cm_http_client_free(http);
    h2o_evloop_destroy(loop);
    json_decref(allowed);
    close(lfd);
}

void tests_register(void)
{
    CU_SUITE("as_cimd", NULL, NULL, {"addresses", test_addresses}, {"is_url", test_is_url}, {"validate", test_validate},
             {"ttl", test_ttl}, {"free_in_flight", test_free_in_flight});
}
