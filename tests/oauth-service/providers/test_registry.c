/*
 * test_registry.c - the plugin loader: from a test-only plugin directory it loads exactly the
 * valid plugin and logs one line for each skipped file (wrong ABI, no entry symbol, failing init,
 * duplicate provider name, not a shared object, not a regular file); registrations of skipped
 * plugins are discarded; config sections reach the right plugin. Then the real plugin directory
 * with the shipped broker configuration, and the example plugin. Reloads: a changed file replaces the
 * loaded version, which stays loaded while a provider of it is held and goes at the next reload after
 * the release; a bad file is skipped with one line, a removed one unloaded, one copied again unchanged.
 */
#include "cu.h"

#include "providers/host_api.h"
#include "providers/registry.h"

#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static op_host_api_t *host;

/* ---- stderr capture (cm_log writes one line per event to stderr) ---- */

static char logs[1 << 16];
static int saved_fd = -1;
static FILE *capture;

static void capture_start(void)
{
    fflush(stderr);
    capture = tmpfile();
    saved_fd = dup(2);
    dup2(fileno(capture), 2);
}

static void capture_stop(void)
{
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    rewind(capture);
    size_t n = fread(logs, 1, sizeof(logs) - 1, capture);
    logs[n] = '\0';
    fclose(capture);
    fputs(logs, stderr); /* keep them visible in the test output */
}

/* Lines of the capture containing every one of the (up to two) needles. */
static int lines_with(const char *a, const char *b)
{
    int n = 0;
    for (const char *line = logs; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        char buf[1024];
        snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
        if (strstr(buf, a) != NULL && (b == NULL || strstr(buf, b) != NULL))
            n++;
        line += len + (end != NULL);
    }
    return n;
}

static int setup(void)
{
    cm_log_set_level(CM_LOG_INFO);
    /* the broker loads its plugins at start, where flood control is off (main.c): every line is printed */
    cm_log_set_rate_limit_ms(0);
    host = ob_host_api_new(NULL);
    return host != NULL && getenv("OB_TEST_PLUGIN_DIR") != NULL && getenv("OB_PLUGIN_DIR") != NULL ? 0 : -1;
}

static int teardown(void)
{
    ob_host_api_free(host);
    return 0;
}

