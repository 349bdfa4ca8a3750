/*
 * openloop.c - an open-loop (constant-rate) HTTP load generator for the benchmarks.
 *
 * wrk is closed-loop: each connection sends its next request only after the previous answer, so a server that stalls
 * is simply asked less, and the requests that would have been sent during the stall never enter wrk's percentiles
 * ("coordinated omission"). Comparing the p99 of two servers of very different speed that way compares how much each
 * was asked, not how fast each answers. This tool sends request i at its scheduled time t0 + i / rate whatever the
 * server does, and measures each latency from that scheduled time, so time spent queued behind a slow answer (in the
 * client's connection queue or the server's) counts. Both servers are then asked the same thing at the same rate.
 *
 *   bench_openloop --url URL --rate R --duration S [--connections C] [--header "Name: value"]...
 *                  [--body STRING] [--expect SUBSTRING] [--refuse SUBSTRING] [--drain S]
 *
 * POSTs BODY (a GET without --body) R times per second for S seconds over at most C keep-alive connections (default
 * 50; a request due while all C are busy waits for one, its wait included). A response counts as good when its status
 * is 2xx and, with --expect, its body contains that string and, with --refuse, does not contain that one (an MCP
 * tool error answered with HTTP 200 is not a measured provider call). After the last scheduled request the tool waits
 * up to
 * --drain seconds (default 10) for the answers still out; those still missing then count as errors with the time
 * they had waited (a lower bound), so a server that falls behind cannot flatter its percentiles by not answering.
 * Each "@ID@" in BODY becomes the request's sequence number: JSON-RPC ids must be unique among a session's requests in
 * flight (a server may route a response by its id, and two requests with one id leave one of them unanswered).
 * Prints one line:
 *
 *   OPENLOOP rate=R sent=N good=N errors=N non2xx=N unexpected=N late=N achieved=R' p50_us= p90_us= p99_us=
 *            p999_us= max_us= sched_lag_us=
 *
 * (late = still unanswered at the end of the drain; sched_lag_us = how late, at worst, this tool itself sent a
 * request after its scheduled time: when it is large the client, not the server, was the bottleneck.) Exit status 0
 * when the run completed (whatever the server answered), 2 on bad arguments.
 */
#include <curl/curl.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_REQUESTS = 5000000, BODY_KEEP = 65536, MAX_HEADERS = 16 };

struct request {
    uint64_t due_us; /* the scheduled send time */
    size_t len;
    char *buf;      /* the start of the response body (up to BODY_KEEP bytes), for --expect */
    char *req_body; /* this request's BODY with its id, when BODY has "@ID@" */
    CURL *easy;
    int in_flight;
    struct request *next_free;
};

struct run {
    const char *url, *body, *expect, *refuse;
    size_t body_len, body_ids; /* BODY's length and how many "@ID@" it holds */
    double rate, duration, drain;
    long connections;
    struct curl_slist *headers;
    CURLM *multi;
    struct request *free_list;
    struct request **all; /* every request made, for the ones still out at the end */
    size_t n_all, cap_all;
    uint64_t *lat_us;
    size_t n_lat, lat_cap, sent, good, errors, non2xx, unexpected, late;
    uint64_t max_sched_lag_us;
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    struct request *r = user;
    size_t n = size * nmemb, keep = n;
    if (r->len + keep > BODY_KEEP)
        keep = BODY_KEEP - r->len;
    memcpy(r->buf + r->len, data, keep);
    r->len += keep;
    return n;
}

/* request_get: a request from the free list or a new one with its easy handle set up; NULL when out of memory. */
static struct request *request_get(struct run *run)
{
    struct request *r = run->free_list;
    if (r != NULL) {
        run->free_list = r->next_free;
        r->len = 0;
        return r;
    }
    if (run->n_all == run->cap_all) {
        size_t cap = run->cap_all ? run->cap_all * 2 : 256;
        struct request **all = realloc(run->all, cap * sizeof(*all));
        if (all == NULL)
            return NULL;
        run->all = all;
        run->cap_all = cap;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->buf = malloc(BODY_KEEP + 1);
    r->easy = curl_easy_init();
    if (run->body_ids > 0)
        r->req_body = malloc(run->body_len + run->body_ids * 20 + 1); /* 20 digits hold any uint64 */
    if (r->buf == NULL || r->easy == NULL || (run->body_ids > 0 && r->req_body == NULL)) {
        if (r->easy != NULL)
            curl_easy_cleanup(r->easy);
        free(r->req_body);
        free(r->buf);
        free(r);
        return NULL;
    }
    curl_easy_setopt(r->easy, CURLOPT_URL, run->url);
    curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, run->headers);
    if (run->body != NULL && run->body_ids == 0) {
        curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, run->body);
        curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)run->body_len);
    }
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)((run->duration + run->drain) * 1000.0) + 1000L);
    curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
    run->all[run->n_all++] = r;
    return r;
}

