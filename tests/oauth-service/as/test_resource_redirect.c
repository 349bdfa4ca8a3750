/*
 * test_resource_redirect.c - resource indicators (normalisation, service and instance URLs of the registry) and
 * redirect URI matching (exact, loopback port ignored, localhost != 127.0.0.1).
 */
#include "cu.h"

#include "as/redirect.h"
#include "as/resource.h"

#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#define ID1 "6f1c2f8e-3a8b-4c1e-9d2a-1b2c3d4e5f60"

static const char *norm(const char *in)
{
    static char out[256];
    char *s = NULL;
    if (ob_as_resource_normalize(in, &s) != CM_OK)
        return "(refused)";
    snprintf(out, sizeof(out), "%s", s);
    free(s);
    return out;
}

static void test_normalize(void)
{
    CU_ASSERT_STRING_EQUAL(norm("http://127.0.0.1:49296/mcp"), "http://127.0.0.1:49296/mcp");
    CU_ASSERT_STRING_EQUAL(norm("HTTP://LocalHost:49296/Mcp"), "http://localhost:49296/Mcp"); /* path stays */
    CU_ASSERT_STRING_EQUAL(norm("http://127.0.0.1:80/mcp"), "http://127.0.0.1/mcp");
    CU_ASSERT_STRING_EQUAL(norm("https://mcp.example.com:443/mcp"), "https://mcp.example.com/mcp");
    CU_ASSERT_STRING_EQUAL(norm("https://mcp.example.com:80/mcp"), "https://mcp.example.com:80/mcp");
    CU_ASSERT_STRING_EQUAL(norm("http://127.0.0.1:49296/mcp/"), "http://127.0.0.1:49296/mcp");
    CU_ASSERT_STRING_EQUAL(norm("https://mcp.example.com/"), "https://mcp.example.com");
    CU_ASSERT_STRING_EQUAL(norm("https://mcp.example.com"), "https://mcp.example.com");
    CU_ASSERT_STRING_EQUAL(norm("http://[::1]:8080/mcp"), "http://[::1]:8080/mcp");
    const char *bad[] = {"",
                         "/mcp",
                         "ftp://host/mcp",
                         "http://host/mcp?x=1",
                         "http://host/mcp#frag",
                         "http://user@host/mcp",
                         "http://user:pw@host/mcp",
                         "http://host:0/mcp",
                         "http://host:65536/mcp",
                         "http://host:/mcp",
                         "http://host:12a/mcp",
                         "http:///mcp",
                         "http://host /mcp",
                         "http://[::1/mcp",
                         "http://[::1]x/mcp",
                         "http://host/m\tcp",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        CU_ASSERT_STRING_EQUAL(norm(bad[i]), "(refused)");
        if (strcmp(norm(bad[i]), "(refused)") != 0)
            fprintf(stderr, "accepted: %s\n", bad[i]);
    }
    char *big = malloc(3000);
    memset(big, 'a', 2999);
    memcpy(big, "http://h/", 9);
    big[2999] = '\0';
    CU_ASSERT_STRING_EQUAL(norm(big), "(refused)");
    free(big);
}

static ob_broker_t *broker(const char *inst_tmpl, const char *svc_tmpl)
{
    static ob_config_t cfg;
    static ob_broker_t b;
    json_decref(b.services); /* the previous call's */
    memset(&cfg, 0, sizeof(cfg));
    memset(&b, 0, sizeof(b));
    cfg.mcp_url_template = (char *)inst_tmpl;
    cfg.authz.mcp_service_url_template = (char *)svc_tmpl;
    b.cfg = &cfg;
    b.services = json_pack("[{s:s, s:i}, {s:s, s:i}]", "service_name", "gmail", "port", 49296, "service_name", "github",
                           "port", 49300);
    return &b;
}

static int classify(ob_broker_t *b, const char *url, ob_as_resource_t *r)
{
    char *canon = NULL;
    if (ob_as_resource_normalize(url, &canon) != CM_OK)
        return CM_EINVAL;
    int rc = ob_as_resource_classify(b, canon, r);
    free(canon);
    return rc;
}

