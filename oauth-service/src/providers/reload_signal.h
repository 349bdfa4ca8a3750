/*
 * reload_signal.h - SIGHUP reloads the provider plugins.
 *
 * The handler only writes a byte to a pipe; the loop reads it and runs ob_registry_reload there, so a reload
 * never interrupts a request or a plugin callback. Several signals before the loop gets to it make one reload.
 *
 * Threading: the loop thread (the handler itself runs on whatever thread the signal hits).
 */
#ifndef OB_PROVIDERS_RELOAD_SIGNAL_H
#define OB_PROVIDERS_RELOAD_SIGNAL_H

#include "providers/registry.h"

#include <h2o.h>

typedef struct ob_reload_signal ob_reload_signal_t;

/* Installs the SIGHUP handler for r on loop (both borrowed: they outlive it). NULL (logged) on failure. Caller owns
 * it: ob_reload_signal_free, which ignores SIGHUP from then on. One per process. */
ob_reload_signal_t *ob_reload_signal_new(h2o_evloop_t *loop, ob_provider_registry_t *r);
/* NULL is fine. */
void ob_reload_signal_free(ob_reload_signal_t *s);

#endif
