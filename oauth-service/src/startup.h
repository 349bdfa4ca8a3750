/*
 * startup.h - the blocking database work before the loop runs (startup.c).
 */
#ifndef OB_STARTUP_H
#define OB_STARTUP_H

#include "config/config.h"

#include <jansson.h>
#include <stddef.h>

/*
 * Waits up to wait_s seconds for the database, applies migrations, seeds the service registry from
 * cfg->services_file and, when services_out is not NULL, returns the registry rows (caller owns, json_decref).
 * On failure writes one line into err.
 */
int ob_startup_db(const ob_config_t *cfg, int wait_s, json_t **services_out, char *err, size_t errsz);

#endif
