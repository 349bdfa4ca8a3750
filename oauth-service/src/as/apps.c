/*
 * apps.c - the operator's app credentials (see apps.h).
 */
#include "as/apps.h"
#include "as/as_int.h"

#include "keys/keyfile.h"

#include "common/crypto.h"
#include "common/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP_SECRET_MAX 4096

int ob_as_apps_load(const ob_config_t *cfg, ob_as_apps_t *apps, char *err, size_t errsz)
{
    const char *name;
    json_t *app;
    memset(apps, 0, sizeof(*apps));
    size_t n = json_object_size(cfg->authz.apps);
    if (n == 0)
        return CM_OK;
    if ((apps->v = calloc(n, sizeof(*apps->v))) == NULL)
        return CM_ENOMEM;
    json_object_foreach(cfg->authz.apps, name, app)
    {
        ob_as_app_t *a = &apps->v[apps->n++];
        const char *file = json_string_value(json_object_get(app, "client_secret_file"));
        a->name = strdup(name);
        a->client_id = strdup(json_string_value(json_object_get(app, "client_id")));
        if (a->name == NULL || a->client_id == NULL) {
            ob_as_apps_clear(apps);
            return CM_ENOMEM;
        }
        if (file == NULL)
            continue;
        int rc = ob_keyfile_read(file, APP_SECRET_MAX, &a->secret, &a->secret_len, err, errsz);
        if (rc != CM_OK) {
            ob_as_apps_clear(apps);
            return rc;
        }
    }
    return CM_OK;
}

void ob_as_apps_clear(ob_as_apps_t *apps)
{
    for (size_t i = 0; i < apps->n; i++) {
        free(apps->v[i].name);
        free(apps->v[i].client_id);
        cm_secure_free(apps->v[i].secret, apps->v[i].secret_len);
    }
    free(apps->v);
    memset(apps, 0, sizeof(*apps));
}

static const ob_as_app_t *find(const ob_as_apps_t *apps, const char *name)
{
    for (size_t i = 0; name != NULL && i < apps->n; i++)
        if (strcmp(apps->v[i].name, name) == 0)
            return &apps->v[i];
    return NULL;
}

const ob_as_app_t *ob_as_app_for(const ob_broker_t *b, const char *service)
{
    if (b->as == NULL)
        return NULL;
    const ob_as_app_t *a = find(&b->as->apps, service);
    if (a == NULL) {
        const op_provider_t *p = ob_service_provider(b, service);
        a = p != NULL ? find(&b->as->apps, p->name) : NULL;
    }
    return a;
}
