/*
 * metrics_text.c - renders a registry in the Prometheus text exposition format, version 0.0.4.
 */
#include "common/metrics.h"
#include "metrics_internal.h"

#include "common/status.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char *p;
    size_t len, cap;
    int failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(b->p, cap);
        if (grown == NULL) {
            b->failed = 1;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* HELP text escapes backslash and newline; label values also escape the double quote. */
static void put_escaped(struct buf *b, const char *s, int quote)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\\')
            puts_(b, "\\\\");
        else if (*p == '\n')
            puts_(b, "\\n");
        else if (quote && *p == '"')
            puts_(b, "\\\"");
        else
            put(b, p, 1);
    }
}

static void put_number(struct buf *b, double v)
{
    char tmp[40];
    if (isnan(v))
        puts_(b, "NaN");
    else if (isinf(v))
        puts_(b, v > 0 ? "+Inf" : "-Inf");
    else {
        int n = snprintf(tmp, sizeof(tmp), "%.15g", v);
        put(b, tmp, (size_t)n);
    }
}

/* name{l1="v1",...[,le="x"]} value\n */
static void put_sample(struct buf *b, const cm_metric_family_t *f, const cm_metric_series_t *s, const char *suffix,
                       const char *le, double value)
{
    puts_(b, f->name);
    puts_(b, suffix);
    if (f->nlabels > 0 || le != NULL) {
        put(b, "{", 1);
        for (size_t i = 0; i < f->nlabels; i++) {
            if (i > 0)
                put(b, ",", 1);
            puts_(b, f->labels[i]);
            puts_(b, "=\"");
            put_escaped(b, s->values[i], 1);
            put(b, "\"", 1);
        }
        if (le != NULL) {
            if (f->nlabels > 0)
                put(b, ",", 1);
            puts_(b, "le=\"");
            puts_(b, le);
            put(b, "\"", 1);
        }
        put(b, "}", 1);
    }
    put(b, " ", 1);
    put_number(b, value);
    put(b, "\n", 1);
}

static void put_histogram(struct buf *b, const cm_metric_family_t *f, const cm_metric_series_t *s)
{
    double cumulative = 0;
    char le[40];
    for (size_t i = 0; i < f->nbuckets; i++) {
        cumulative += s->counts[i];
        snprintf(le, sizeof(le), "%.15g", f->buckets[i]);
        put_sample(b, f, s, "_bucket", le, cumulative);
    }
    put_sample(b, f, s, "_bucket", "+Inf", s->count);
    put_sample(b, f, s, "_sum", NULL, s->value);
    put_sample(b, f, s, "_count", NULL, s->count);
}

static const char *type_name(cm_metric_type_t t)
{
    return t == CM_METRIC_COUNTER ? "counter" : t == CM_METRIC_GAUGE ? "gauge" : "histogram";
}

int cm_metrics_render(cm_metrics_t *m, char **out, size_t *len)
{
    struct buf b = {0};
    *out = NULL;
    *len = 0;
    if (m == NULL)
        return CM_EINVAL;
    for (size_t i = 0; i < m->ncollectors; i++)
        m->collectors[i].fn(m, m->collectors[i].arg);
    put(&b, "", 0);
    for (size_t i = 0; i < m->nfamilies; i++) {
        const cm_metric_family_t *f = m->families[i];
        puts_(&b, "# HELP ");
        puts_(&b, f->name);
        put(&b, " ", 1);
        put_escaped(&b, f->help, 0);
        puts_(&b, "\n# TYPE ");
        puts_(&b, f->name);
        put(&b, " ", 1);
        puts_(&b, type_name(f->type));
        put(&b, "\n", 1);
        for (size_t j = 0; j < f->nseries; j++) {
            if (f->type == CM_METRIC_HISTOGRAM)
                put_histogram(&b, f, f->series[j]);
            else
                put_sample(&b, f, f->series[j], "", NULL, f->series[j]->value);
        }
    }
    if (b.failed) {
        free(b.p);
        return CM_ENOMEM;
    }
    *out = b.p;
    *len = b.len;
    return CM_OK;
}
