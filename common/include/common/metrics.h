/*
 * metrics.h - a Prometheus metrics registry (text exposition format 0.0.4) shared by the broker and the MCP
 * servers: counters, gauges and histograms with fixed buckets, each a family of series told apart by label values.
 *
 * Threading: the registry belongs to the loop thread (every call from it); nothing is locked.
 * Cost: a series is created (allocated) the first time its label values are seen; after that an observation
 * finds it by hash without allocating. Callers on a hot path may keep the series handle and skip the lookup.
 * Label sets are bounded: past CM_METRICS_MAX_SERIES series in one family, new label values are not recorded
 * (counted in metrics_series_dropped_total) so a stray value cannot grow memory without end.
 */
#ifndef COMMON_METRICS_H
#define COMMON_METRICS_H

#include <stddef.h>

#define CM_METRICS_MAX_LABELS 4
#define CM_METRICS_MAX_SERIES 256
#define CM_METRICS_MAX_BUCKETS 16

typedef struct cm_metrics cm_metrics_t;
typedef struct cm_metric_family cm_metric_family_t;
typedef struct cm_metric_series cm_metric_series_t;

typedef enum { CM_METRIC_COUNTER, CM_METRIC_GAUGE, CM_METRIC_HISTOGRAM } cm_metric_type_t;

/* Called before each rendering so gauges can be sampled (e.g. sessions open); must not block. */
typedef void (*cm_metrics_collect_fn)(cm_metrics_t *m, void *arg);

/* The process's registry, created on first use and kept to the process exit (callers keep its family and series
 * handles in static variables). NULL only when out of memory at first use; every function below accepts NULL and then
 * does nothing. */
cm_metrics_t *cm_metrics_default(void);
/* A separate registry (tests). Caller owns it. */
cm_metrics_t *cm_metrics_new(void);
void cm_metrics_free(cm_metrics_t *m);

/*
 * Declares (or finds, when the name is already declared with the same type) a family. labels: the label names,
 * comma-separated ("route,status"), or NULL for none. buckets: strictly increasing upper bounds for a histogram
 * (NULL: CM_METRICS_LATENCY_BUCKETS), ignored otherwise. name, help and labels are copied. Returns NULL on a bad
 * name, too many labels or buckets, a type clash or out of memory. The registry owns the family.
 */
cm_metric_family_t *cm_metrics_family(cm_metrics_t *m, cm_metric_type_t type, const char *name, const char *help,
                                      const char *labels, const double *buckets, size_t nbuckets);
cm_metric_family_t *cm_counter(const char *name, const char *help, const char *labels);
cm_metric_family_t *cm_gauge(const char *name, const char *help, const char *labels);
/* A histogram of seconds with the default latency buckets (5 ms .. 30 s). */
cm_metric_family_t *cm_histogram(const char *name, const char *help, const char *labels);

/* Latency buckets in seconds. */
extern const double CM_METRICS_LATENCY_BUCKETS[];
extern const size_t CM_METRICS_LATENCY_NBUCKETS;

/* The series for these label values (as many as the family has labels; NULL counts as ""), created on first
 * use. NULL when f is NULL, the family is full or memory is short: the observation functions ignore NULL. */
cm_metric_series_t *cm_metric_series(cm_metric_family_t *f, const char *const *values);
/* The same with the values as arguments (exactly the family's label count). */
cm_metric_series_t *cm_metric_get(cm_metric_family_t *f, ...);

void cm_metric_add(cm_metric_series_t *s, double v); /* counter (v >= 0) or gauge */
void cm_metric_inc(cm_metric_series_t *s);
void cm_metric_set(cm_metric_series_t *s, double v);     /* gauge */
void cm_metric_observe(cm_metric_series_t *s, double v); /* histogram */
/* Sets every series of a gauge family to 0 (a collector then sets what it sees; gone label values read 0). */
void cm_metric_family_zero(cm_metric_family_t *f);
/* The value of a counter or gauge (tests). */
double cm_metric_value(const cm_metric_series_t *s);

/* Adds a collector, called on the loop thread before each cm_metrics_render. */
int cm_metrics_on_collect(cm_metrics_t *m, cm_metrics_collect_fn fn, void *arg);
/* Removes a collector added with the same fn and arg (its arg is about to be freed). */
void cm_metrics_off_collect(cm_metrics_t *m, cm_metrics_collect_fn fn, void *arg);

/* Renders the registry in the text format. *out is malloc'd (caller frees). Returns CM_OK or CM_ENOMEM. */
int cm_metrics_render(cm_metrics_t *m, char **out, size_t *len);

/*
 * Merges the expositions of several processes (texts[i], NULL = skipped) into one: each family once, its HELP and
 * TYPE taken from the first text that declares it, then the samples of every text with label="values[i]" added as
 * the first label (e.g. worker="0"). *out is malloc'd (caller frees). Returns CM_OK or CM_ENOMEM.
 */
int cm_metrics_merge(const char *const *texts, const char *const *values, size_t n, const char *label, char **out,
                     size_t *len);

/* Seconds on the monotonic clock (for latency observations). */
double cm_metrics_now(void);

#endif
