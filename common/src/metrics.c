/*
 * metrics.c - the registry: families, series found by hash, observations. Rendering is in metrics_text.c.
 */
#include "common/metrics.h"
#include "metrics_internal.h"

#include "common/status.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const double CM_METRICS_LATENCY_BUCKETS[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
const size_t CM_METRICS_LATENCY_NBUCKETS = sizeof(CM_METRICS_LATENCY_BUCKETS) / sizeof(CM_METRICS_LATENCY_BUCKETS[0]);

static cm_metrics_t *default_registry;

double cm_metrics_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

cm_metrics_t *cm_metrics_new(void)
{
    cm_metrics_t *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->dropped =
        cm_metrics_family(m, CM_METRIC_COUNTER, "metrics_series_dropped_total",
                          "Observations not recorded because their family had too many label sets.", "family", NULL, 0);
    return m;
}

static void family_free(cm_metric_family_t *f)
{
    for (size_t i = 0; i < f->nseries; i++) {
        cm_metric_series_t *s = f->series[i];
        for (size_t j = 0; j < f->nlabels; j++)
            free(s->values[j]);
        free(s);
    }
    free(f->series);
    for (size_t j = 0; j < f->nlabels; j++)
        free(f->labels[j]);
    free(f->name);
    free(f->help);
    free(f);
}

void cm_metrics_free(cm_metrics_t *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nfamilies; i++)
        family_free(m->families[i]);
    free(m->families);
    free(m->collectors);
    free(m);
}

cm_metrics_t *cm_metrics_default(void)
{
    if (default_registry == NULL)
        default_registry = cm_metrics_new();
    return default_registry;
}

static int valid_name(const char *n)
{
    if (n == NULL || *n == '\0' || (*n >= '0' && *n <= '9'))
        return 0;
    for (const char *p = n; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':'))
            return 0;
    }
    return 1;
}

static int split_labels(cm_metric_family_t *f, const char *labels)
{
    if (labels == NULL || *labels == '\0')
        return CM_OK;
    const char *p = labels;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (f->nlabels == CM_METRICS_MAX_LABELS || len == 0)
            return CM_EINVAL;
        char *name = strndup(p, len);
        if (name == NULL)
            return CM_ENOMEM;
        f->labels[f->nlabels++] = name;
        if (!valid_name(name) || strchr(name, ':') != NULL || strcmp(name, "le") == 0)
            return CM_EINVAL;
        p += len + (e ? 1 : 0);
    }
    return CM_OK;
}

static cm_metric_family_t *find_family(cm_metrics_t *m, const char *name)
{
    for (size_t i = 0; i < m->nfamilies; i++)
        if (strcmp(m->families[i]->name, name) == 0)
            return m->families[i];
    return NULL;
}

cm_metric_family_t *cm_metrics_family(cm_metrics_t *m, cm_metric_type_t type, const char *name, const char *help,
                                      const char *labels, const double *buckets, size_t nbuckets)
{
    if (m == NULL || !valid_name(name))
        return NULL;
    cm_metric_family_t *f = find_family(m, name);
    if (f != NULL)
        return f->type == type ? f : NULL;
    if (type == CM_METRIC_HISTOGRAM && buckets == NULL) {
        buckets = CM_METRICS_LATENCY_BUCKETS;
        nbuckets = CM_METRICS_LATENCY_NBUCKETS;
    }
    if (type == CM_METRIC_HISTOGRAM && (nbuckets == 0 || nbuckets > CM_METRICS_MAX_BUCKETS))
        return NULL;
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        return NULL;
    f->type = type;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    if (f->name == NULL || f->help == NULL || split_labels(f, labels) != CM_OK)
        goto fail_family;
    if (type == CM_METRIC_HISTOGRAM) {
        for (size_t i = 0; i < nbuckets; i++) {
            if (i > 0 && !(buckets[i] > buckets[i - 1]))
                goto fail_family;
            f->buckets[i] = buckets[i];
        }
        f->nbuckets = nbuckets;
    }
    cm_metric_family_t **grown = realloc(m->families, (m->nfamilies + 1) * sizeof(*grown));
    if (grown == NULL)
        goto fail_family;
    m->families = grown;
    m->families[m->nfamilies++] = f;
    f->registry = m;
    if (f->nlabels == 0)
        (void)cm_metric_series(f, NULL); /* an unlabelled metric shows from the start, at 0 */
    return f;
fail_family:
    family_free(f);
    return NULL;
}

cm_metric_family_t *cm_counter(const char *name, const char *help, const char *labels)
{
    return cm_metrics_family(cm_metrics_default(), CM_METRIC_COUNTER, name, help, labels, NULL, 0);
}

cm_metric_family_t *cm_gauge(const char *name, const char *help, const char *labels)
{
    return cm_metrics_family(cm_metrics_default(), CM_METRIC_GAUGE, name, help, labels, NULL, 0);
}