static void test_classify(void)
{
    ob_broker_t *b = broker("http://127.0.0.1:{port}/{instance_id}/mcp", NULL);
    ob_as_resource_t r;
    CU_ASSERT_EQUAL(classify(b, "http://127.0.0.1:49296/mcp", &r), CM_OK);
    CU_ASSERT_EQUAL(r.kind, OB_AS_RES_SERVICE);
    CU_ASSERT_STRING_EQUAL(r.service, "gmail");
    CU_ASSERT_EQUAL(classify(b, "http://127.0.0.1:49300/mcp/", &r), CM_OK);
    CU_ASSERT_EQUAL(r.kind, OB_AS_RES_SERVICE);
    CU_ASSERT_STRING_EQUAL(r.service, "github");
    CU_ASSERT_EQUAL(classify(b, "http://127.0.0.1:49296/" ID1 "/mcp", &r), CM_OK);
    CU_ASSERT_EQUAL(r.kind, OB_AS_RES_INSTANCE);
    CU_ASSERT_STRING_EQUAL(r.service, "gmail");
    CU_ASSERT_STRING_EQUAL(r.instance_id, ID1);
    CU_ASSERT_EQUAL(classify(b, "HTTP://127.0.0.1:49300/" ID1 "/mcp", &r), CM_OK);
    CU_ASSERT_STRING_EQUAL(r.service, "github");
    /* not ours: another port, another host, another path, a malformed or uppercase id, extra segments */
    const char *no[] = {"http://127.0.0.1:49297/mcp",
                        "http://localhost:49296/mcp",
                        "https://127.0.0.1:49296/mcp",
                        "http://127.0.0.1:49296/mcpx",
                        "http://127.0.0.1:49296",
                        "http://127.0.0.1:49296/6f1c2f8e-3a8b-4c1e-9d2a-1b2c3d4e5f6/mcp",
                        "http://127.0.0.1:49296/6F1C2F8E-3A8B-4C1E-9D2A-1B2C3D4E5F60/mcp",
                        "http://127.0.0.1:49296/x/" ID1 "/mcp",
                        "http://127.0.0.1:49296/" ID1 "/mcp/x",
                        NULL};
    for (int i = 0; no[i]; i++)
        CU_ASSERT_EQUAL(classify(b, no[i], &r), CM_ENOTFOUND);
    /* the templates decide: a public https host, the service in the path */
    b = broker("https://MCP.example.com:443/{service}/{instance_id}/mcp", "https://mcp.example.com/{service}/mcp");
    CU_ASSERT_EQUAL(classify(b, "https://mcp.example.com/github/mcp", &r), CM_OK);
    CU_ASSERT_EQUAL(r.kind, OB_AS_RES_SERVICE);
    CU_ASSERT_STRING_EQUAL(r.service, "github");
    CU_ASSERT_EQUAL(classify(b, "https://mcp.example.com/gmail/" ID1 "/mcp", &r), CM_OK);
    CU_ASSERT_EQUAL(r.kind, OB_AS_RES_INSTANCE);
    CU_ASSERT_STRING_EQUAL(r.service, "gmail");
    CU_ASSERT_EQUAL(classify(b, "https://mcp.example.com/github/" ID1 "/mcpx", &r), CM_ENOTFOUND);
    CU_ASSERT_EQUAL(classify(b, "http://127.0.0.1:49296/mcp", &r), CM_ENOTFOUND);
    char *u = ob_as_service_url(b, "gmail");
    CU_ASSERT_STRING_EQUAL(u, "https://mcp.example.com/gmail/mcp");
    free(u);
    CU_ASSERT_PTR_NULL(ob_as_service_url(b, "nope"));
    json_decref(b->services);
    b->services = NULL;
}

