/*
 * POST /providers/reload (admin key) - rescans the plugin directory now, as SIGHUP does, and answers what
 * happened: {"loaded", "replaced", "unloaded", "skipped", "unchanged", "providers", "old_versions_in_use"}
 * (providers/registry.h) in the process that answered. Requests in flight keep the version they started with.
 * With several worker processes the others reload too: this worker asks the supervisor, which forwards SIGHUP to
 * every worker but the sender (supervisor.h).
 */
#include "core/broker.h"
#include "handlers/flow_util.h"
#include "handlers/routes.h"
#include "providers/registry.h"

#include "common/status.h"

#include <signal.h>
#include <unistd.h>

static int on_reload(void *data, h2o_req_t *req, const cm_route_match_t *m)
{
    ob_broker_t *b = data;
    (void)m;
    if (!ob_require_admin(b, req))
        return 0;
    json_t *report = NULL;
    int rc = ob_registry_reload(b->providers, &report);
    if (b->workers > 1)
        kill(getppid(), SIGHUP);
    if (rc == CM_OK)
        cm_respond_json(req, 200, report);
    else if (rc == CM_EIO)
        cm_respond_error(req, 500, "plugin_dir_unreadable", NULL,
                         "the plugin directory cannot be read (see the log); nothing was changed");
    else
        cm_respond_error(req, 500, "internal_error", NULL, "out of memory");
    return 0;
}

int ob_providers_reload_register(ob_broker_t *b)
{
    return cm_server_route(b->server, "POST", "/providers/reload", on_reload, b);
}
