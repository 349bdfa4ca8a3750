/*
 * registry.h - the provider plugins the broker loaded, and their providers.
 *
 * ob_registry_load() dlopen()s every *.so of a directory (sorted by name, RTLD_NOW | RTLD_LOCAL),
 * reads OP_ENTRY_SYMBOL, checks abi_major == OP_ABI_MAJOR and the struct size, and calls init()
 * with the plugin's section of the broker config ("providers": {"<plugin name>": {...}}) through a
 * per-plugin view of the host API. A plugin is skipped, with exactly one cm_warn line naming the
 * file and the reason, when it is not a loadable shared object, lacks the symbol, speaks another
 * ABI, has a malformed op_plugin_t, duplicates an already loaded plugin's name, has a config
 * section that is not an object, fails init(), registers nothing, or has a registration refused
 * (bad or duplicate provider name, missing operations). Registrations of a skipped plugin are
 * discarded. A plugin whose init() returns OP_EUNSUPPORTED ("not configured") is noted at info
 * level. Nothing a plugin does at load time can crash or stop the broker, short of crashing in its
 * own code.
 *
 * Threading: the loop thread (plugins call back on it).
 */
#ifndef OB_PROVIDERS_REGISTRY_H
#define OB_PROVIDERS_REGISTRY_H

#include "provider_abi.h"

#include <jansson.h>
#include <stddef.h>

typedef struct ob_provider_registry ob_provider_registry_t;

/*
 * Loads the plugins of dir. host is the base table of ob_host_api_new (borrowed: it must outlive
 * the registry); providers_config is the broker config's "providers" object (borrowed for the
 * call; may be NULL). Returns the registry (possibly empty), or NULL (logged) when dir cannot be
 * read or memory runs out. Caller owns it: ob_registry_free.
 */
ob_provider_registry_t *ob_registry_load(const char *dir, op_host_api_t *host, const json_t *providers_config);

/*
 * Unloads everything, last loaded first: completes each plugin's HTTP calls in flight (callbacks
 * run with error "cancelled"), calls fini(), dlclose()s. NULL is fine.
 */
void ob_registry_free(ob_provider_registry_t *r);

/* Number of providers (0 for NULL). */
size_t ob_registry_count(const ob_provider_registry_t *r);
/* The i-th provider in load order (plugins by file name, then registration order), or NULL.
 * Borrowed: valid until ob_registry_free. */
const op_provider_t *ob_registry_at(const ob_provider_registry_t *r, size_t i);
/* The provider named name, or NULL. Borrowed: valid until ob_registry_free. */
const op_provider_t *ob_registry_find(const ob_provider_registry_t *r, const char *name);
/* The provider's issuer identifier (borrowed, NULL when unknown or the plugin predates ABI 1.1) and in
 * *iss_param whether its authorization responses carry iss (RFC 9207). Read at each use: discovery may fill
 * them in later. */
const char *ob_provider_issuer(const op_provider_t *p, int *iss_param);
/* Name of the plugin that registered the i-th provider (borrowed), or NULL. */
const char *ob_registry_plugin_of(const ob_provider_registry_t *r, size_t i);
/* abi_minor of the plugin that registered the i-th provider. */
unsigned ob_registry_abi_minor_of(const ob_provider_registry_t *r, size_t i);
/* Number of loaded plugins. */
size_t ob_registry_plugin_count(const ob_provider_registry_t *r);

#endif
