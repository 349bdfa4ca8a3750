/*
 * registry.c - loading provider plugins (see registry.h for the rules).
 */
#include "providers/registry.h"
#include "providers/abi_compat.h"
#include "providers/host_api.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The op_plugin_t and op_provider_t of ABI 1.0: anything smaller is malformed. */
#define PLUGIN_V1_SIZE (offsetof(op_plugin_t, fini) + sizeof(void (*)(void *)))
#define PROVIDER_V1_SIZE (offsetof(op_provider_t, parse_token_response) + sizeof(void *))
#define MAX_PROVIDERS 256

typedef struct plugin_entry {
    void *dl;
    const op_plugin_t *plugin;
    void *state;
    op_host_api_t *view;
    char *file;
} plugin_entry_t;

typedef struct provider_entry {
    const op_provider_t *provider; /* the plugin's, or compat when it has one */
    op_provider_t *compat;         /* host-owned wrapper for a plugin built before ABI 1.2, else NULL */
    size_t plugin;                 /* index into plugins */
} provider_entry_t;

struct ob_provider_registry {
    op_host_api_t *host;
    plugin_entry_t *plugins;
    size_t n_plugins;
    provider_entry_t *providers;
    size_t n_providers;
    /* the plugin being initialised */
    const char *loading;
    int loading_compat;                    /* the plugin being initialised needs ob_abi_compat_wrap */
    op_provider_t *pending[MAX_PROVIDERS]; /* the plugin's (const in truth) or compat wrappers */
    size_t n_pending;
    char refusal[256];
};

static int name_ok(const char *name)
{
    size_t n = name != NULL ? strnlen(name, 64) : 0;
    return n > 0 && n < 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static const char *owner_of(const ob_provider_registry_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_providers; i++)
        if (strcmp(r->providers[i].provider->name, name) == 0)
            return r->plugins[r->providers[i].plugin].plugin->name;
    for (size_t i = 0; i < r->n_pending; i++)
        if (strcmp(r->pending[i]->name, name) == 0)
            return r->loading;
    return NULL;
}

/* register_provider of the plugin being loaded. */
static int on_register(void *arg, const op_provider_t *p)
{
    ob_provider_registry_t *r = arg;
    char why[192] = "";
    const char *owner;
    if (p == NULL || p->struct_size < PROVIDER_V1_SIZE)
        snprintf(why, sizeof(why), "a provider struct is missing or too small");
    else if (!name_ok(p->name))
        snprintf(why, sizeof(why), "provider name \"%.64s\" is not [a-z0-9_-]{1,63}", p->name ? p->name : "(null)");
    else if (p->build_authorize_url == NULL || p->exchange_code == NULL || p->parse_token_response == NULL ||
             ((p->capabilities & OP_CAP_REFRESH) && p->refresh == NULL) ||
             ((p->capabilities & OP_CAP_REVOKE) && p->revoke == NULL))
        snprintf(why, sizeof(why), "provider \"%s\" lacks an operation its capabilities need", p->name);
    else if ((owner = owner_of(r, p->name)) != NULL)
        snprintf(why, sizeof(why), "provider name \"%s\" is already registered by plugin %s", p->name, owner);
    else if (r->n_pending == MAX_PROVIDERS)
        snprintf(why, sizeof(why), "more than %d providers", MAX_PROVIDERS);
    if (why[0] != '\0') {
        if (r->refusal[0] == '\0')
            snprintf(r->refusal, sizeof(r->refusal), "%s", why);
        return OP_EINVAL;
    }
    op_provider_t *entry = r->loading_compat ? ob_abi_compat_wrap(p) : (op_provider_t *)p;
    if (entry == NULL) {
        if (r->refusal[0] == '\0')
            snprintf(r->refusal, sizeof(r->refusal), "out of memory");
        return OP_ENOMEM;
    }
    r->pending[r->n_pending++] = entry;
    return OP_OK;
}

/* Forgets the registrations of a plugin that is not kept (it may be unloaded already: only our wrappers are read). */
static void drop_pending(ob_provider_registry_t *r)
{
    for (size_t i = 0; r->loading_compat && i < r->n_pending; i++)
        ob_abi_compat_free(r->pending[i]);
    r->n_pending = 0;
}

/* Keeps a plugin whose init succeeded and its pending providers. */
static int commit(ob_provider_registry_t *r, const plugin_entry_t *e)
{
    plugin_entry_t *pl = realloc(r->plugins, (r->n_plugins + 1) * sizeof(*pl));
    if (pl == NULL)
        return CM_ENOMEM;
    r->plugins = pl;
    provider_entry_t *pr = realloc(r->providers, (r->n_providers + r->n_pending) * sizeof(*pr));
    if (pr == NULL)
        return CM_ENOMEM;
    r->providers = pr;
    r->plugins[r->n_plugins] = *e;
    for (size_t i = 0; i < r->n_pending; i++)
        r->providers[r->n_providers++] = (provider_entry_t){
            .provider = r->pending[i],
            .compat = r->loading_compat ? r->pending[i] : NULL,
            .plugin = r->n_plugins,
        };
    r->n_plugins++;
    r->n_pending = 0; /* the entries own them now */
    return CM_OK;
}

