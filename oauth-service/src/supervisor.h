/*
 * supervisor.h - N worker processes of one broker (supervisor.c).
 *
 * The supervisor is the process that loaded the configuration, migrated the database and read the keys (work done
 * once). It reserves the listening address (a SO_REUSEPORT socket bound but never listening, so port 0 resolves to
 * one port for all), then forks the workers. Each worker opens its own SO_REUSEPORT listener on that port and runs its
 * own event loop, database pool, caches and plugins: the kernel spreads new connections over the workers.
 *
 * Signals to the supervisor: SIGTERM/SIGINT -> every worker gets SIGTERM and drains (listen.drain_ms); workers still
 * alive drain_ms + 5 s later get SIGKILL; the supervisor exits when all are gone. SIGHUP -> forwarded to every ready
 * worker, which rescans the plugin directory (a worker that sent it, after its admin reload call, is skipped). SIGUSR2
 * -> a rolling restart: one worker at a time is stopped gracefully and replaced (the next one once the replacement has
 * run for a second); the configuration is not re-read. A worker that exits on its own is restarted: at once when it had
 * said it was ready (ob_supervisor_worker_ready), after a growing delay (up to 5 s) when it died before; after 5 such
 * failed starts in a row the broker stops. Workers die with the supervisor (PR_SET_PDEATHSIG).
 */
#ifndef OB_SUPERVISOR_H
#define OB_SUPERVISOR_H

#define OB_WORKERS_MAX 64

/* What ob_supervise tells the process it returns in. */
typedef struct ob_worker_slot {
    int is_worker; /* 1: this is a freshly forked worker */
    int index;     /* 0..workers-1 (a restarted worker keeps its index) */
    int port;      /* the resolved listening port */
} ob_worker_slot_t;

typedef struct ob_supervisor_opts {
    int workers;      /* 2..OB_WORKERS_MAX */
    const char *host; /* the listening address (numeric) */
    int port;         /* 0 = ephemeral, resolved once for every worker */
    int drain_ms;     /* how long workers may drain on SIGTERM before SIGKILL (+ 5 s) */
} ob_supervisor_opts_t;

/* Forks the workers and keeps them running until a stop signal (or repeated start failures). Returns twice, like
 * fork: in each worker child right after its fork with worker->is_worker = 1 (the return value is 0; the caller runs
 * the worker and ends the process with its exit code), and in the supervisor at the end with worker->is_worker = 0
 * and the process exit code: 0 after a clean stop, the failing worker's code (or 1) when the workers could not be
 * kept running, 1 when the address cannot be bound. Signals are blocked in the supervisor while it runs and restored
 * in the workers. */
int ob_supervise(const ob_supervisor_opts_t *opts, ob_worker_slot_t *worker);

/* In a worker: tells the supervisor that this worker serves (call once, after it listens). Does nothing in a single
 * process. Async-signal-safe. */
void ob_supervisor_worker_ready(void);

/* The number of CPUs this process may run on (sched_getaffinity), at least 1: the default worker count. */
int ob_cpu_count(void);

#endif