static void test_test_plugins(void)
{
    const char *dir = getenv("OB_TEST_PLUGIN_DIR");
    json_t *cfg = json_pack("{s:{s:s}, s:{}}", "tvalid", "display", "Configured A", "nosuchplugin");
    capture_start();
    ob_provider_registry_t *r = ob_registry_load(dir, host, cfg);
    capture_stop();
    json_decref(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);

    /* exactly the valid plugin */
    CU_ASSERT_EQUAL(ob_registry_plugin_count(r), 1);
    CU_ASSERT_EQUAL_FATAL(ob_registry_count(r), 2);
    CU_ASSERT_STRING_EQUAL(ob_registry_at(r, 0)->name, "tvalid_a");
    CU_ASSERT_STRING_EQUAL(ob_registry_at(r, 1)->name, "tvalid_b");
    CU_ASSERT_STRING_EQUAL(ob_registry_at(r, 0)->display_name, "Configured A"); /* its config section arrived */
    CU_ASSERT_STRING_EQUAL(ob_registry_plugin_of(r, 1), "tvalid");
    CU_ASSERT_EQUAL(ob_registry_abi_minor_of(r, 0), OP_ABI_MINOR);
    CU_ASSERT_PTR_NULL(ob_registry_at(r, 2));
    CU_ASSERT_PTR_NULL(ob_registry_plugin_of(r, 2));
    CU_ASSERT_PTR_EQUAL(ob_registry_find(r, "tvalid_b"), ob_registry_at(r, 1));
    CU_ASSERT_PTR_NULL(ob_registry_find(r, "tinitfail")); /* registered by a failing init: discarded */
    CU_ASSERT_PTR_NULL(ob_registry_find(r, "tdup_ok"));   /* its plugin had a registration refused */
    CU_ASSERT_PTR_NULL(ob_registry_find(r, "tabi99"));
    CU_ASSERT_PTR_NULL(ob_registry_find(r, NULL));

    /* one clear line per skipped file, naming it and the reason */
    CU_ASSERT_EQUAL(lines_with("level=warn", "20_abi99.so skipped: built for provider ABI 99.0"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", "30_nosym.so skipped: no oauth_provider_plugin symbol"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", "40_initfail.so skipped: init failed"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", "50_dup.so skipped: provider name \"tvalid_a\" is already registered"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", "bogus.so skipped: not a loadable shared object"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", "70_dir.so skipped: not a regular file"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", "\"providers.nosuchplugin\" names no plugin"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", NULL), 7);
    CU_ASSERT_EQUAL(lines_with("level=info", "60_unconfigured.so (tunconfigured) not configured"), 1);
    CU_ASSERT_EQUAL(lines_with("level=info", "10_valid.so (tvalid 0.1, ABI 1.3) loaded: 2 provider(s)"), 1);
    CU_ASSERT_EQUAL(lines_with("tdup fini", NULL), 1);         /* init succeeded: fini before unloading */
    CU_ASSERT_EQUAL(lines_with("abi99 init called", NULL), 0); /* refused before init */
    CU_ASSERT_EQUAL(lines_with("notes.txt", NULL), 0);         /* not a .so: ignored silently */

    capture_start();
    ob_registry_free(r);
    capture_stop();
    CU_ASSERT_EQUAL(lines_with("comp=provider:tvalid", "tvalid fini with its state"), 1);
}

static void test_directory_errors(void)
{
    capture_start();
    ob_provider_registry_t *r = ob_registry_load("/nonexistent/plugins", host, NULL);
    capture_stop();
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(lines_with("level=error", "cannot read the plugin directory /nonexistent/plugins"), 1);
    char dir[] = "/tmp/ob-plugins-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    capture_start();
    r = ob_registry_load(dir, host, NULL);
    capture_stop();
    CU_ASSERT_PTR_NOT_NULL(r);
    CU_ASSERT_EQUAL(ob_registry_count(r), 0);
    CU_ASSERT_EQUAL(lines_with("level=warn", "no provider loaded"), 1);
    ob_registry_free(r);
    rmdir(dir);
    CU_ASSERT_EQUAL(ob_registry_count(NULL), 0);
    ob_registry_free(NULL);
}

static json_t *shipped_providers_config(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/config/broker.json", getenv("OB_SOURCE_DIR"));
    json_t *cfg = json_load_file(path, 0, NULL);
    json_t *providers = json_incref(json_object_get(cfg, "providers"));
    json_decref(cfg);
    return providers;
}

static void test_real_plugins(void)
{
    json_t *providers = shipped_providers_config();
    CU_ASSERT_PTR_NOT_NULL_FATAL(providers);
    capture_start();
    ob_provider_registry_t *r = ob_registry_load(getenv("OB_PLUGIN_DIR"), host, providers);
    capture_stop();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(lines_with("level=warn", NULL), 0);
    CU_ASSERT_EQUAL(ob_registry_plugin_count(r), 5);
    const char *expect[][2] = {{"notion", "custom"}, {"dropbox", "custom"},      {"github", "github"},
                               {"google", "google"}, {"microsoft", "microsoft"}, {"slack", "slack"}};
    CU_ASSERT_EQUAL_FATAL(ob_registry_count(r), 6);
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_STRING_EQUAL(ob_registry_at(r, i)->name, expect[i][0]);
        CU_ASSERT_STRING_EQUAL(ob_registry_plugin_of(r, i), expect[i][1]);
    }
    const op_provider_t *ms = ob_registry_find(r, "microsoft");
    CU_ASSERT_PTR_NULL(ms->revoke);
    CU_ASSERT_FALSE(ms->capabilities & OP_CAP_REVOKE);
    CU_ASSERT(ob_registry_find(r, "google")->capabilities & OP_CAP_REVOKE);
    /* a real plugin works through the real host API */
    const op_provider_t *g = ob_registry_find(r, "google");
    op_client_t c = {sizeof(c), "cid", "sec", "https://broker.test/cb", NULL};
    op_authorize_params_t ap = {sizeof(ap), "state-1", NULL, "challenge", NULL, NULL};
    char *url = NULL;
    op_error_t err;
    CU_ASSERT_EQUAL(g->build_authorize_url(g->data, &c, &ap, &url, &err), OP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(url, "access_type=offline"));
    ob_host_mem_free(url);
    ob_registry_free(r);

    /* a bad section skips that plugin only */
    json_object_set_new(providers, "google", json_string("not an object"));
    capture_start();
    r = ob_registry_load(getenv("OB_PLUGIN_DIR"), host, providers);
    capture_stop();
    CU_ASSERT_EQUAL(ob_registry_count(r), 5);
    CU_ASSERT_EQUAL(lines_with("level=warn", "google.so skipped: configuration \"providers.google\" must be an object"),
                    1);
    ob_registry_free(r);
    /* without configuration the custom plugin is "not configured" (info), the others load */
    capture_start();
    r = ob_registry_load(getenv("OB_PLUGIN_DIR"), host, NULL);
    capture_stop();
    CU_ASSERT_EQUAL(ob_registry_count(r), 4);
    CU_ASSERT_EQUAL(lines_with("level=warn", NULL), 0);
    CU_ASSERT_EQUAL(lines_with("level=info", "custom.so (custom) not configured"), 1);
    ob_registry_free(r);
    json_decref(providers);
}

/* Copies src to dir/name through a temporary file and a rename (a new inode, as an installer does). */
static int put_file(const char *src, const char *dir, const char *name)
{
    char tmp[512], dst[512], buf[8192];
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    FILE *in = fopen(src, "rb"), *out = fopen(tmp, "wb");
    size_t n;
    int ok = in != NULL && out != NULL;
    while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in != NULL)
        fclose(in);
    if (out != NULL)
        ok = fclose(out) == 0 && ok;
    return ok && rename(tmp, dst) == 0 ? 0 : -1;
}

