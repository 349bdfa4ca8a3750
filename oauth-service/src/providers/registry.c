/*
 * registry.c - the loaded plugins: lookups, references held by requests in flight, and unloading old versions
 * once nobody uses them (see registry.h; loading is registry_load.c, scanning the directory registry_scan.c).
 */
#include "providers/abi_compat.h"
#include "providers/host_api.h"
#include "providers/registry_internal.h"

#include "common/log.h"
#include "common/metrics.h"
#include "common/status.h"

#include <stdlib.h>
#include <string.h>

#define REAP_POLL_MS 200 /* how often retired plugins with HTTP calls in flight are looked at again */

/* oauth_broker_plugins_retired: old versions a reload replaced or removed that requests still use. */
static void count_retired(const ob_provider_registry_t *r)
{
    size_t n = 0;
    for (const ob_reg_plugin_t *p = r->retired; p != NULL; p = p->next_retired)
        n++;
    cm_metric_set(cm_metric_get(cm_gauge("oauth_broker_plugins_retired",
                                         "Old plugin versions (replaced or removed by a reload) still in use.", NULL)),
                  (double)n);
}

int ob_reg_reindex(ob_provider_registry_t *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_plugins; i++)
        n += r->plugins[i]->n_slots;
    ob_reg_index_t *ix = calloc(n > 0 ? n : 1, sizeof(*ix));
    if (ix == NULL)
        return CM_ENOMEM;
    n = 0;
    for (size_t i = 0; i < r->n_plugins; i++)
        for (size_t j = 0; j < r->plugins[i]->n_slots; j++)
            ix[n++] = (ob_reg_index_t){.plugin = r->plugins[i], .slot = j};
    free(r->index);
    r->index = ix;
    r->n_index = n;
    return CM_OK;
}

void ob_reg_retire(ob_provider_registry_t *r, ob_reg_plugin_t *pl)
{
    pl->retired = 1;
    pl->next_retired = r->retired;
    r->retired = pl;
    count_retired(r);
}

static void on_reap(void *arg)
{
    ob_reg_reap(arg);
}

void ob_reg_reap(ob_provider_registry_t *r)
{
    for (ob_reg_plugin_t **pp = &r->retired; *pp != NULL;) {
        ob_reg_plugin_t *pl = *pp;
        if (pl->refs == 0 && ob_host_api_view_inflight(pl->view) == 0) {
            *pp = pl->next_retired;
            cm_info("providers", "plugin %s (%s %s): old version unloaded", pl->file, pl->plugin->name,
                    pl->plugin->version ? pl->plugin->version : "?");
            ob_reg_unload(pl, 1);
        } else {
            pp = &pl->next_retired;
        }
    }
    count_retired(r);
    if (r->retired != NULL && r->reaper != NULL && !cm_timer_armed(r->reaper))
        cm_timer_start(r->reaper, REAP_POLL_MS);
}

int ob_registry_attach_loop(ob_provider_registry_t *r, h2o_evloop_t *loop)
{
    if (r == NULL || loop == NULL || r->reaper != NULL)
        return r != NULL && r->reaper != NULL ? CM_OK : CM_EINVAL;
    return (r->reaper = cm_timer_new(loop, on_reap, r)) != NULL ? CM_OK : CM_ENOMEM;
}

void ob_registry_free(ob_provider_registry_t *r)
{
    if (r == NULL)
        return;
    cm_timer_free(r->reaper);
    for (size_t i = r->n_plugins; i-- > 0;)
        ob_reg_unload(r->plugins[i], 1);
    while (r->retired != NULL) {
        ob_reg_plugin_t *pl = r->retired;
        r->retired = pl->next_retired;
        ob_reg_unload(pl, 1);
    }
    free(r->plugins);
    free(r->index);
    free(r->dir);
    json_decref(r->config);
    free(r);
}

/* The plugin (active or retired) that registered p, or NULL. */
static ob_reg_plugin_t *plugin_of_provider(const ob_provider_registry_t *r, const op_provider_t *p)
{
    for (size_t i = 0; i < r->n_plugins; i++)
        for (size_t j = 0; j < r->plugins[i]->n_slots; j++)
            if (r->plugins[i]->slots[j].provider == p)
                return r->plugins[i];
    for (ob_reg_plugin_t *pl = r->retired; pl != NULL; pl = pl->next_retired)
        for (size_t j = 0; j < pl->n_slots; j++)
            if (pl->slots[j].provider == p)
                return pl;
    return NULL;
}

const op_provider_t *ob_provider_hold(ob_provider_registry_t *r, const op_provider_t *p)
{
    ob_reg_plugin_t *pl = r != NULL && p != NULL ? plugin_of_provider(r, p) : NULL;
    if (pl != NULL)
        pl->refs++;
    return p;
}

void ob_provider_release(ob_provider_registry_t *r, const op_provider_t *p)
{
    ob_reg_plugin_t *pl = r != NULL && p != NULL ? plugin_of_provider(r, p) : NULL;
    if (pl == NULL || pl->refs == 0)
        return;
    /* never unloaded here: the caller may be running inside the plugin's own callback */
    if (--pl->refs == 0 && pl->retired && r->reaper != NULL)
        cm_timer_start(r->reaper, 0);
}

size_t ob_registry_count(const ob_provider_registry_t *r)
{
    return r != NULL ? r->n_index : 0;
}

const op_provider_t *ob_registry_at(const ob_provider_registry_t *r, size_t i)
{
    if (r == NULL || i >= r->n_index)
        return NULL;
    const ob_reg_slot_t *s = &r->index[i].plugin->slots[r->index[i].slot];
    ob_abi_compat_refresh(s->compat); /* endpoints a discovery filled in meanwhile */
    return s->provider;
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
    for (size_t i = 0; r != NULL && name != NULL && i < r->n_index; i++)
        if (strcmp(r->index[i].plugin->slots[r->index[i].slot].provider->name, name) == 0)
            return ob_registry_at(r, i);
    return NULL;
}

const char *ob_registry_plugin_of(const ob_provider_registry_t *r, size_t i)
{
    return r != NULL && i < r->n_index ? r->index[i].plugin->plugin->name : NULL;
}

const char *ob_registry_version_of(const ob_provider_registry_t *r, size_t i)
{
    return r != NULL && i < r->n_index ? r->index[i].plugin->plugin->version : NULL;
}

const char *ob_registry_file_of(const ob_provider_registry_t *r, size_t i)
{
    return r != NULL && i < r->n_index ? r->index[i].plugin->file : NULL;
}

unsigned ob_registry_abi_minor_of(const ob_provider_registry_t *r, size_t i)
{
    return r != NULL && i < r->n_index ? r->index[i].plugin->plugin->abi_minor : 0;
}

size_t ob_registry_plugin_count(const ob_provider_registry_t *r)
{
    return r != NULL ? r->n_plugins : 0;
}

size_t ob_registry_retired_count(const ob_provider_registry_t *r)
{
    size_t n = 0;
    for (const ob_reg_plugin_t *p = r != NULL ? r->retired : NULL; p != NULL; p = p->next_retired)
        n++;
    return n;
}