static void test_redirect(void)
{
    /* exact */
    CU_ASSERT_TRUE(
        ob_as_redirect_match("https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback"));
    CU_ASSERT_FALSE(
        ob_as_redirect_match("https://claude.ai/api/mcp/auth_callback", "https://claude.ai/api/mcp/auth_callback/"));
    CU_ASSERT_FALSE(ob_as_redirect_match("https://claude.ai/cb", "https://claude.ai:8443/cb"));
    CU_ASSERT_FALSE(ob_as_redirect_match("https://claude.ai/cb", "https://CLAUDE.ai/cb"));
    CU_ASSERT_TRUE(ob_as_redirect_match("cursor://anysphere.cursor-mcp/oauth/callback",
                                        "cursor://anysphere.cursor-mcp/oauth/callback"));
    /* Claude Code: the document lists port-less loopback URIs, the client listens on an ephemeral port */
    CU_ASSERT_TRUE(ob_as_redirect_match("http://localhost/callback", "http://localhost:3118/callback"));
    CU_ASSERT_TRUE(ob_as_redirect_match("http://127.0.0.1/callback", "http://127.0.0.1:53122/callback"));
    CU_ASSERT_TRUE(ob_as_redirect_match("http://127.0.0.1:33418/", "http://127.0.0.1:50000/"));
    CU_ASSERT_TRUE(ob_as_redirect_match("http://[::1]:8080/cb", "http://[::1]/cb"));
    CU_ASSERT_TRUE(ob_as_redirect_match("http://127.0.0.1/cb?x=1", "http://127.0.0.1:9/cb?x=1"));
    /* never across hosts, paths, queries or schemes */
    CU_ASSERT_FALSE(ob_as_redirect_match("http://localhost/callback", "http://127.0.0.1:3118/callback"));
    CU_ASSERT_FALSE(ob_as_redirect_match("http://127.0.0.1/callback", "http://localhost:3118/callback"));
    CU_ASSERT_FALSE(ob_as_redirect_match("http://127.0.0.1/callback", "http://127.0.0.1:3118/callback2"));
    CU_ASSERT_FALSE(ob_as_redirect_match("http://127.0.0.1/cb?x=1", "http://127.0.0.1:9/cb?x=2"));
    CU_ASSERT_FALSE(ob_as_redirect_match("https://127.0.0.1/cb", "https://127.0.0.1:9/cb"));
    CU_ASSERT_FALSE(ob_as_redirect_match("http://localhost/cb", "http://localhost.evil.example:9/cb"));
    CU_ASSERT_FALSE(ob_as_redirect_match("http://localhost/cb", "http://localhost:/cb"));
    CU_ASSERT_FALSE(ob_as_redirect_match("http://localhost/cb", "http://localhost:99999999/cb"));
    CU_ASSERT_FALSE(ob_as_redirect_match("http://example.com/cb", "http://example.com:81/cb"));
    CU_ASSERT_FALSE(ob_as_redirect_match(NULL, "http://localhost/cb"));
    json_t *list = json_pack("[s, i, s]", "https://app.example/cb", 5, "http://localhost/callback");
    CU_ASSERT_TRUE(ob_as_redirect_allowed(list, "http://localhost:4000/callback"));
    CU_ASSERT_TRUE(ob_as_redirect_allowed(list, "https://app.example/cb"));
    CU_ASSERT_FALSE(ob_as_redirect_allowed(list, "https://app.example/cb2"));
    json_decref(list);
    CU_ASSERT_TRUE(ob_as_redirect_is_loopback("http://localhost:5/x"));
    CU_ASSERT_TRUE(ob_as_redirect_is_loopback("http://[::1]/x"));
    CU_ASSERT_FALSE(ob_as_redirect_is_loopback("https://localhost/x"));
    CU_ASSERT_FALSE(ob_as_redirect_is_loopback("http://127.0.0.1.nip.io/x"));
}

void tests_register(void)
{
    CU_SUITE("as_resource_redirect", NULL, NULL, {"normalize", test_normalize}, {"classify", test_classify},
             {"redirect", test_redirect});
}
