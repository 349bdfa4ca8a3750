/*
 * registry_scan.c - the plugin directory, read at start (ob_registry_load) and again at each reload
 * (ob_registry_reload): which files are new, changed, gone or bad, and what is done about each (registry.h).
 */
#include "providers/registry_internal.h"

#include "common/log.h"
#include "common/metrics.h"
#include "common/status.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan {
    ob_provider_registry_t *r;
    int initial;
    json_t *loaded, *replaced, *unloaded, *skipped; /* the report (NULL at start) */
    size_t unchanged;
    size_t failed; /* files skipped for a fault (not for want of configuration) */
} scan_t;

/* oauth_broker_plugin_load_failures_total{file}: bounded by the files of the plugin directory. */
static cm_metric_family_t *failures_family(void)
{
    return cm_counter("oauth_broker_plugin_load_failures_total",
                      "Plugin files skipped at load or reload (see the log line for why), by file.", "file");
}

void ob_reg_count_failure(const char *file)
{
    cm_metric_inc(cm_metric_get(failures_family(), file));
}

/* oauth_broker_plugin_reloads_total{outcome}: ok (nothing skipped), partial (a file skipped), failed (no scan). */
static void count_reload(const char *outcome)
{
    cm_metric_inc(cm_metric_get(
        cm_counter("oauth_broker_plugin_reloads_total",
                   "Plugin directory rescans (SIGHUP or POST /admin/providers/reload), by outcome.", "outcome"),
        outcome));
}

/* oauth_broker_plugin_reload_changes_total{change}: loaded, replaced, unloaded or skipped plugin files. */
static void count_change(const char *change)
{
    cm_metric_inc(cm_metric_get(cm_counter("oauth_broker_plugin_reload_changes_total",
                                           "Plugin files a reload loaded, replaced, unloaded or skipped.", "change"),
                                change));
}

static json_t *plugin_json(const ob_reg_plugin_t *pl)
{
    json_t *names = json_array();
    for (size_t i = 0; i < pl->n_slots; i++)
        json_array_append_new(names, json_string(pl->slots[i].provider->name));
    return json_pack("{s:s, s:s, s:s?, s:o}", "file", pl->file, "plugin", pl->plugin->name, "version",
                     pl->plugin->version, "providers", names);
}

static void skipped(scan_t *s, const char *file, const char *why, const ob_reg_plugin_t *kept)
{
    ob_reg_count_failure(file);
    s->failed++;
    if (kept != NULL)
        cm_warn("providers", "plugin %s skipped: %s (version %s stays loaded)", file, why,
                kept->plugin->version ? kept->plugin->version : "?");
    else
        cm_warn("providers", "plugin %s skipped: %s", file, why);
    if (s->skipped != NULL) {
        json_array_append_new(s->skipped, json_pack("{s:s, s:s}", "file", file, "reason", why));
        count_change("skipped");
    }
}

static ob_reg_plugin_t *active_of(const ob_provider_registry_t *r, const char *file, size_t *at)
{
    for (size_t i = 0; i < r->n_plugins; i++) {
        if (strcmp(r->plugins[i]->file, file) == 0) {
            *at = i;
            return r->plugins[i];
        }
    }
    return NULL;
}

static void loaded(scan_t *s, ob_reg_plugin_t *pl, const ob_reg_plugin_t *old)
{
    const op_plugin_t *p = pl->plugin;
    if (old != NULL) {
        cm_info("providers",
                "plugin %s (%s %s, ABI %u.%u) replaced version %s: %zu provider(s); the old version is unloaded "
                "once no request uses it",
                pl->file, p->name, p->version ? p->version : "?", p->abi_major, p->abi_minor,
                old->plugin->version ? old->plugin->version : "?", pl->n_slots);
    } else {
        cm_info("providers", "plugin %s (%s %s, ABI %u.%u) loaded: %zu provider(s)", pl->file, p->name,
                p->version ? p->version : "?", p->abi_major, p->abi_minor, pl->n_slots);
    }
    json_t *list = old != NULL ? s->replaced : s->loaded;
    if (list != NULL) {
        json_t *o = plugin_json(pl);
        if (old != NULL)
            json_object_set_new(o, "previous_version", json_string(old->plugin->version ? old->plugin->version : "?"));
        json_array_append_new(list, o);
        count_change(old != NULL ? "replaced" : "loaded");
    }
}