/* set_body: BODY with each "@ID@" replaced by SEQ, as the request's POST body. */
static void set_body(const struct run *run, struct request *r, size_t seq)
{
    if (run->body_ids == 0)
        return;
    const char *from = run->body, *at;
    char *to = r->req_body;
    while ((at = strstr(from, "@ID@")) != NULL) {
        memcpy(to, from, (size_t)(at - from));
        to += at - from;
        to += snprintf(to, 21, "%zu", seq);
        from = at + 4;
    }
    size_t rest = strlen(from);
    memcpy(to, from, rest + 1);
    curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->req_body);
    curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)((size_t)(to - r->req_body) + rest));
}

static void request_put(struct run *run, struct request *r)
{
    r->in_flight = 0;
    r->next_free = run->free_list;
    run->free_list = r;
}

static void record(struct run *run, uint64_t latency_us)
{
    if (run->n_lat < run->lat_cap)
        run->lat_us[run->n_lat++] = latency_us;
}

static void collect_done(struct run *run)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(run->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct request *r = NULL;
        long status = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        record(run, now_us() - r->due_us);
        if (msg->data.result != CURLE_OK) {
            run->errors++;
        } else if (status < 200 || status > 299) {
            run->non2xx++;
        } else {
            r->buf[r->len] = '\0';
            if ((run->expect != NULL && strstr(r->buf, run->expect) == NULL) ||
                (run->refuse != NULL && strstr(r->buf, run->refuse) != NULL))
                run->unexpected++;
            else
                run->good++;
        }
        curl_multi_remove_handle(run->multi, msg->easy_handle);
        request_put(run, r);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t pct(const struct run *run, double p)
{
    if (run->n_lat == 0)
        return 0;
    size_t i = (size_t)(p * (double)(run->n_lat - 1) + 0.5);
    return run->lat_us[i];
}

static int usage(const char *why)
{
    fprintf(stderr,
            "bench_openloop: %s\nusage: bench_openloop --url URL --rate R --duration S [--connections C] "
            "[--header 'Name: value']... [--body STRING] [--expect SUBSTRING] [--refuse SUBSTRING] [--drain S]\n",
            why);
    return 2;
}

static int parse_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(struct run *run, int argc, char **argv)
{
    double conns = 50;
    int n_headers = 0;
    run->drain = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            return usage("an option without its value");
        const char *v = argv[++i];
        if (strcmp(a, "--url") == 0) {
            run->url = v;
        } else if (strcmp(a, "--rate") == 0) {
            if (parse_number(v, 0.1, 1e6, &run->rate) != 0)
                return usage("--rate: a number of requests per second, 0.1 to 1000000");
        } else if (strcmp(a, "--duration") == 0) {
            if (parse_number(v, 0.1, 3600, &run->duration) != 0)
                return usage("--duration: seconds, 0.1 to 3600");
        } else if (strcmp(a, "--drain") == 0) {
            if (parse_number(v, 0, 600, &run->drain) != 0)
                return usage("--drain: seconds, 0 to 600");
        } else if (strcmp(a, "--connections") == 0) {
            if (parse_number(v, 1, 10000, &conns) != 0)
                return usage("--connections: 1 to 10000");
        } else if (strcmp(a, "--header") == 0) {
            if (++n_headers > MAX_HEADERS)
                return usage("too many --header options");
            struct curl_slist *h = curl_slist_append(run->headers, v);
            if (h == NULL)
                return usage("out of memory");
            run->headers = h;
        } else if (strcmp(a, "--body") == 0) {
            run->body = v;
        } else if (strcmp(a, "--expect") == 0) {
            run->expect = v;
        } else if (strcmp(a, "--refuse") == 0) {
            run->refuse = v;
        } else {
            return usage("unknown option");
        }
    }
    if (run->url == NULL || run->rate <= 0 || run->duration <= 0)
        return usage("--url, --rate and --duration are required");
    if (run->rate * run->duration > MAX_REQUESTS)
        return usage("rate x duration above 5,000,000 requests");
    run->connections = (long)conns;
    if (run->body != NULL) {
        run->body_len = strlen(run->body);
        for (const char *at = run->body; (at = strstr(at, "@ID@")) != NULL; at += 4)
            run->body_ids++;
    }
    return 0;
}

