/*
 * test_config_flows.c - the keys / oauth sections of the broker config and their environment
 * overrides, in the style of test_config.c.
 */
#include "cu.h"

#include "config/config.h"

#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/ob-config-flows-XXXXXX";
static char path[256];

static const char *const envs[] = {"DATABASE_URL",
                                   "OB_KEYS_DIR",
                                   "VAR_DIR",
                                   "OB_DATA_KEY_FILE",
                                   "OB_ADMIN_KEY_FILE",
                                   "OB_ADMIN_KEY_SHA256",
                                   "OB_SERVICE_KEYS_DIR",
                                   "OB_ALLOWED_RETURN_URLS",
                                   "OB_REFRESH_MARGIN_S",
                                   NULL};

static int suite_init(void)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/broker.json", dir);
    for (size_t i = 0; envs[i]; i++)
        unsetenv(envs[i]);
    return 0;
}

static int suite_clean(void)
{
    unlink(path);
    rmdir(dir);
    return 0;
}

static int load(const char *text, ob_config_t *cfg, char *err, size_t errsz)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return CM_EIO;
    fputs(text, f);
    fclose(f);
    err[0] = '\0';
    return ob_config_load(path, cfg, err, errsz);
}

static void test_defaults(void)
{
    ob_config_t cfg;
    char err[512], expect[512];
    CU_ASSERT_EQUAL_FATAL(load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(cfg.state_ttl_s, 600);
    CU_ASSERT_EQUAL(cfg.refresh_margin_s, 300);
    CU_ASSERT_EQUAL(cfg.instance_cache_ttl_ms, 2000);
    CU_ASSERT_EQUAL(cfg.instance_cache_max_entries, 200000);
    CU_ASSERT_EQUAL(cfg.change_notify, 1);
    CU_ASSERT_EQUAL(cfg.callback_per_provider, 0);
    CU_ASSERT_EQUAL(json_array_size(cfg.allowed_return_urls), 0);
    snprintf(expect, sizeof(expect), "%s/var/keys/data.keys", OB_SOURCE_DIR);
    CU_ASSERT_STRING_EQUAL(cfg.data_key_file, expect);
    snprintf(expect, sizeof(expect), "%s/var/keys/services", OB_SOURCE_DIR);
    CU_ASSERT_STRING_EQUAL(cfg.service_keys_dir, expect);
    CU_ASSERT_PTR_NULL(cfg.admin_key_sha256);
    CU_ASSERT_PTR_NOT_NULL(strstr(cfg.mcp_url_template, "{instance_id}"));
    ob_config_free(&cfg);
    setenv("VAR_DIR", "/srv/ob-var", 1);
    CU_ASSERT_EQUAL_FATAL(load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(cfg.admin_key_file, "/srv/ob-var/keys/admin.key");
    ob_config_free(&cfg);
    setenv("OB_KEYS_DIR", "/etc/ob/keys", 1);
    CU_ASSERT_EQUAL_FATAL(load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(cfg.data_key_file, "/etc/ob/keys/data.keys");
    ob_config_free(&cfg);
    unsetenv("VAR_DIR");
    unsetenv("OB_KEYS_DIR");
}

static void test_file_and_env(void)
{
    ob_config_t cfg;
    char err[512], expect[512];
    const char *text = "{\"database\":{\"url\":\"x\"},\"keys\":{\"data_key_file\":\"k/data.keys\","
                       "\"admin_key_sha256\":\""
                       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                       "\",\"services_dir\":\"/abs/services\"},"
                       "\"oauth\":{\"allowed_return_urls\":[\"https://app.example/cb\"],\"state_ttl_s\":300,"
                       "\"refresh_margin_s\":120,\"instance_cache_ttl_ms\":0,\"callback_per_provider\":true,"
                       "\"instance_cache_max_entries\":5000,\"change_notify\":false},"
                       "\"mcp_url_template\":\"https://mcp.example/{service}/{instance_id}/mcp\"}";
    CU_ASSERT_EQUAL_FATAL(load(text, &cfg, err, sizeof(err)), CM_OK);
    snprintf(expect, sizeof(expect), "%s/k/data.keys", dir);
    CU_ASSERT_STRING_EQUAL(cfg.data_key_file, expect);
    CU_ASSERT_STRING_EQUAL(cfg.service_keys_dir, "/abs/services");
    CU_ASSERT_EQUAL(cfg.state_ttl_s, 300);
    CU_ASSERT_EQUAL(cfg.refresh_margin_s, 120);
    CU_ASSERT_EQUAL(cfg.instance_cache_ttl_ms, 0);
    CU_ASSERT_EQUAL(cfg.instance_cache_max_entries, 5000);
    CU_ASSERT_EQUAL(cfg.change_notify, 0);
    CU_ASSERT_EQUAL(cfg.callback_per_provider, 1);
    CU_ASSERT_EQUAL(json_array_size(cfg.allowed_return_urls), 1);
    CU_ASSERT_STRING_EQUAL(cfg.mcp_url_template, "https://mcp.example/{service}/{instance_id}/mcp");
    ob_config_free(&cfg);

    setenv("OB_DATA_KEY_FILE", "/env/data.keys", 1);
    setenv("OB_ALLOWED_RETURN_URLS", "https://a.example/x,http://localhost:5173/", 1);
    setenv("OB_REFRESH_MARGIN_S", "60", 1);
    CU_ASSERT_EQUAL_FATAL(load(text, &cfg, err, sizeof(err)), CM_OK);
    CU_ASSERT_STRING_EQUAL(cfg.data_key_file, "/env/data.keys");
    CU_ASSERT_EQUAL(json_array_size(cfg.allowed_return_urls), 2);
    CU_ASSERT_EQUAL(cfg.refresh_margin_s, 60);
    ob_config_free(&cfg);
    setenv("OB_REFRESH_MARGIN_S", "-1", 1);
    CU_ASSERT_EQUAL(load(text, &cfg, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "OB_REFRESH_MARGIN_S"));
    unsetenv("OB_REFRESH_MARGIN_S");
    setenv("OB_ALLOWED_RETURN_URLS", "https://ok.example/,javascript:alert(1)", 1);
    CU_ASSERT_EQUAL(load(text, &cfg, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "entry 2"));
    unsetenv("OB_ALLOWED_RETURN_URLS");
    setenv("OB_ADMIN_KEY_SHA256", "abc", 1);
    CU_ASSERT_EQUAL(load(text, &cfg, err, sizeof(err)), CM_EINVAL);
    unsetenv("OB_ADMIN_KEY_SHA256");
    unsetenv("OB_DATA_KEY_FILE");
}

static void expect_error(const char *text, const char *needle)
{
    ob_config_t cfg;
    char err[512];
    CU_ASSERT_EQUAL(load(text, &cfg, err, sizeof(err)), CM_EINVAL);
    if (strstr(err, needle) == NULL) {
        fprintf(stderr, "\nexpected \"%s\" in: %s\n", needle, err);
        CU_FAIL("error line does not name the problem");
    }
}

static void test_errors(void)
{
    expect_error("{\"database\":{\"url\":\"x\"},\"keys\":[]}", "keys must be an object");
    expect_error("{\"database\":{\"url\":\"x\"},\"keys\":{\"data_key\":\"x\"}}", "keys.data_key");
    expect_error("{\"database\":{\"url\":\"x\"},\"keys\":{\"admin_key_sha256\":\"00\"}}", "admin_key_sha256");
    expect_error("{\"database\":{\"url\":\"x\"},\"oauth\":{\"allowed_return_urls\":\"https://x\"}}",
                 "oauth.allowed_return_urls");
    expect_error("{\"database\":{\"url\":\"x\"},\"oauth\":{\"allowed_return_urls\":[\"/relative\"]}}",
                 "oauth.allowed_return_urls[0]");
    expect_error("{\"database\":{\"url\":\"x\"},\"oauth\":{\"state_ttl_s\":5}}", "oauth.state_ttl_s");
    expect_error("{\"database\":{\"url\":\"x\"},\"oauth\":{\"refresh_margin_s\":-1}}", "oauth.refresh_margin_s");
    expect_error("{\"database\":{\"url\":\"x\"},\"oauth\":{\"callback_per_provider\":1}}",
                 "oauth.callback_per_provider");
    expect_error("{\"database\":{\"url\":\"x\"},\"oauth\":{\"instance_cache_max_entries\":10}}",
                 "oauth.instance_cache_max_entries");
    expect_error("{\"database\":{\"url\":\"x\"},\"oauth\":{\"change_notify\":\"yes\"}}", "oauth.change_notify");
    expect_error("{\"database\":{\"url\":\"x\"},\"oauth\":{\"nope\":1}}", "oauth.nope");
    expect_error("{\"database\":{\"url\":\"x\"},\"mcp_url_template\":5}", "mcp_url_template");
}

static void test_authz(void)
{
    ob_config_t cfg;
    char err[512];
    CU_ASSERT_EQUAL_FATAL(load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(cfg.authz.enabled, 1);
    CU_ASSERT_EQUAL(cfg.authz.access_token_ttl_s, 3600);
    CU_ASSERT_EQUAL(cfg.authz.refresh_token_ttl_s, 2592000);
    CU_ASSERT_EQUAL(cfg.authz.code_ttl_s, 60);
    CU_ASSERT_EQUAL(cfg.authz.key_publish_ahead_s, 600);
    CU_ASSERT_EQUAL(cfg.authz.dcr_rate_per_min, 20);
    CU_ASSERT_EQUAL(cfg.authz.dcr_idle_days, 30);
    CU_ASSERT_EQUAL(json_array_size(cfg.authz.cimd_allowed_origins), 0);
    CU_ASSERT_EQUAL(json_object_size(cfg.authz.apps), 0);
    CU_ASSERT_PTR_NULL(cfg.authz.cimd_ca_file);
    ob_config_free(&cfg);
    CU_ASSERT_EQUAL_FATAL(load("{\"database\":{\"url\":\"x\"},\"authorization\":{\"enabled\":false,"
                               "\"access_token_ttl_s\":120,\"key_publish_ahead_s\":0,\"dcr_rate_per_min\":0,"
                               "\"cimd_allowed_origins\":[\"https://127.0.0.1:8443\"]}}",
                               &cfg, err, sizeof(err)),
                          CM_OK);
    CU_ASSERT_EQUAL(cfg.authz.enabled, 0);
    CU_ASSERT_EQUAL(cfg.authz.access_token_ttl_s, 120);
    CU_ASSERT_EQUAL(cfg.authz.key_publish_ahead_s, 0);
    CU_ASSERT_EQUAL(cfg.authz.dcr_rate_per_min, 0);
    CU_ASSERT_EQUAL(json_array_size(cfg.authz.cimd_allowed_origins), 1);
    ob_config_free(&cfg);

#define AZ(x) "{\"database\":{\"url\":\"x\"},\"authorization\":" x "}"
    expect_error(AZ("[]"), "authorization must be an object");
    expect_error(AZ("{\"nope\":1}"), "authorization.nope");
    expect_error(AZ("{\"enabled\":1}"), "authorization.enabled");
    expect_error(AZ("{\"access_token_ttl_s\":59}"), "authorization.access_token_ttl_s");
    expect_error(AZ("{\"access_token_ttl_s\":\"3600\"}"), "authorization.access_token_ttl_s");
    expect_error(AZ("{\"refresh_token_ttl_s\":299}"), "authorization.refresh_token_ttl_s");
    expect_error(AZ("{\"access_token_ttl_s\":7200,\"refresh_token_ttl_s\":3600}"), "authorization.refresh_token_ttl_s");
    expect_error(AZ("{\"code_ttl_s\":601}"), "authorization.code_ttl_s");
    expect_error(AZ("{\"key_publish_ahead_s\":-1}"), "authorization.key_publish_ahead_s");
    expect_error(AZ("{\"dcr_rate_per_min\":-1}"), "authorization.dcr_rate_per_min");
    expect_error(AZ("{\"dcr_idle_days\":0}"), "authorization.dcr_idle_days");
    expect_error(AZ("{\"cimd_allowed_origins\":\"https://x\"}"), "authorization.cimd_allowed_origins");
    expect_error(AZ("{\"cimd_allowed_origins\":[\"http://127.0.0.1\"]}"), "authorization.cimd_allowed_origins[0]");
    expect_error(AZ("{\"cimd_allowed_origins\":[\"https://a.example/path\"]}"),
                 "authorization.cimd_allowed_origins[0]");
    expect_error(AZ("{\"mcp_service_url_template\":\"ftp://x/mcp\"}"), "authorization.mcp_service_url_template");
    expect_error(AZ("{\"apps\":[]}"), "authorization.apps");
    expect_error(AZ("{\"apps\":{\"gmail\":{}}}"), "authorization.apps.gmail");
    expect_error(AZ("{\"apps\":{\"gmail\":{\"client_id\":\"c\",\"client_secret\":\"s\"}}}"),
                 "authorization.apps.gmail.client_secret");
#undef AZ
}

void tests_register(void)
{
    CU_SUITE("config_flows", suite_init, suite_clean, {"defaults", test_defaults},
             {"file and environment", test_file_and_env}, {"errors", test_errors},
             {"authorization section", test_authz});
}
