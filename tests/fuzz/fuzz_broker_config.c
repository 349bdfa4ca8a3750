/*
 * fuzz_broker_config.c - the broker's configuration file (oauth-service/src/config.c, ob_config_load).
 *
 * The input is the file's text; it is read from a memfd through /proc/self/fd so nothing touches the disk.
 * The environment variables that override the file are cleared first, so the file alone decides. An
 * accepted configuration must hold the documented invariants.
 */
#include "fuzz.h"

#include "common/status.h"
#include "config/config.h"

#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const overrides[] = {"DATABASE_URL",
                                            "OAUTH_SERVICE_HOST",
                                            "OAUTH_SERVICE_PORT",
                                            "OAUTH_BASE_URL",
                                            "OB_PLUGIN_DIR",
                                            "OB_MIGRATIONS_DIR",
                                            "OB_SERVICES_FILE",
                                            "OB_DATA_KEY_FILE",
                                            "OB_ADMIN_KEY_FILE",
                                            "OB_ADMIN_KEY_SHA256",
                                            "OB_SERVICE_KEYS_DIR",
                                            "OB_ALLOWED_RETURN_URLS",
                                            "OB_REFRESH_MARGIN_S",
                                            "LOG_LEVEL",
                                            "OB_KEYS_DIR",
                                            "VAR_DIR",
                                            "OB_CONFIG"};
    for (size_t i = 0; i < sizeof(overrides) / sizeof(overrides[0]); i++)
        unsetenv(overrides[i]);
    fd = memfd_create("broker.json", 0);
    FZ_CHECK(fd >= 0);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FZ_CHECK(ftruncate(fd, 0) == 0);
    FZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
    ob_config_t cfg;
    char err[512] = "";
    int rc = ob_config_load(path, &cfg, err, sizeof(err));
    if (rc == CM_OK) {
        FZ_CHECK(cfg.database_url != NULL && cfg.port > 0 && cfg.port < 65536);
        FZ_CHECK(cfg.allowed_return_urls != NULL && json_is_array(cfg.allowed_return_urls));
        FZ_CHECK(cfg.state_ttl_s >= 60 && cfg.state_ttl_s <= 3600);
        ob_config_free(&cfg);
    } else {
        FZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
    }
    return 0;
}