static void unload(plugin_entry_t *e, int call_fini)
{
    if (e->view != NULL && call_fini)
        ob_host_api_view_drain(e->view);
    if (call_fini && e->plugin->fini != NULL)
        e->plugin->fini(e->state);
    ob_host_api_view_free(e->view);
    if (e->dl != NULL)
        dlclose(e->dl);
    free(e->file);
    memset(e, 0, sizeof(*e));
}

/* A configuration section as JSON text (malloc'ed) or NULL; *bad when it is not an object. */
static char *config_text(const json_t *providers_config, const char *plugin, int *bad)
{
    const json_t *section = json_object_get(providers_config, plugin);
    *bad = 0;
    if (section == NULL || json_is_null(section))
        return NULL;
    if (!json_is_object(section)) {
        *bad = 1;
        return NULL;
    }
    return cm_json_dumps(section);
}

/* oauth_broker_plugin_load_failures_total{file}: bounded by the files of the plugin directory. */
static cm_metric_family_t *failures_family(void)
{
    return cm_counter("oauth_broker_plugin_load_failures_total",
                      "Plugin files skipped at load (see the log line for why), by file.", "file");
}

static void count_failure(const char *file)
{
    cm_metric_inc(cm_metric_get(failures_family(), file));
}

static void load_one(ob_provider_registry_t *r, const char *dir, const char *file, const json_t *providers_config)
{
    char path[4096];
    plugin_entry_t e = {0};
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if ((e.file = strdup(file)) == NULL)
        return;
    if ((e.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
        const char *why = dlerror();
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: not a loadable shared object (%s)", file, why ? why : "?");
        goto out_unload;
    }
    const op_plugin_t *pl = dlsym(e.dl, OP_ENTRY_SYMBOL);
    if (pl == NULL) {
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: no %s symbol", file, OP_ENTRY_SYMBOL);
        goto out_unload;
    }
    if (pl->abi_major != OP_ABI_MAJOR) {
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: built for provider ABI %u.%u, the broker speaks %d.%d", file,
                pl->abi_major, pl->abi_minor, OP_ABI_MAJOR, OP_ABI_MINOR);
        goto out_unload;
    }
    if (pl->struct_size < PLUGIN_V1_SIZE || !name_ok(pl->name) || pl->init == NULL) {
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: malformed %s (size %u, name or init missing)", file, OP_ENTRY_SYMBOL,
                pl->struct_size);
        goto out_unload;
    }
    for (size_t i = 0; i < r->n_plugins; i++) {
        if (strcmp(r->plugins[i].plugin->name, pl->name) == 0) {
            count_failure(file);
            cm_warn("providers", "plugin %s skipped: plugin name \"%s\" already loaded from %s", file, pl->name,
                    r->plugins[i].file);
            goto out_unload;
        }
    }
    e.plugin = pl;
    int bad = 0;
    char *cfg = config_text(providers_config, pl->name, &bad);
    if (bad) {
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: configuration \"providers.%s\" must be an object", file, pl->name);
        goto out_unload;
    }
    if ((e.view = ob_host_api_view_new(r->host, pl->name, on_register, r)) == NULL) {
        cm_secure_free(cfg, 0);
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: out of memory", file);
        goto out_unload;
    }
    if (ob_abi_compat_needed(pl->abi_minor))
        e.view->token_set_clear = ob_abi_compat_token_set_clear; /* it writes the pre-1.2 layout */
    r->loading = pl->name;
    r->loading_compat = ob_abi_compat_needed(pl->abi_minor);
    r->n_pending = 0;
    r->refusal[0] = '\0';
    int rc = pl->init(e.view, cfg, &e.state);
    ob_host_api_view_seal(e.view);
    cm_secure_free(cfg, 0);
    if (rc == OP_EUNSUPPORTED) {
        cm_info("providers", "plugin %s (%s) not configured: not loaded", file, pl->name);
        goto out_unload;
    }
    if (rc != OP_OK) {
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: init failed (status %d%s%s)", file, rc, r->refusal[0] ? ", " : "",
                r->refusal);
        goto out_unload;
    }
    if (r->refusal[0] != '\0' || r->n_pending == 0) {
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: %s", file,
                r->refusal[0] != '\0' ? r->refusal : "init registered no provider");
        unload(&e, 1);
        goto out_reset;
    }
    size_t added = r->n_pending;
    if (commit(r, &e) != CM_OK) {
        count_failure(file);
        cm_warn("providers", "plugin %s skipped: out of memory", file);
        unload(&e, 1);
        goto out_reset;
    }
    cm_info("providers", "plugin %s (%s %s, ABI %u.%u) loaded: %zu provider(s)", file, pl->name,
            pl->version ? pl->version : "?", pl->abi_major, pl->abi_minor, added);
    goto out_reset;

