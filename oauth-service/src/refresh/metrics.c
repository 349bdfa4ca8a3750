/*
 * metrics.c - the refresh outcomes in the process's metrics registry.
 */
#include "refresh/refresher.h"
#include "refresh/refresher_int.h"

#include "common/metrics.h"

void ob_refresh_metric(int outcome)
{
    static const char *const names[] = {"refreshed", "fresh", "transient", "permanent", "unrefreshable", "gone"};
    static cm_metric_series_t *series[sizeof(names) / sizeof(names[0])];
    static cm_metric_family_t *refreshes;
    if (refreshes == NULL) {
        refreshes = cm_counter("oauth_broker_refreshes_total",
                               "Refresh operations by outcome: refreshed, fresh (nothing to do), transient (failed, "
                               "retried later), permanent (needs re-authorization), unrefreshable, gone.",
                               "outcome");
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            series[i] = cm_metric_get(refreshes, names[i]);
    }
    if (outcome >= 0 && (size_t)outcome < sizeof(names) / sizeof(names[0]))
        cm_metric_inc(series[outcome]);
}
