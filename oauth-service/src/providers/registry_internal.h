/*
 * registry_internal.h - what registry.c (lifetime, lookups, references), registry_load.c (one plugin file) and
 * registry_scan.c (the directory, at start and at each reload) share. Not for use outside the registry.
 */
#ifndef OB_PROVIDERS_REGISTRY_INTERNAL_H
#define OB_PROVIDERS_REGISTRY_INTERNAL_H

#include "providers/registry.h"

#include "common/timer.h"

#include <sys/stat.h>
#include <sys/types.h>

#define OB_REG_MAX_PROVIDERS 256
#define OB_REG_MAX_FILE (64u * 1024 * 1024) /* a plugin bigger than this is refused (it is read into memory) */

typedef struct ob_reg_slot {
    const op_provider_t *provider; /* the plugin's, or compat when it has one */
    op_provider_t *compat;         /* host-owned wrapper for a plugin built before ABI 1.2, else NULL */
} ob_reg_slot_t;

/* What identifies the content of a plugin file without reading it. */
typedef struct ob_reg_file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} ob_reg_file_id_t;

typedef struct ob_reg_plugin {
    void *dl;
    int fd; /* the private copy dlopen mapped (memfd), kept open while loaded so its /proc path stays unique; -1 */
    const op_plugin_t *plugin;
    void *state;
    op_host_api_t *view;
    char *file;
    ob_reg_file_id_t id;
    char sha256[65];
    ob_reg_slot_t *slots;
    size_t n_slots;
    unsigned refs; /* ob_provider_hold minus ob_provider_release */
    int retired;   /* replaced or removed: no longer found, unloaded once refs and HTTP calls in flight are 0 */
    struct ob_reg_plugin *next_retired;
} ob_reg_plugin_t;

typedef struct ob_reg_index {
    ob_reg_plugin_t *plugin;
    size_t slot;
} ob_reg_index_t;

struct ob_provider_registry {
    op_host_api_t *host;
    char *dir;
    json_t *config;            /* the "providers" object (a reference), for plugins loaded by a reload */
    ob_reg_plugin_t **plugins; /* active, by file name */
    size_t n_plugins;
    ob_reg_index_t *index; /* every active provider, in load order */
    size_t n_index;
    ob_reg_plugin_t *retired; /* old versions still in use */
    cm_timer_t *reaper;       /* NULL without a loop (retired plugins go at the next reload or at free) */
    /* the plugin being initialised */
    const char *loading;
    const ob_reg_plugin_t *replacing; /* its names may be registered again */
    int loading_compat;               /* the plugin being initialised needs ob_abi_compat_wrap */
    op_provider_t *pending[OB_REG_MAX_PROVIDERS];
    size_t n_pending;
    char refusal[256];
};

/* A plugin file read into memory: its identity, content and SHA-256. */
typedef struct ob_reg_image {
    ob_reg_file_id_t id;
    unsigned char *data;
    size_t len;
    char sha256[65];
} ob_reg_image_t;

/* Stats path into *id. CM_OK, CM_EINVAL (not a regular file) or CM_EIO. */
int ob_reg_stat(const char *path, ob_reg_file_id_t *id);
int ob_reg_same_id(const ob_reg_file_id_t *a, const ob_reg_file_id_t *b);
/* Reads path (a regular file of at most OB_REG_MAX_FILE bytes). CM_OK or an error with why filled in. The caller
 * frees img->data (free). */
int ob_reg_read(const char *path, ob_reg_image_t *img, char *why, size_t why_size);

/*
 * Loads one plugin from img (file names it in log lines and /providers; replacing, when not NULL, is the loaded
 * version it would replace: its plugin and provider names do not count as taken). Returns the plugin (caller
 * owns it: active once put into r->plugins), or NULL with why filled in (the plugin's name instead when *not_configured
 * is set: init() answered OP_EUNSUPPORTED). Logs nothing: the caller writes the one line.
 */
ob_reg_plugin_t *ob_reg_load_one(ob_provider_registry_t *r, const char *file, const ob_reg_image_t *img,
                                 const ob_reg_plugin_t *replacing, char *why, size_t why_size, int *not_configured);
/* Completes the plugin's HTTP calls (when call_fini), calls fini, dlcloses, frees pl. NULL is fine. */
void ob_reg_unload(ob_reg_plugin_t *pl, int call_fini);

/* Rebuilds r->index from r->plugins. CM_OK or CM_ENOMEM (the old index stays). */
int ob_reg_reindex(ob_provider_registry_t *r);
/* Moves pl (already taken out of r->plugins) to the retired list; unloaded by ob_reg_reap. */
void ob_reg_retire(ob_provider_registry_t *r, ob_reg_plugin_t *pl);
/* Unloads the retired plugins nobody uses any more; re-arms the reaper while some remain. */
void ob_reg_reap(ob_provider_registry_t *r);

/* oauth_broker_plugin_load_failures_total{file}++ */
void ob_reg_count_failure(const char *file);

#endif