cm_metric_family_t *cm_histogram(const char *name, const char *help, const char *labels)
{
    return cm_metrics_family(cm_metrics_default(), CM_METRIC_HISTOGRAM, name, help, labels, NULL, 0);
}

static uint64_t hash_values(size_t n, const char *const *values)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        for (const char *p = values && values[i] ? values[i] : ""; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = (h ^ 0xffu) * 1099511628211ULL; /* separator: ("a","bc") differs from ("ab","c") */
    }
    return h;
}

static int same_values(const cm_metric_series_t *s, size_t n, const char *const *values)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s->values[i], values && values[i] ? values[i] : "") != 0)
            return 0;
    return 1;
}

static cm_metric_series_t *series_new(cm_metric_family_t *f, uint64_t h, const char *const *values)
{
    size_t extra = f->type == CM_METRIC_HISTOGRAM ? (f->nbuckets + 1) * sizeof(double) : 0;
    cm_metric_series_t *s = calloc(1, sizeof(*s) + extra);
    if (s == NULL)
        return NULL;
    s->hash = h;
    for (size_t i = 0; i < f->nlabels; i++) {
        s->values[i] = strdup(values && values[i] ? values[i] : "");
        if (s->values[i] == NULL)
            goto fail_values;
    }
    s->family = f;
    return s;
fail_values:
    for (size_t i = 0; i < f->nlabels; i++)
        free(s->values[i]);
    free(s);
    return NULL;
}

cm_metric_series_t *cm_metric_series(cm_metric_family_t *f, const char *const *values)
{
    if (f == NULL)
        return NULL;
    uint64_t h = hash_values(f->nlabels, values);
    for (size_t i = 0; i < f->nseries; i++)
        if (f->series[i]->hash == h && same_values(f->series[i], f->nlabels, values))
            return f->series[i];
    if (f->nseries == CM_METRICS_MAX_SERIES) {
        cm_metrics_t *m = f->registry;
        if (m != NULL && m->dropped != NULL && f != m->dropped)
            cm_metric_inc(cm_metric_get(m->dropped, f->name));
        return NULL;
    }
    if (f->nseries == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        cm_metric_series_t **grown = realloc(f->series, cap * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        f->series = grown;
        f->cap = cap;
    }
    cm_metric_series_t *s = series_new(f, h, values);
    if (s != NULL)
        f->series[f->nseries++] = s;
    return s;
}

cm_metric_series_t *cm_metric_get(cm_metric_family_t *f, ...)
{
    if (f == NULL)
        return NULL;
    const char *values[CM_METRICS_MAX_LABELS] = {0};
    va_list ap;
    va_start(ap, f);
    for (size_t i = 0; i < f->nlabels; i++)
        values[i] = va_arg(ap, const char *);
    va_end(ap);
    return cm_metric_series(f, values);
}

void cm_metric_add(cm_metric_series_t *s, double v)
{
    if (s == NULL || (s->family->type == CM_METRIC_COUNTER && !(v >= 0)))
        return;
    s->value += v;
}

void cm_metric_inc(cm_metric_series_t *s)
{
    cm_metric_add(s, 1);
}

void cm_metric_set(cm_metric_series_t *s, double v)
{
    if (s != NULL && s->family->type == CM_METRIC_GAUGE)
        s->value = v;
}

void cm_metric_observe(cm_metric_series_t *s, double v)
{
    if (s == NULL || s->family->type != CM_METRIC_HISTOGRAM)
        return;
    const cm_metric_family_t *f = s->family;
    size_t i = 0;
    while (i < f->nbuckets && v > f->buckets[i])
        i++;
    s->counts[i] += 1; /* per-bucket counts; rendering accumulates them */
    s->value += v;     /* the sum */
    s->count += 1;
}

void cm_metric_family_zero(cm_metric_family_t *f)
{
    if (f == NULL || f->type != CM_METRIC_GAUGE)
        return;
    for (size_t i = 0; i < f->nseries; i++)
        f->series[i]->value = 0;
}

double cm_metric_value(const cm_metric_series_t *s)
{
    return s ? s->value : 0;
}

int cm_metrics_on_collect(cm_metrics_t *m, cm_metrics_collect_fn fn, void *arg)
{
    if (m == NULL || fn == NULL)
        return CM_EINVAL;
    struct cm_metrics_collector *grown = realloc(m->collectors, (m->ncollectors + 1) * sizeof(*grown));
    if (grown == NULL)
        return CM_ENOMEM;
    m->collectors = grown;
    m->collectors[m->ncollectors].fn = fn;
    m->collectors[m->ncollectors].arg = arg;
    m->ncollectors++;
    return CM_OK;
}

void cm_metrics_off_collect(cm_metrics_t *m, cm_metrics_collect_fn fn, void *arg)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->ncollectors; i++) {
        if (m->collectors[i].fn == fn && m->collectors[i].arg == arg) {
            memmove(&m->collectors[i], &m->collectors[i + 1], (m->ncollectors - i - 1) * sizeof(m->collectors[0]));
            m->ncollectors--;
            return;
        }
    }
}
