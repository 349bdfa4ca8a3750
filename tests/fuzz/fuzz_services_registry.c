/*
 * fuzz_services_registry.c - the service registry seed, config/services.json (oauth-service/src/db/services.c,
 * ob_services_load), read from a memfd through /proc/self/fd.
 *
 * An accepted registry is a non-empty array of normalised entries with unique names and ports in range.
 */
#include "fuzz.h"

#include "common/status.h"
#include "db/migrate.h"

#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fd = memfd_create("services.json", 0);
    FZ_CHECK(fd >= 0);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FZ_CHECK(ftruncate(fd, 0) == 0);
    FZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
    json_t *list = NULL;
    char err[512] = "";
    int rc = ob_services_load(path, &list, err, sizeof(err));
    if (rc == CM_OK) {
        FZ_CHECK(json_is_array(list) && json_array_size(list) > 0);
        size_t i, j;
        json_t *a, *b;
        json_array_foreach(list, i, a)
        {
            const char *name = json_string_value(json_object_get(a, "service_name"));
            json_int_t port = json_integer_value(json_object_get(a, "port"));
            FZ_CHECK(name != NULL && name[0] != '\0' && port >= OB_SERVICE_PORT_MIN && port <= OB_SERVICE_PORT_MAX);
            json_array_foreach(list, j, b)
            {
                if (j < i)
                    FZ_CHECK(strcmp(name, json_string_value(json_object_get(b, "service_name"))) != 0 &&
                             port != json_integer_value(json_object_get(b, "port")));
            }
        }
        json_decref(list);
    } else {
        FZ_CHECK(list == NULL && err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
    }
    return 0;
}
