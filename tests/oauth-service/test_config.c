/*
 * test_config.c - configuration loading: defaults, relative paths, environment overrides and one
 * clear error line for each kind of bad configuration.
 */
#include "cu.h"

#include "config/config.h"

#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/ob-config-XXXXXX";
static char path[256];

static int suite_init(void)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/broker.json", dir);
    unsetenv("DATABASE_URL");
    unsetenv("OAUTH_SERVICE_PORT");
    unsetenv("OAUTH_SERVICE_HOST");
    unsetenv("OAUTH_BASE_URL");
    unsetenv("OB_PLUGIN_DIR");
    unsetenv("OB_MIGRATIONS_DIR");
    unsetenv("OB_SERVICES_FILE");
    unsetenv("LOG_LEVEL");
    unsetenv("LOG_FORMAT");
    unsetenv("OB_WORKERS");
    return 0;
}

static int suite_clean(void)
{
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_cfg(const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* Loads the file; returns the status and leaves the error line in err. */
static int load(const char *text, ob_config_t *cfg, char *err, size_t errsz)
{
    write_cfg(text);
    err[0] = '\0';
    return ob_config_load(path, cfg, err, errsz);
}

static void test_defaults_and_relative_paths(void)
{
    ob_config_t cfg;
    char err[512];
    int rc = load("{\"database\":{\"url\":\"postgresql:///x\"},\"migrations_dir\":\"../db/migrations\","
                  "\"services_file\":\"services.json\",\"providers\":{\"google\":{}}}",
                  &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(rc, CM_OK);
    CU_ASSERT_EQUAL(cfg.port, 3001);
    CU_ASSERT_STRING_EQUAL(cfg.listen_host, "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(cfg.base_url, "http://127.0.0.1:3001");
    CU_ASSERT_EQUAL(cfg.db_pool_size, 4);
    char expect[300];
    snprintf(expect, sizeof(expect), "%s/../db/migrations", dir);
    CU_ASSERT_STRING_EQUAL(cfg.migrations_dir, expect);
    snprintf(expect, sizeof(expect), "%s/services.json", dir);
    CU_ASSERT_STRING_EQUAL(cfg.services_file, expect);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(cfg.providers, "google"));
    CU_ASSERT_EQUAL(cfg.log_level, CM_LOG_INFO);
    ob_config_free(&cfg);
}

static void test_env_overrides(void)
{
    ob_config_t cfg;
    char err[512];
    setenv("DATABASE_URL", "postgresql://env@127.0.0.1/db", 1);
    setenv("OAUTH_SERVICE_PORT", "4555", 1);
    setenv("OAUTH_BASE_URL", "https://broker.example.com/", 1);
    setenv("OB_PLUGIN_DIR", "/opt/plugins", 1);
    setenv("LOG_LEVEL", "debug", 1);
    int rc = load("{\"listen\":{\"port\":3002},\"database\":{\"url\":\"postgresql:///file\"},\"log_level\":\"warn\"}",
                  &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(rc, CM_OK);
    CU_ASSERT_EQUAL(cfg.port, 4555);
    CU_ASSERT_STRING_EQUAL(cfg.database_url, "postgresql://env@127.0.0.1/db");
    CU_ASSERT_STRING_EQUAL(cfg.base_url, "https://broker.example.com"); /* trailing slash dropped */
    CU_ASSERT_STRING_EQUAL(cfg.plugin_dir, "/opt/plugins");
    CU_ASSERT_EQUAL(cfg.log_level, CM_LOG_DEBUG);
    ob_config_free(&cfg);

    setenv("OAUTH_SERVICE_PORT", "99999", 1);
    rc = load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "OAUTH_SERVICE_PORT"));
    setenv("OAUTH_SERVICE_PORT", "12ab", 1);
    rc = load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, CM_EINVAL);
    unsetenv("DATABASE_URL");
    unsetenv("OAUTH_SERVICE_PORT");
    unsetenv("OAUTH_BASE_URL");
    unsetenv("OB_PLUGIN_DIR");
    unsetenv("LOG_LEVEL");
}

static void test_log_format(void)
{
    ob_config_t cfg;
    char err[512];
    int rc = load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(rc, CM_OK);
    CU_ASSERT_EQUAL(cfg.log_format, CM_LOG_FORMAT_TEXT);
    ob_config_free(&cfg);
    rc = load("{\"database\":{\"url\":\"x\"},\"log\":{\"format\":\"json\"}}", &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(rc, CM_OK);
    CU_ASSERT_EQUAL(cfg.log_format, CM_LOG_FORMAT_JSON);
    ob_config_free(&cfg);
    setenv("LOG_FORMAT", "text", 1); /* the environment wins */
    rc = load("{\"database\":{\"url\":\"x\"},\"log\":{\"format\":\"json\"}}", &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(rc, CM_OK);
    CU_ASSERT_EQUAL(cfg.log_format, CM_LOG_FORMAT_TEXT);
    ob_config_free(&cfg);
    setenv("LOG_FORMAT", "yaml", 1);
    rc = load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "LOG_FORMAT"));
    unsetenv("LOG_FORMAT");
}

static void test_workers(void)
{
    ob_config_t cfg;
    char err[512];
    unsetenv("OB_WORKERS");
    CU_ASSERT_EQUAL_FATAL(load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err)), CM_OK);
    CU_ASSERT_EQUAL(cfg.workers, 0); /* one per CPU */
    ob_config_free(&cfg);
    CU_ASSERT_EQUAL_FATAL(load("{\"database\":{\"url\":\"x\"},\"listen\":{\"workers\":3}}", &cfg, err, sizeof(err)),
                          CM_OK);
    CU_ASSERT_EQUAL(cfg.workers, 3);
    ob_config_free(&cfg);
    setenv("OB_WORKERS", "1", 1); /* the environment wins */
    CU_ASSERT_EQUAL_FATAL(load("{\"database\":{\"url\":\"x\"},\"listen\":{\"workers\":3}}", &cfg, err, sizeof(err)),
                          CM_OK);
    CU_ASSERT_EQUAL(cfg.workers, 1);
    ob_config_free(&cfg);
    setenv("OB_WORKERS", "65", 1);
    CU_ASSERT_EQUAL(load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "OB_WORKERS"));
    setenv("OB_WORKERS", "2x", 1);
    CU_ASSERT_EQUAL(load("{\"database\":{\"url\":\"x\"}}", &cfg, err, sizeof(err)), CM_EINVAL);
    unsetenv("OB_WORKERS");
}