/* drive: sends on schedule and collects answers until every request is answered or the drain time is over. */
static void drive(struct run *run, size_t total, uint64_t t0)
{
    uint64_t end_us = t0 + (uint64_t)(run->duration * 1e6) + (uint64_t)(run->drain * 1e6);
    int running = 0;
    for (;;) {
        uint64_t now = now_us();
        while (run->sent < total) {
            uint64_t due = t0 + (uint64_t)((double)run->sent * 1e6 / run->rate);
            if (due > now)
                break;
            struct request *r = request_get(run);
            if (r != NULL)
                set_body(run, r, run->sent + 1);
            if (r == NULL || curl_multi_add_handle(run->multi, r->easy) != CURLM_OK) {
                run->errors++; /* counted as sent and failed: the schedule goes on */
                if (r != NULL)
                    request_put(run, r);
            } else {
                r->due_us = due;
                r->in_flight = 1;
            }
            if (now - due > run->max_sched_lag_us)
                run->max_sched_lag_us = now - due;
            run->sent++;
        }
        curl_multi_perform(run->multi, &running);
        collect_done(run);
        if (run->sent >= total && running == 0)
            break;
        now = now_us();
        if (run->sent >= total && now >= end_us)
            break;
        int wait_ms = 50;
        if (run->sent < total) {
            uint64_t due = t0 + (uint64_t)((double)run->sent * 1e6 / run->rate);
            wait_ms = due > now ? (int)((due - now) / 1000u) : 0; /* rounded down: wake early, not late */
        }
        curl_multi_poll(run->multi, NULL, 0, wait_ms, NULL);
    }
}

/* count_late: the requests still unanswered at the end, as errors with the time they waited. */
static void count_late(struct run *run)
{
    uint64_t now = now_us();
    for (size_t i = 0; i < run->n_all; i++) {
        struct request *r = run->all[i];
        if (!r->in_flight)
            continue;
        record(run, now - r->due_us);
        run->late++;
        curl_multi_remove_handle(run->multi, r->easy);
        request_put(run, r);
    }
}

int main(int argc, char **argv)
{
    struct run run = {0};
    int rc = parse_args(&run, argc, argv);
    if (rc != 0)
        goto free_headers;
    rc = 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        goto free_headers;
    size_t total = (size_t)(run.rate * run.duration + 0.5);
    run.lat_cap = total + 1;
    run.lat_us = malloc(sizeof(uint64_t) * run.lat_cap);
    run.multi = curl_multi_init();
    if (run.lat_us == NULL || run.multi == NULL)
        goto free_multi;
    curl_multi_setopt(run.multi, CURLMOPT_MAX_HOST_CONNECTIONS, run.connections);
    curl_multi_setopt(run.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, run.connections);
    curl_multi_setopt(run.multi, CURLMOPT_MAXCONNECTS, run.connections);

    uint64_t t0 = now_us();
    drive(&run, total, t0);
    uint64_t elapsed = now_us() - t0;
    count_late(&run);
    qsort(run.lat_us, run.n_lat, sizeof(uint64_t), cmp_u64);
    printf("OPENLOOP rate=%.1f sent=%zu good=%zu errors=%zu non2xx=%zu unexpected=%zu late=%zu achieved=%.1f "
           "p50_us=%llu p90_us=%llu p99_us=%llu p999_us=%llu max_us=%llu sched_lag_us=%llu\n",
           run.rate, run.sent, run.good, run.errors, run.non2xx, run.unexpected, run.late,
           elapsed > 0 ? (double)run.good * 1e6 / (double)elapsed : 0.0, (unsigned long long)pct(&run, 0.50),
           (unsigned long long)pct(&run, 0.90), (unsigned long long)pct(&run, 0.99),
           (unsigned long long)pct(&run, 0.999), (unsigned long long)(run.n_lat ? run.lat_us[run.n_lat - 1] : 0),
           (unsigned long long)run.max_sched_lag_us);
    rc = 0;

free_multi:
    for (size_t i = 0; i < run.n_all; i++) {
        curl_easy_cleanup(run.all[i]->easy);
        free(run.all[i]->req_body);
        free(run.all[i]->buf);
        free(run.all[i]);
    }
    free(run.all);
    if (run.multi != NULL)
        curl_multi_cleanup(run.multi);
    free(run.lat_us);
    curl_global_cleanup();
free_headers:
    curl_slist_free_all(run.headers);
    return rc;
}