out_unload:
    unload(&e, 0);
out_reset:
    drop_pending(r);
    r->loading = NULL;
    r->loading_compat = 0;
}

static int so_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 3 && d->d_name[0] != '.' && strcmp(d->d_name + n - 3, ".so") == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Config sections naming no plugin that was found are most likely typos. */
static void warn_unused_sections(const ob_provider_registry_t *r, const json_t *providers_config, struct dirent **list,
                                 int n, const char *dir)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)providers_config, key, v)
    {
        int found = 0;
        for (size_t i = 0; i < r->n_plugins && !found; i++)
            found = strcmp(r->plugins[i].plugin->name, key) == 0;
        for (int i = 0; i < n && !found; i++) /* plugins that were skipped or not configured */
            found =
                strncmp(list[i]->d_name, key, strlen(key)) == 0 && strcmp(list[i]->d_name + strlen(key), ".so") == 0;
        if (!found && key[0] != '$')
            cm_warn("providers", "configuration \"providers.%s\" names no plugin in %s", key, dir);
    }
}

ob_provider_registry_t *ob_registry_load(const char *dir, op_host_api_t *host, const json_t *providers_config)
{
    struct dirent **list = NULL;
    (void)failures_family(); /* declared even when every plugin loads */
    if (dir == NULL || host == NULL)
        return NULL;
    ob_provider_registry_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        cm_error("providers", "out of memory");
        return NULL;
    }
    r->host = host;
    int n = scandir(dir, &list, so_filter, by_name);
    if (n < 0) {
        cm_error("providers", "cannot read the plugin directory %s: %s", dir, strerror(errno));
        free(r);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            count_failure(list[i]->d_name);
            cm_warn("providers", "plugin %s skipped: not a regular file", list[i]->d_name);
            continue;
        }
        load_one(r, dir, list[i]->d_name, providers_config);
    }
    if (json_is_object(providers_config))
        warn_unused_sections(r, providers_config, list, n, dir);
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    if (r->n_providers == 0)
        cm_warn("providers", "no provider loaded from %s", dir);
    else
        cm_info("providers", "%zu provider(s) from %zu plugin(s) in %s", r->n_providers, r->n_plugins, dir);
    return r;
}

void ob_registry_free(ob_provider_registry_t *r)
{
    if (r == NULL)
        return;
    for (size_t i = r->n_plugins; i-- > 0;)
        unload(&r->plugins[i], 1);
    for (size_t i = 0; i < r->n_providers; i++)
        ob_abi_compat_free(r->providers[i].compat);
    free(r->plugins);
    free(r->providers);
    free(r);
}

size_t ob_registry_count(const ob_provider_registry_t *r)
{
    return r != NULL ? r->n_providers : 0;
}

const op_provider_t *ob_registry_at(const ob_provider_registry_t *r, size_t i)
{
    if (r == NULL || i >= r->n_providers)
        return NULL;
    ob_abi_compat_refresh(r->providers[i].compat); /* endpoints a discovery filled in meanwhile */
    return r->providers[i].provider;
}

const char *ob_provider_issuer(const op_provider_t *p, int *iss_param)
{
    p = ob_abi_compat_original(p); /* read at each use: the plugin's own struct is the one it updates */
    int has = p != NULL && p->struct_size >= offsetof(op_provider_t, authorization_response_iss) + sizeof(int);
    *iss_param = has && p->authorization_response_iss;
    return has ? p->issuer : NULL;
}

const op_provider_t *ob_registry_find(const ob_provider_registry_t *r, const char *name)
{
    for (size_t i = 0; r != NULL && name != NULL && i < r->n_providers; i++)
        if (strcmp(r->providers[i].provider->name, name) == 0)
            return ob_registry_at(r, i);
    return NULL;
}

const char *ob_registry_plugin_of(const ob_provider_registry_t *r, size_t i)
{
    return r != NULL && i < r->n_providers ? r->plugins[r->providers[i].plugin].plugin->name : NULL;
}

unsigned ob_registry_abi_minor_of(const ob_provider_registry_t *r, size_t i)
{
    return r != NULL && i < r->n_providers ? r->plugins[r->providers[i].plugin].plugin->abi_minor : 0;
}

size_t ob_registry_plugin_count(const ob_provider_registry_t *r)
{
    return r != NULL ? r->n_plugins : 0;
}
