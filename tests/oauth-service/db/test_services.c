/*
 * test_services.c - loading and validating config/services.json (no database needed): the real
 * file loads and is normalized, and each kind of bad entry is refused with one line naming the
 * file, the entry and the field.
 */
#include "cu.h"

#include "db/migrate.h"

#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char services_path[1024];
static char err[512];

/* Writes text to a temporary file, loads it with ob_services_load, removes the file. */
static int load_text(const char *text, json_t **out)
{
    char path[] = "/tmp/ob-services-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    err[0] = '\0';
    int rc = ob_services_load(path, out, err, sizeof(err));
    unlink(path);
    return rc;
}

#define SVC(extra)                                                                                                     \
    "{\"service_name\": \"x\", \"display_name\": \"X\", \"type\": \"oauth\", \"provider\": \"p\"" extra "}"

static void test_services_validation(void)
{
    json_t *list = NULL;
    CU_ASSERT_EQUAL_FATAL(ob_services_load(services_path, &list, err, sizeof(err)), CM_OK);
    CU_ASSERT(json_array_size(list) >= 13);
    json_t *gmail = json_array_get(list, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(gmail, "service_name")), "gmail");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(gmail, "port")), 49296);
    json_decref(list);

    CU_ASSERT_EQUAL(load_text("[" SVC(", \"port\": 49100") "]", &list), CM_OK);
    json_t *x = json_array_get(list, 0);
    CU_ASSERT(json_is_true(json_object_get(x, "active")));
    CU_ASSERT(json_is_null(json_object_get(x, "icon_path")));
    json_decref(list);
    CU_ASSERT_EQUAL(load_text("[{\"service_name\": \"k\", \"display_name\": \"K\", \"type\": \"api_key\","
                              " \"port\": 49101}]",
                              &list),
                    CM_OK);
    CU_ASSERT(json_is_null(json_object_get(json_array_get(list, 0), "provider")));
    json_decref(list);

    static const struct {
        const char *text, *expect;
        int rc;
    } bad[] = {
        {"[" SVC(", \"port\": 80") "]", "entry 0 (\"x\"): port must be an integer in 49000..50000", CM_EINVAL},
        {"[" SVC(", \"port\": \"49100\"") "]", "port", CM_EINVAL},
        {"[{\"service_name\": \"Gmail!\", \"display_name\": \"G\", \"port\": 49100, \"type\": \"oauth\","
         " \"provider\": \"p\"}]",
         "entry 0: service_name must match", CM_EINVAL},
        {"[{\"service_name\": \"x\", \"display_name\": \"X\", \"port\": 49100, \"type\": \"basic\","
         " \"provider\": \"p\"}]",
         "type must be", CM_EINVAL},
        {"[{\"service_name\": \"x\", \"display_name\": \"X\", \"port\": 49100, \"type\": \"oauth\"}]",
         "provider is required", CM_EINVAL},
        {"[" SVC(", \"port\": 49100, \"prot\": 1") "]", "unknown field \"prot\"", CM_EINVAL},
        {"[" SVC(", \"port\": 49100, \"active\": \"yes\"") "]", "active", CM_EINVAL},
        {"[" SVC(", \"port\": 49100") ", {\"service_name\": \"y\", \"display_name\": \"Y\", \"port\": 49100,"
                                      " \"type\": \"oauth\", \"provider\": \"p\"}]",
         "entry 1 (\"y\"): port 49100 is already used by entry 0", CM_EINVAL},
        {"[" SVC(", \"port\": 49100") ", " SVC(", \"port\": 49101") "]", "service_name is already used", CM_EINVAL},
        {"{\"gmail\": {}}", "non-empty array", CM_EINVAL},
        {"[]", "non-empty array", CM_EINVAL},
        {"[{,]", "invalid JSON", CM_EINVAL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        list = NULL;
        int rc = load_text(bad[i].text, &list);
        if (rc != bad[i].rc || strstr(err, bad[i].expect) == NULL)
            fprintf(stderr, "case %zu: rc %d, err \"%s\", expected \"%s\"\n", i, rc, err, bad[i].expect);
        CU_ASSERT_EQUAL(rc, bad[i].rc);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].expect));
        CU_ASSERT_PTR_NULL(list);
    }
    CU_ASSERT_EQUAL(ob_services_load("/nonexistent/services.json", &list, err, sizeof(err)), CM_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/services.json"));
}

void tests_register(void)
{
    const char *src = getenv("OB_SOURCE_DIR");
    snprintf(services_path, sizeof(services_path), "%s/config/services.json", src ? src : OB_SOURCE_DIR);
    CU_SUITE("services.json", NULL, NULL, {"validation", test_services_validation});
}
