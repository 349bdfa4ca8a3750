/*
 * metrics_merge.c - one exposition out of several processes' expositions (cm_metrics_merge in metrics.h): every
 * family once, with its HELP and TYPE from the first text that has it, followed by the samples of each text with a
 * label telling the processes apart.
 */
#include "common/metrics.h"
#include "common/status.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>

/* The family a header line ("# HELP name ..." / "# TYPE name ...") names, as a pointer into it and a length. */
static int header_family(const char *line, size_t len, const char **name, size_t *nlen)
{
    size_t skip;
    if (len > 7 && strncmp(line, "# HELP ", 7) == 0)
        skip = 7;
    else if (len > 7 && strncmp(line, "# TYPE ", 7) == 0)
        skip = 7;
    else
        return 0;
    *name = line + skip;
    *nlen = strcspn(*name, " \n");
    return 1;
}

/* The next line of text at *pos (without its newline); 0 at the end. */
static int next_line(const char *text, size_t *pos, const char **line, size_t *len)
{
    if (text[*pos] == '\0')
        return 0;
    *line = text + *pos;
    *len = strcspn(*line, "\n");
    *pos += *len + (text[*pos + *len] == '\n');
    return 1;
}

/* 1 when text declares family (name, nlen) already, in a header before position `before`. */
static int declared_before(const char *text, size_t before, const char *name, size_t nlen)
{
    size_t pos = 0, len, fl;
    const char *line, *fam;
    while (pos < before && next_line(text, &pos, &line, &len))
        if (header_family(line, len, &fam, &fl) && fl == nlen && memcmp(fam, name, nlen) == 0)
            return 1;
    return 0;
}

/* Appends text's samples of family (name, nlen) with label="value" added first. */
static void samples_of(cm_buf_t *o, const char *text, const char *name, size_t nlen, const char *label,
                       const char *value)
{
    size_t pos = 0, len, fl;
    const char *line, *fam;
    int in = 0;
    while (next_line(text, &pos, &line, &len)) {
        if (header_family(line, len, &fam, &fl)) {
            in = fl == nlen && memcmp(fam, name, nlen) == 0;
            continue;
        }
        if (!in || len == 0 || line[0] == '#')
            continue;
        size_t n = strcspn(line, "{ ");
        if (n >= len)
            continue; /* not a sample line */
        cm_buf_append(o, line, n);
        cm_buf_appendz(o, "{");
        cm_buf_appendz(o, label);
        cm_buf_appendz(o, "=\"");
        cm_buf_appendz(o, value);
        cm_buf_appendz(o, "\"");
        if (line[n] == '{') {
            if (line[n + 1] != '}')
                cm_buf_appendz(o, ",");
            cm_buf_append(o, line + n + 1, len - n - 1);
        } else {
            cm_buf_appendz(o, "}");
            cm_buf_append(o, line + n, len - n);
        }
        cm_buf_appendz(o, "\n");
    }
}

int cm_metrics_merge(const char *const *texts, const char *const *values, size_t n, const char *label, char **out,
                     size_t *len)
{
    cm_buf_t o = {0};
    cm_buf_appendz(&o, "");
    for (size_t t = 0; t < n; t++) {
        if (texts[t] == NULL)
            continue;
        size_t pos = 0, llen, fl;
        const char *line, *fam;
        while (next_line(texts[t], &pos, &line, &llen)) {
            if (!header_family(line, llen, &fam, &fl))
                continue;
            size_t at = (size_t)(line - texts[t]);
            /* a family is written at its first header in the first text that has it */
            if (declared_before(texts[t], at, fam, fl))
                continue;
            int earlier = 0;
            for (size_t u = 0; u < t && !earlier; u++)
                earlier = texts[u] != NULL && declared_before(texts[u], strlen(texts[u]), fam, fl);
            if (earlier)
                continue;
            /* the headers of this family in this text (HELP then TYPE, consecutive) */
            size_t hp = at, hl;
            const char *h, *hf;
            size_t hfl;
            while (next_line(texts[t], &hp, &h, &hl) && header_family(h, hl, &hf, &hfl) && hfl == fl &&
                   memcmp(hf, fam, fl) == 0) {
                cm_buf_append(&o, h, hl);
                cm_buf_appendz(&o, "\n");
            }
            for (size_t u = 0; u < n; u++)
                if (texts[u] != NULL)
                    samples_of(&o, texts[u], fam, fl, label, values[u]);
        }
    }
    size_t n_out = o.len;
    if ((*out = cm_buf_take(&o)) == NULL)
        return CM_ENOMEM;
    *len = n_out;
    return CM_OK;
}