/* The file at path: unchanged, (re)loaded, or skipped with one log line. */
static void scan_file(scan_t *s, const char *file, const char *path)
{
    ob_provider_registry_t *r = s->r;
    char why[320];
    size_t at = 0;
    ob_reg_image_t img;
    ob_reg_file_id_t id;
    ob_reg_plugin_t *old = active_of(r, file, &at);
    int rc = ob_reg_stat(path, &id);
    if (rc != CM_OK) {
        skipped(s, file, rc == CM_EINVAL ? "not a regular file" : "cannot read it", old);
        return;
    }
    if (old != NULL && ob_reg_same_id(&old->id, &id)) {
        s->unchanged++;
        return;
    }
    if (ob_reg_read(path, &img, why, sizeof(why)) != CM_OK) {
        skipped(s, file, why, old);
        return;
    }
    if (old != NULL && strcmp(old->sha256, img.sha256) == 0) { /* touched or copied again: the same build */
        old->id = img.id;
        s->unchanged++;
        free(img.data);
        return;
    }
    int not_configured = 0;
    ob_reg_plugin_t *pl = ob_reg_load_one(r, file, &img, old, why, sizeof(why), &not_configured);
    free(img.data);
    if (pl == NULL && not_configured) {
        cm_info("providers", "plugin %s (%s) not configured: not loaded", file, why);
        if (s->skipped != NULL)
            json_array_append_new(s->skipped, json_pack("{s:s, s:s}", "file", file, "reason", "not configured"));
        return;
    }
    if (pl == NULL) {
        skipped(s, file, why, old);
        return;
    }
    if (old != NULL) {
        r->plugins[at] = pl;
        ob_reg_retire(r, old);
    } else {
        ob_reg_plugin_t **grown = realloc(r->plugins, (r->n_plugins + 1) * sizeof(*grown));
        if (grown == NULL) {
            ob_reg_unload(pl, 1);
            skipped(s, file, "out of memory", NULL);
            return;
        }
        r->plugins = grown;
        r->plugins[r->n_plugins++] = pl;
    }
    loaded(s, pl, old);
}

/* Active plugins whose file is gone: retired (unloaded once unused). */
static void scan_removed(scan_t *s, struct dirent **list, int n)
{
    ob_provider_registry_t *r = s->r;
    for (size_t i = r->n_plugins; i-- > 0;) {
        ob_reg_plugin_t *pl = r->plugins[i];
        int found = 0;
        for (int j = 0; j < n && !found; j++)
            found = strcmp(list[j]->d_name, pl->file) == 0;
        if (found)
            continue;
        cm_info("providers", "plugin %s (%s %s) removed from %s: unloaded once no request uses it", pl->file,
                pl->plugin->name, pl->plugin->version ? pl->plugin->version : "?", r->dir);
        if (s->unloaded != NULL) {
            json_array_append_new(s->unloaded, plugin_json(pl));
            count_change("unloaded");
        }
        memmove(&r->plugins[i], &r->plugins[i + 1], (r->n_plugins - i - 1) * sizeof(*r->plugins));
        r->n_plugins--;
        ob_reg_retire(r, pl);
    }
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

static int by_file(const void *a, const void *b)
{
    return strcmp((*(ob_reg_plugin_t *const *)a)->file, (*(ob_reg_plugin_t *const *)b)->file);
}

/* Config sections naming no plugin that was found are most likely typos. */
static void warn_unused_sections(const ob_provider_registry_t *r, struct dirent **list, int n)
{
    const char *key;
    json_t *v;
    json_object_foreach(r->config, key, v)
    {
        int found = 0;
        for (size_t i = 0; i < r->n_plugins && !found; i++)
            found = strcmp(r->plugins[i]->plugin->name, key) == 0;
        for (int i = 0; i < n && !found; i++) /* plugins that were skipped or not configured */
            found =
                strncmp(list[i]->d_name, key, strlen(key)) == 0 && strcmp(list[i]->d_name + strlen(key), ".so") == 0;
        if (!found && key[0] != '$')
            cm_warn("providers", "configuration \"providers.%s\" names no plugin in %s", key, r->dir);
    }
}

static int scan(scan_t *s)
{
    ob_provider_registry_t *r = s->r;
    struct dirent **list = NULL;
    int n = scandir(r->dir, &list, so_filter, by_name);
    if (n < 0) {
        cm_error("providers", "cannot read the plugin directory %s: %s", r->dir, strerror(errno));
        return CM_EIO;
    }
    scan_removed(s, list, n);
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", r->dir, list[i]->d_name);
        scan_file(s, list[i]->d_name, path);
    }
    if (r->n_plugins > 1)
        qsort(r->plugins, r->n_plugins, sizeof(*r->plugins), by_file);
    if (s->initial && json_is_object(r->config))
        warn_unused_sections(r, list, n);
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    if (ob_reg_reindex(r) != CM_OK) { /* the old index may name retired plugins: none is found until the next scan */
        cm_error("providers", "out of memory listing the providers");
        free(r->index);
        r->index = NULL;
        r->n_index = 0;
    }
    return CM_OK;
}

