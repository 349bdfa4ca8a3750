/*
 * config_int.h - private to the configuration loader (config/config*.c): the field checks the file and the
 * environment parts share, and the two parts config.c runs in order. Not a contract.
 */
#ifndef OB_CONFIG_CONFIG_INT_H
#define OB_CONFIG_CONFIG_INT_H

#include "config/config.h"

#include <jansson.h>
#include <stddef.h>

/* config_parse.c */
/* Writes "config error: <path>: <message>" into err; returns CM_EINVAL. */
int ob_cfg_fail(char *err, size_t errsz, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Resolves a path relative to the config file's directory. Returns a malloc'ed string (caller frees) or NULL. */
char *ob_cfg_resolve_path(const char *cfg_path, const char *p);
/* Parses a decimal port; returns -1 when invalid. */
int ob_cfg_parse_port(const char *s);
/* obj.key, when present and not null, must be a non-empty string: *out replaced by a copy (caller owns). */
int ob_cfg_get_string(const json_t *obj, const char *key, const char *path, const char *field, char **out, char *err,
                      size_t errsz);
/* obj.key, when present and not null, must be an integer in min..max: stored in *out. */
int ob_cfg_get_int(const json_t *obj, const char *key, const char *path, const char *field, int min, int max, int *out,
                   char *err, size_t errsz);
/* *field = copy of value unless already set. CM_OK or CM_ENOMEM. */
int ob_cfg_set_default(char **field, const char *value);
/* 1 when every member of arr is an absolute http(s) URL string; else 0 with the index of the first bad one. */
int ob_cfg_url_list_ok(const json_t *arr, size_t *bad);

/* config_file.c: applies the parsed file (root) over the defaults in cfg. */
int ob_cfg_apply_file(ob_config_t *cfg, const json_t *root, char *err, size_t errsz);
/* config_authz.c: the "authorization" section (defaults first, then the file's section when present), and its
 * defaults and checks after everything else is applied. */
void ob_cfg_authz_defaults(ob_authz_config_t *a);
int ob_cfg_apply_authz(ob_config_t *cfg, const json_t *section, char *err, size_t errsz);
int ob_cfg_finish_authz(ob_config_t *cfg, char *err, size_t errsz);
void ob_cfg_authz_free(ob_authz_config_t *a);
/* config_env.c: applies the environment overrides. */
int ob_cfg_apply_env(ob_config_t *cfg, char *err, size_t errsz);

#endif
