/*
 * check_config.h - the provider checks of `oauth-service check-config` (beyond parsing the configuration
 * and opening the keys): loads the plugins as the broker would and warns about combinations that work but
 * weaken the flow.
 */
#ifndef OB_CHECK_CONFIG_H
#define OB_CHECK_CONFIG_H

#include "config/config.h"

#include <stdio.h>

/*
 * Writes one "warning: ..." line to out per finding: a service of the registry file (cfg->services_file) that
 * asks its provider for the openid scope while the provider has no issuer, so the broker can bind the ID token
 * to the request (nonce, audience) but not check its issuer. Returns the number of warnings (they do not fail
 * the check), or a negative CM_* when the registry file or the plugins cannot be read (a line on stderr says
 * why: the broker would not start either).
 */
int ob_check_providers(const ob_config_t *cfg, FILE *out);

#endif