static void expect_error(const char *text, const char *needle)
{
    ob_config_t cfg;
    char err[512];
    int rc = load(text, &cfg, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "config error: "));
    if (strstr(err, needle) == NULL) {
        fprintf(stderr, "\nexpected \"%s\" in: %s\n", needle, err);
        CU_FAIL("error line does not name the problem");
    }
    CU_ASSERT_PTR_NULL(strchr(err, '\n'));
}

static void test_errors(void)
{
    expect_error("{\"database\":{\"url\":\"x\"},\"log\":{\"format\":\"xml\"}}", "log must be");
    expect_error("{\"database\":{\"url\":\"x\"},\"log\":{\"format\":\"json\",\"level\":1}}", "log must be");
    expect_error("{\"database\": {\"url\": \"x\"}", "invalid JSON");
    expect_error("[]", "top level must be a JSON object");
    expect_error("{\"databse\": {}}", "unknown key \"databse\"");
    expect_error("{\"database\": {\"url\": \"x\"}, \"listen\": {\"port\": 0}}", "listen.port");
    expect_error("{\"database\": {\"url\": \"x\"}, \"listen\": {\"port\": \"3001\"}}", "listen.port");
    expect_error("{\"database\": {\"url\": 5}}", "database.url");
    expect_error("{\"database\": {\"url\": \"x\"}, \"listen\": {\"workers\": 65}}", "listen.workers");
    expect_error("{\"database\": {\"url\": \"x\"}, \"listen\": {\"workers\": -1}}", "listen.workers");
    expect_error("{}", "database.url is not set");
    expect_error("{\"database\": {\"url\": \"x\"}, \"base_url\": \"ftp://x\"}", "base_url");
    expect_error("{\"database\": {\"url\": \"x\"}, \"log_level\": \"loud\"}", "log_level");
    expect_error("{\"database\": {\"url\": \"x\"}, \"providers\": {\"google\": 1}}", "providers.google");
    expect_error("{\"database\": {\"url\": \"x\"}, \"database\": {}}", "duplicate");

    ob_config_t cfg;
    char err[512];
    CU_ASSERT_EQUAL(ob_config_load("/nonexistent/broker.json", &cfg, err, sizeof(err)), CM_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/broker.json"));
}

void tests_register(void)
{
    CU_SUITE("config", suite_init, suite_clean, {"defaults and relative paths", test_defaults_and_relative_paths},
             {"environment overrides", test_env_overrides}, {"log format", test_log_format}, {"errors", test_errors},
             {"listen.workers and OB_WORKERS", test_workers});
}