ob_provider_registry_t *ob_registry_load(const char *dir, op_host_api_t *host, const json_t *providers_config)
{
    (void)failures_family(); /* declared even when every plugin loads */
    if (dir == NULL || host == NULL)
        return NULL;
    ob_provider_registry_t *r = calloc(1, sizeof(*r));
    if (r == NULL || (r->dir = strdup(dir)) == NULL) {
        free(r);
        cm_error("providers", "out of memory");
        return NULL;
    }
    r->host = host;
    r->config = json_incref((json_t *)providers_config);
    scan_t s = {.r = r, .initial = 1};
    if (scan(&s) != CM_OK) {
        ob_registry_free(r);
        return NULL;
    }
    if (r->n_index == 0)
        cm_warn("providers", "no provider loaded from %s", dir);
    else
        cm_info("providers", "%zu provider(s) from %zu plugin(s) in %s", r->n_index, r->n_plugins, dir);
    return r;
}

int ob_registry_reload(ob_provider_registry_t *r, json_t **report)
{
    *report = NULL;
    if (r == NULL)
        return CM_EINVAL;
    /* the operator asked for this: every line of it is printed (flood control would fold the second bad file's line
     * into a count), then flood control resumes as it was */
    int rate_limit = cm_log_get_rate_limit_ms();
    cm_log_set_rate_limit_ms(0);
    scan_t s = {
        .r = r, .loaded = json_array(), .replaced = json_array(), .unloaded = json_array(), .skipped = json_array()};
    int rc = scan(&s);
    if (rc == CM_OK) {
        ob_reg_reap(r); /* what nobody uses goes now; the rest once its last request ends */
        cm_info("providers",
                "plugins reloaded from %s: %zu loaded, %zu replaced, %zu unloaded, %zu skipped, %zu unchanged; %zu "
                "provider(s); %zu old version(s) still in use",
                r->dir, json_array_size(s.loaded), json_array_size(s.replaced), json_array_size(s.unloaded),
                json_array_size(s.skipped), s.unchanged, r->n_index, ob_registry_retired_count(r));
        *report =
            json_pack("{s:o, s:o, s:o, s:o, s:I, s:I, s:I}", "loaded", s.loaded, "replaced", s.replaced, "unloaded",
                      s.unloaded, "skipped", s.skipped, "unchanged", (json_int_t)s.unchanged, "providers",
                      (json_int_t)r->n_index, "old_versions_in_use", (json_int_t)ob_registry_retired_count(r));
        s.loaded = s.replaced = s.unloaded = s.skipped = NULL; /* the report has them (or json_pack freed them) */
        count_reload(*report == NULL ? "failed" : s.failed > 0 ? "partial" : "ok");
        if (*report == NULL)
            rc = CM_ENOMEM;
    } else {
        count_reload("failed");
    }
    json_decref(s.loaded);
    json_decref(s.replaced);
    json_decref(s.unloaded);
    json_decref(s.skipped);
    cm_log_set_rate_limit_ms(rate_limit);
    return rc;
}
