/*
 * pg_hosts.c - the pool's server list when conninfo names several (host=h1,h2 / postgresql://h1:p1,h2:p2/db, usually
 * with target_session_attrs=read-write: a primary and its standbys). libpq tries the hosts in order within one
 * connection attempt and skips those that refuse or are not what target_session_attrs asks for. But in non-blocking
 * mode it enforces no timeout (connect_timeout only applies to its blocking calls), so a host that accepts nothing
 * (a crashed machine, a frozen server) would hold every attempt until the pool's connect timeout, and the next
 * attempt would start with it again: the broker would never reach the host that took over. So the pool remembers
 * where to start: when an attempt times out on host i, later attempts start with host i + 1 (the list rotated,
 * libpq then still tries every host). Leaf of the pool's layers: calls nothing in pg.c, pg_conn.c or pg_queue.c.
 */
#include "pg_internal.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONNECT_TIMEOUT_MS 5000
#define MIN_CONNECT_TIMEOUT_MS 2000 /* libpq's own floor for connect_timeout */
#define MAX_HOSTS 16

static void free_list(char **v, int n)
{
    for (int i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

/* Splits a comma-separated list into *out (malloc'ed copies, empty entries kept). Returns the count, or -1. */
static int split(const char *s, char ***out)
{
    int n = 1;
    for (const char *q = s; *q != '\0'; q++)
        n += *q == ',';
    if (n > MAX_HOSTS || (*out = calloc((size_t)n, sizeof(char *))) == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(s, ",");
        if (((*out)[i] = strndup(s, len)) == NULL) {
            free_list(*out, i);
            *out = NULL;
            return -1;
        }
        s += len + (s[len] == ',');
    }
    return n;
}

/* The list v (n entries, or one entry meaning "the same for every host") joined from index first on. */
static char *join_rotated(char **v, int nv, int n, int first)
{
    if (nv == 0)
        return NULL;
    size_t len = 1;
    for (int i = 0; i < nv; i++)
        len += strlen(v[i]) + 1;
    if (nv == 1) /* one port for all hosts: libpq applies it to each, nothing to rotate */
        return strdup(v[0]);
    char *s = calloc(1, len), *w = s;
    if (s == NULL)
        return NULL;
    for (int k = 0; k < n; k++) {
        const char *e = v[(first + k) % n];
        size_t el = strlen(e);
        if (k > 0)
            *w++ = ',';
        memcpy(w, e, el);
        w += el;
    }
    return s;
}

static const char *opt(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val != NULL && o->val[0] != '\0' ? o->val : NULL;
    return NULL;
}

int cm_pgi_hosts_init(cm_pg_pool_t *p, const PQconninfoOption *opts)
{
    const char *ct = opt(opts, "connect_timeout");
    long secs = ct != NULL ? strtol(ct, NULL, 10) : 0;
    p->connect_timeout_ms = secs <= 0                              ? DEFAULT_CONNECT_TIMEOUT_MS
                            : secs * 1000 < MIN_CONNECT_TIMEOUT_MS ? MIN_CONNECT_TIMEOUT_MS
                            : secs > 3600                          ? 3600 * 1000
                                                                   : (int)secs * 1000;
    const char *host = opt(opts, "host"), *addr = p->hostaddr ? p->hostaddr : opt(opts, "hostaddr");
    const char *port = opt(opts, "port");
    char **hv = NULL, **av = NULL, **pv = NULL;
    int nh = host ? split(host, &hv) : 0, na = addr ? split(addr, &av) : 0, np = port ? split(port, &pv) : 0, n, rc = 0;
    if (nh < 0 || na < 0 || np < 0) { /* too many hosts to rotate, or no memory: libpq gets conninfo as it is */
        nh = nh < 0 ? 0 : nh;
        na = na < 0 ? 0 : na;
        np = np < 0 ? 0 : np;
        goto out_free_lists;
    }
    n = nh > 0 ? nh : na;
    /* one host, or lists libpq will refuse anyway (its error names the mismatch) */
    if (n < 2 || (na != 0 && na != n) || (np > 1 && np != n))
        goto out_free_lists;
    if ((p->hosts = calloc((size_t)n, sizeof(*p->hosts))) == NULL) {
        rc = -1;
        goto out_free_lists;
    }
    p->nhosts = n;
    for (int i = 0; i < n; i++) {
        struct pg_hosts_rot *r = &p->hosts[i];
        r->name = strdup(nh > 0 ? hv[i] : av[i]);
        r->port = strdup(np > 1 ? pv[i] : np == 1 ? pv[0] : "");
        r->host = join_rotated(hv, nh, n, i);
        r->hostaddr = join_rotated(av, na, n, i);
        r->ports = join_rotated(pv, np, n, i);
        if (r->name == NULL || r->port == NULL || (nh && r->host == NULL) || (na && r->hostaddr == NULL) ||
            (np && r->ports == NULL)) {
            rc = -1;
            goto out_free_lists;
        }
    }
out_free_lists:
    free_list(hv, nh);
    free_list(av, na);
    free_list(pv, np);
    return rc;
}

void cm_pgi_hosts_params(const cm_pg_pool_t *p, const char **host, const char **hostaddr, const char **port)
{
    if (p->nhosts < 2) {
        *host = *port = NULL; /* conninfo's own */
        *hostaddr = p->hostaddr;
        return;
    }
    const struct pg_hosts_rot *r = &p->hosts[p->first_host];
    *host = r->host;
    *hostaddr = r->hostaddr;
    *port = r->ports;
}

void cm_pgi_hosts_skip(cm_pg_pool_t *p, PGconn *pg, int conn_id)
{
    if (p->nhosts < 2)
        return;
    const char *h = pg ? PQhost(pg) : NULL, *port = pg ? PQport(pg) : NULL;
    int stuck = p->first_host; /* libpq did not say: the attempt's first host */
    for (int k = 0; h != NULL && k < p->nhosts; k++) {
        int i = (p->first_host + k) % p->nhosts;
        const struct pg_hosts_rot *r = &p->hosts[i];
        if (strcmp(r->name, h) == 0 && (r->port[0] == '\0' || port == NULL || strcmp(r->port, port) == 0)) {
            stuck = i;
            break;
        }
    }
    p->first_host = (stuck + 1) % p->nhosts;
    cm_warn("pg", "connection %d: no answer from host %d of %d (%s%s%s) within %d ms; attempts start with the next",
            conn_id, stuck + 1, p->nhosts, p->hosts[stuck].name, p->hosts[stuck].port[0] ? ":" : "",
            p->hosts[stuck].port, p->connect_timeout_ms);
}

void cm_pgi_hosts_free(cm_pg_pool_t *p)
{
    for (int i = 0; p->hosts != NULL && i < p->nhosts; i++) {
        free(p->hosts[i].name);
        free(p->hosts[i].port);
        free(p->hosts[i].host);
        free(p->hosts[i].hostaddr);
        free(p->hosts[i].ports);
    }
    free(p->hosts);
    p->hosts = NULL;
    p->nhosts = 0;
}
