/*
 * host_api.h - the op_host_api_t table the broker hands to provider plugins (provider_abi.h).
 *
 * One base table per broker (ob_host_api_new) holds the services: logging (cm_log), outbound HTTP
 * (cm_http_start on the broker's client: default timeout 10 s, at most 60 s, responses capped at
 * 256 KiB), memory (mem_free wipes with OPENSSL_cleanse; the size lives in a small header), token
 * sets and the clock. The registry gives each plugin its own view of it (ob_host_api_view_new):
 * the same services, plus register_provider routed to the registry during init, log lines tagged
 * with the plugin, and the plugin's HTTP calls tracked so they can be completed before the plugin
 * is unloaded.
 *
 * Threading: everything runs on the loop thread that owns the cm_http_client_t.
 */
#ifndef OB_PROVIDERS_HOST_API_H
#define OB_PROVIDERS_HOST_API_H

#include "common/http_client.h"

#include "provider_abi.h"

#define OB_HOST_HTTP_TIMEOUT_MS 10000
#define OB_HOST_HTTP_MAX_TIMEOUT_MS 60000
#define OB_HOST_HTTP_MAX_RESPONSE (256u * 1024)

/*
 * Creates the base table. http is borrowed (must outlive the table); NULL makes http_send fail with
 * OP_EUNSUPPORTED (tools, tests). register_provider of the base table always refuses. Returns NULL
 * on allocation failure. Caller owns it: ob_host_api_free, after every view was freed.
 */
op_host_api_t *ob_host_api_new(cm_http_client_t *http);
void ob_host_api_free(op_host_api_t *api);

/* Receives a provider registered through a view. Returns OP_OK or OP_EINVAL (refused). */
typedef int (*ob_host_register_fn)(void *arg, const op_provider_t *provider);

/*
 * A per-plugin view of base: plugin (copied) tags log lines without a provider name; register_provider
 * calls reg(reg_arg, provider) until ob_host_api_view_seal. Returns NULL on allocation failure.
 * Caller owns it: ob_host_api_view_free.
 */
op_host_api_t *ob_host_api_view_new(op_host_api_t *base, const char *plugin, ob_host_register_fn reg, void *reg_arg);
/* Ends the registration window: register_provider refuses from now on. */
void ob_host_api_view_seal(op_host_api_t *view);
/*
 * Completes every HTTP call of the view still in flight: each plugin callback runs now, once, with
 * status 0 and error "cancelled". Calls started meanwhile are refused. Used before a plugin's fini().
 */
void ob_host_api_view_drain(op_host_api_t *view);
/* Cancels what is still in flight without calling back and frees the view. NULL is fine. */
void ob_host_api_view_free(op_host_api_t *view);
/* HTTP calls of the view in flight. */
size_t ob_host_api_view_inflight(const op_host_api_t *view);

/* The memory services, for broker code that receives plugin results (e.g. op_token_set_t members). */
void *ob_host_mem_alloc(size_t size);               /* zeroed; NULL on failure or overflow */
char *ob_host_mem_strndup(const char *s, size_t n); /* NUL-terminated copy of at most n bytes */
void ob_host_mem_free(void *p);                     /* wipes, then frees; NULL is fine */
void ob_host_token_set_clear(op_token_set_t *ts);   /* frees every member, zeroes the struct */

#endif