/* The number of entries of the report's list, and its first entry's member key as a string ("" when none). */
static size_t n_of(const json_t *rep, const char *list)
{
    return json_array_size(json_object_get(rep, list));
}

static const char *first(const json_t *rep, const char *list, const char *key)
{
    const char *v = json_string_value(json_object_get(json_array_get(json_object_get(rep, list), 0), key));
    return v != NULL ? v : "";
}

static void test_reload(void)
{
    char dir[] = "/tmp/ob-test-reload-XXXXXX", valid[512], example[512], path[512];
    json_t *rep = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(valid, sizeof(valid), "%s/10_valid.so", getenv("OB_TEST_PLUGIN_DIR"));
    snprintf(example, sizeof(example), "%s/example.so", getenv("OB_EXAMPLE_PLUGIN_DIR"));
    CU_ASSERT_EQUAL_FATAL(put_file(valid, dir, "a.so"), 0);
    ob_provider_registry_t *r = ob_registry_load(dir, host, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    const op_provider_t *held = ob_provider_hold(r, ob_registry_find(r, "tvalid_a"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(held);

    /* a changed file: replaced at once; the old version stays loaded while held */
    CU_ASSERT_EQUAL_FATAL(put_file(example, dir, "a.so"), 0);
    capture_start();
    CU_ASSERT_EQUAL(ob_registry_reload(r, &rep), CM_OK);
    capture_stop();
    CU_ASSERT_EQUAL(n_of(rep, "replaced"), 1);
    CU_ASSERT_STRING_EQUAL(first(rep, "replaced", "previous_version"), "0.1");
    CU_ASSERT_STRING_EQUAL(first(rep, "replaced", "version"), "1.0.0");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(rep, "old_versions_in_use")), 1);
    json_decref(rep);
    CU_ASSERT_PTR_NULL(ob_registry_find(r, "tvalid_a"));
    CU_ASSERT_PTR_NOT_NULL(ob_registry_find(r, "example"));
    CU_ASSERT_EQUAL(ob_registry_count(r), 1);
    CU_ASSERT_STRING_EQUAL(held->name, "tvalid_a"); /* still mapped */
    CU_ASSERT_EQUAL(lines_with("tvalid fini", NULL), 0);

    /* released: unloaded by the next reload (no loop here), fini called once */
    ob_provider_release(r, held);
    capture_start();
    CU_ASSERT_EQUAL(ob_registry_reload(r, &rep), CM_OK);
    capture_stop();
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(rep, "unchanged")), 1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(rep, "old_versions_in_use")), 0);
    CU_ASSERT_EQUAL(ob_registry_retired_count(r), 0);
    CU_ASSERT_EQUAL(lines_with("tvalid fini with its state", NULL), 1);
    CU_ASSERT_EQUAL(lines_with("a.so (tvalid 0.1): old version unloaded", NULL), 1);
    json_decref(rep);

    /* a bad file over the loaded one, and a new bad one: skipped with one line each, the loaded version stays */
    snprintf(path, sizeof(path), "%s/b.so", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("not a shared object\n", f);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(put_file(path, dir, "a.so"), 0);
    capture_start();
    CU_ASSERT_EQUAL(ob_registry_reload(r, &rep), CM_OK);
    capture_stop();
    CU_ASSERT_EQUAL(n_of(rep, "skipped"), 2);
    CU_ASSERT_EQUAL(n_of(rep, "loaded") + n_of(rep, "replaced") + n_of(rep, "unloaded"), 0);
    CU_ASSERT_EQUAL(lines_with("level=warn", "a.so skipped: not a loadable shared object"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", "(version 1.0.0 stays loaded)"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", "b.so skipped: not a loadable shared object"), 1);
    CU_ASSERT_EQUAL(lines_with("level=warn", NULL), 2);
    CU_ASSERT_PTR_NOT_NULL(ob_registry_find(r, "example"));
    json_decref(rep);

    /* the same build copied again: no change; removed: unloaded (nothing holds it) */
    CU_ASSERT_EQUAL_FATAL(put_file(example, dir, "a.so"), 0);
    remove(path);
    CU_ASSERT_EQUAL(ob_registry_reload(r, &rep), CM_OK);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(rep, "unchanged")), 1);
    CU_ASSERT_EQUAL(n_of(rep, "skipped") + n_of(rep, "replaced"), 0);
    json_decref(rep);
    snprintf(path, sizeof(path), "%s/a.so", dir);
    remove(path);
    CU_ASSERT_EQUAL(ob_registry_reload(r, &rep), CM_OK);
    CU_ASSERT_STRING_EQUAL(first(rep, "unloaded", "file"), "a.so");
    CU_ASSERT_EQUAL(ob_registry_count(r), 0);
    CU_ASSERT_EQUAL(ob_registry_retired_count(r), 0);
    json_decref(rep);
    ob_registry_free(r);
    rmdir(dir);
}

static void test_example_plugin(void)
{
    capture_start();
    ob_provider_registry_t *r = ob_registry_load(getenv("OB_EXAMPLE_PLUGIN_DIR"), host, NULL);
    capture_stop();
    CU_ASSERT_EQUAL_FATAL(ob_registry_count(r), 1);
    CU_ASSERT_STRING_EQUAL(ob_registry_at(r, 0)->name, "example");
    CU_ASSERT_STRING_EQUAL(ob_registry_plugin_of(r, 0), "example");
    ob_registry_free(r);
}

void tests_register(void)
{
    CU_SUITE("provider registry", setup, teardown, {"test plugins", test_test_plugins},
             {"directory errors", test_directory_errors}, {"real plugins", test_real_plugins},
             {"example plugin", test_example_plugin}, {"reload", test_reload});
}
