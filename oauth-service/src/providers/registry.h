/*
 * registry.h - the provider plugins the broker loaded, and their providers.
 *
 * ob_registry_load() dlopen()s every *.so of a directory (sorted by name, RTLD_NOW | RTLD_LOCAL, from a private
 * in-memory copy of the file), reads OP_ENTRY_SYMBOL, checks abi_major == OP_ABI_MAJOR and the struct size, and
 * calls init() with the plugin's section of the broker config ("providers": {"<plugin name>": {...}}) through a
 * per-plugin view of the host API. A plugin is skipped, with exactly one cm_warn line naming the file and the
 * reason, when it is not a loadable shared object, lacks the symbol, speaks another ABI, has a malformed
 * op_plugin_t, duplicates an already loaded plugin's name, has a config section that is not an object, fails
 * init(), registers nothing, or has a registration refused (bad or duplicate provider name, missing
 * operations). Registrations of a skipped plugin are discarded. A plugin whose init() returns OP_EUNSUPPORTED
 * ("not configured") is noted at info level. Nothing a plugin does at load time can crash or stop the broker,
 * short of crashing in its own code.
 *
 * ob_registry_reload() reads the directory again: a new file is loaded, a changed one (another inode, size or
 * modification time, and other content) replaces the loaded version, a removed one is unloaded, and a bad one is
 * skipped by the rules above with one log line while the version loaded before stays. A replaced or removed
 * version is no longer found at once, but stays loaded while a request holds one of its providers
 * (ob_provider_hold) or one of its HTTP calls is in flight; it is unloaded (fini, dlclose) on the loop once
 * neither is left.
 *
 * Threading: the loop thread (plugins call back on it).
 */
#ifndef OB_PROVIDERS_REGISTRY_H
#define OB_PROVIDERS_REGISTRY_H

#include "provider_abi.h"

#include <h2o.h>
#include <jansson.h>
#include <stddef.h>

typedef struct ob_provider_registry ob_provider_registry_t;

/*
 * Loads the plugins of dir. host is the base table of ob_host_api_new (borrowed: it must outlive
 * the registry); providers_config is the broker config's "providers" object (may be NULL). Returns the registry
 * (possibly empty), or NULL (logged) when dir cannot be read or memory runs out. providers_config is kept (a reference)
 * for the plugins a reload loads. Caller owns it: ob_registry_free.
 */
ob_provider_registry_t *ob_registry_load(const char *dir, op_host_api_t *host, const json_t *providers_config);

/*
 * Lets the registry unload old versions on loop (a timer), as soon as their last user is gone; without it they go
 * at the next reload or at ob_registry_free. CM_OK, CM_EINVAL or CM_ENOMEM.
 */
int ob_registry_attach_loop(ob_provider_registry_t *r, h2o_evloop_t *loop);

/*
 * Rescans the directory (see above). Each change and each skipped file is logged (one line), then one summary line.
 * On CM_OK *report is {"loaded": [plugin], "replaced": [plugin + "previous_version"], "unloaded": [plugin],
 * "skipped": [{"file", "reason"}], "unchanged": n, "providers": n, "old_versions_in_use": n} with plugin =
 * {"file", "plugin", "version", "providers": [name]} (caller owns it). CM_EIO when the directory cannot be read
 * (logged; nothing changed), CM_ENOMEM. Never call it from a plugin callback.
 */
int ob_registry_reload(ob_provider_registry_t *r, json_t **report);

/*
 * Keeps the plugin that registered p loaded (even when a reload replaces or removes it) until the matching
 * ob_provider_release. For a request that uses p after an asynchronous step of its own (a database query); a
 * plugin operation in flight keeps its plugin loaded by itself. Returns p (NULL for NULL or an unknown p).
 */
const op_provider_t *ob_provider_hold(ob_provider_registry_t *r, const op_provider_t *p);
/* Drops a reference of ob_provider_hold; the plugin of a replaced version may be unloaded on a later loop
 * iteration (never inside this call). NULL r or p is fine. */
void ob_provider_release(ob_provider_registry_t *r, const op_provider_t *p);

/*
 * Unloads everything, last loaded first: completes each plugin's HTTP calls in flight (callbacks
 * run with error "cancelled"), calls fini(), dlclose()s. NULL is fine.
 */
void ob_registry_free(ob_provider_registry_t *r);

/* Number of providers (0 for NULL). */
size_t ob_registry_count(const ob_provider_registry_t *r);
/* The i-th provider in load order (plugins by file name, then registration order), or NULL.
 * Borrowed: valid until the next reload returns to the loop (ob_provider_hold to keep it longer). */
const op_provider_t *ob_registry_at(const ob_provider_registry_t *r, size_t i);
/* The provider named name, or NULL. Borrowed as ob_registry_at's. */
const op_provider_t *ob_registry_find(const ob_provider_registry_t *r, const char *name);
/* The provider's issuer identifier (borrowed, NULL when unknown or the plugin predates ABI 1.1) and in
 * *iss_param whether its authorization responses carry iss (RFC 9207). Read at each use: discovery may fill
 * them in later. */
const char *ob_provider_issuer(const op_provider_t *p, int *iss_param);
/* Name of the plugin that registered the i-th provider (borrowed), or NULL. */
const char *ob_registry_plugin_of(const ob_provider_registry_t *r, size_t i);
/* abi_minor of the plugin that registered the i-th provider. */
unsigned ob_registry_abi_minor_of(const ob_provider_registry_t *r, size_t i);
/* Version string and file name of the plugin of the i-th provider (borrowed), or NULL. */
const char *ob_registry_version_of(const ob_provider_registry_t *r, size_t i);
const char *ob_registry_file_of(const ob_provider_registry_t *r, size_t i);
/* Old versions (replaced or removed by a reload) still loaded because something uses them. */
size_t ob_registry_retired_count(const ob_provider_registry_t *r);
/* Number of loaded plugins. */
size_t ob_registry_plugin_count(const ob_provider_registry_t *r);

#endif
