/* metrics_internal.h - the registry's structures, shared by metrics.c and metrics_text.c. */
#ifndef COMMON_METRICS_INTERNAL_H
#define COMMON_METRICS_INTERNAL_H

#include "common/metrics.h"

#include <stdint.h>

struct cm_metric_series {
    cm_metric_family_t *family;
    uint64_t hash;
    char *values[CM_METRICS_MAX_LABELS];
    double value;    /* counter/gauge value; a histogram's sum */
    double count;    /* a histogram's observation count */
    double counts[]; /* a histogram's per-bucket counts (nbuckets + 1, the last for +Inf) */
};

struct cm_metric_family {
    cm_metrics_t *registry;
    cm_metric_type_t type;
    char *name;
    char *help;
    char *labels[CM_METRICS_MAX_LABELS];
    size_t nlabels;
    double buckets[CM_METRICS_MAX_BUCKETS];
    size_t nbuckets;
    cm_metric_series_t **series;
    size_t nseries, cap;
};

struct cm_metrics_collector {
    cm_metrics_collect_fn fn;
    void *arg;
};

struct cm_metrics {
    cm_metric_family_t **families;
    size_t nfamilies;
    struct cm_metrics_collector *collectors;
    size_t ncollectors;
    cm_metric_family_t *dropped;
};

#endif
