/*
 * supervisor.c - the worker processes of one broker and the process that keeps them running (supervisor.h).
 *
 * The supervisor never runs an event loop: it waits for signals (all blocked, taken with sigtimedwait), so a
 * signal can never interrupt it half-way through its own bookkeeping.
 */
#include "supervisor.h"

#include "common/log.h"
#include "common/status.h"
#include "common/timer.h"

#include <errno.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FAST_DEATHS 5 /* failed starts (died before it was ready) in a row of one worker -> the broker stops */
#define RESTART_DELAY_MAX 5000
#define ROLL_SETTLE_MS 1000 /* a rolling restart moves on once the replacement is ready and has run this long */
#define KILL_GRACE_MS 5000  /* after drain_ms: the margin before SIGKILL */

struct worker {
    pid_t pid;          /* 0 = not running */
    int64_t started_ms; /* of the current or last run */
    int64_t restart_at; /* when not running: the earliest restart */
    int ready;          /* the current run said it serves (ob_supervisor_worker_ready) */
    int reload_owed;    /* a reload came while this run was starting: forwarded once it is ready */
    int fast_deaths;    /* failed starts in a row */
    int last_code;      /* exit code of the last run (1 after a signal) */
};

struct sup {
    const ob_supervisor_opts_t *o;
    int child; /* 1 in a worker right after its fork: everything returns to the caller */
    int child_index;
    int reserve_fd;
    int port;
    sigset_t old_mask;
    pid_t self;
    struct worker w[OB_WORKERS_MAX];
    int stopping;
    int64_t kill_at; /* stopping: SIGKILL what is left after this */
    int roll;        /* rolling restart: the index being replaced, -1 when none */
    int roll_phase;  /* 0: to stop, 1: stopped, waiting for the replacement to settle */
    int64_t roll_since;
    int give_up; /* a worker failed to start MAX_FAST_DEATHS times: the exit code */
};

/* In a worker: the supervisor to tell when ready; 0 in a single process (and in the supervisor). */
static pid_t supervisor_pid;

/* "Ready" is a real-time signal: those queue, one per sender. A standard signal sent by two workers starting together
 * is delivered once, with one sender's pid: the other would never be marked ready, get no forwarded reload, and hold
 * up a rolling restart. */
static int ready_signal(void)
{
    return SIGRTMIN;
}

void ob_supervisor_worker_ready(void)
{
    if (supervisor_pid > 0)
        kill(supervisor_pid, ready_signal());
}

int ob_cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Binds (never listens) a SO_REUSEPORT socket on host:port: the workers' listeners join its port, and port 0 is
 * resolved once. A bound socket that does not listen receives no connections. */
static int reserve_port(struct sup *s)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char portstr[16];
    int one = 1;
    snprintf(portstr, sizeof(portstr), "%d", s->o->port);
    if (getaddrinfo(s->o->host ? s->o->host : "127.0.0.1", portstr, &hints, &ai) != 0 || ai == NULL) {
        cm_error("broker", "listen: invalid address %s", s->o->host ? s->o->host : "(null)");
        return CM_EINVAL;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        goto out_close_fd;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        goto out_close_fd;
    s->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                       : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    s->reserve_fd = fd;
    freeaddrinfo(ai);
    return CM_OK;

out_close_fd:
    cm_error("broker", "listen on %s:%d failed: %s", s->o->host, s->o->port, strerror(errno));
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return CM_EIO;
}

static void spawn(struct sup *s, int i)
{
    pid_t pid = fork();
    if (pid < 0) {
        cm_error("broker", "worker %d: fork failed: %s (retrying)", i, strerror(errno));
        s->w[i].restart_at = cm_now_ms() + RESTART_DELAY_MAX;
        return;
    }
    if (pid == 0) {
        close(s->reserve_fd);
        /* the supervisor's death (even SIGKILL) stops the worker; a supervisor gone before this line: exit now */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != s->self)
            _exit(1);
        /* until the worker's reload pipe exists, a SIGHUP (a hangup of the terminal's group, or a reload the
         * supervisor forwards) must not end it: the plugins it is about to load are current anyway */
        signal(SIGHUP, SIG_IGN);
        supervisor_pid = s->self;
        sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        s->child = 1;
        s->child_index = i;
        return;
    }
    s->w[i].pid = pid;
    s->w[i].ready = 0;
    s->w[i].reload_owed = 0;
    s->w[i].started_ms = cm_now_ms();
    cm_info("broker", "worker %d started (pid %d)", i, (int)pid);
}

static void signal_all(struct sup *s, int sig)
{
    for (int i = 0; i < s->o->workers; i++)
        if (s->w[i].pid > 0)
            kill(s->w[i].pid, sig);
}

static int alive(const struct sup *s)
{
    int n = 0;
    for (int i = 0; i < s->o->workers; i++)
        n += s->w[i].pid > 0;
    return n;
}

/* A worker exited: remember how, and when it may come back. */
static void on_exit_status(struct sup *s, int i, int status)
{
    struct worker *w = &s->w[i];
    int64_t now = cm_now_ms(), ran = now - w->started_ms;
    int rolled = s->roll == i && s->roll_phase == 1;
    pid_t pid = w->pid;
    w->pid = 0;
    w->last_code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    if (s->stopping) {
        cm_info("broker", "worker %d stopped (exit %d)", i, w->last_code);
        return;
    }
    if (WIFSIGNALED(status))
        cm_warn("broker", "worker %d (pid %d) killed by signal %d after %lld ms: restarting", i, (int)pid,
                WTERMSIG(status), (long long)ran);
    else if (!rolled)
        cm_warn("broker", "worker %d exited with code %d after %lld ms: restarting", i, w->last_code, (long long)ran);
    if (!rolled && !w->ready) {
        if (++w->fast_deaths >= MAX_FAST_DEATHS) {
            cm_error("broker", "worker %d failed %d times in a row before it was ready: stopping", i, w->fast_deaths);
            s->give_up = w->last_code != 0 ? w->last_code : 1;
            return;
        }
        int64_t delay = 100LL << w->fast_deaths;
        w->restart_at = now + (delay < RESTART_DELAY_MAX ? delay : RESTART_DELAY_MAX);
    } else {
        w->fast_deaths = 0;
        w->restart_at = now;
    }
}

static void reap(struct sup *s)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < s->o->workers; i++)
            if (s->w[i].pid == pid)
                on_exit_status(s, i, status);
    }
}

static void begin_stop(struct sup *s, const char *why)
{
    if (s->stopping)
        return;
    cm_info("broker", "%s: stopping %d worker(s)", why, alive(s));
    s->stopping = 1;
    s->kill_at = cm_now_ms() + s->o->drain_ms + KILL_GRACE_MS;
    signal_all(s, SIGTERM);
}

/* Rolling restart: stops worker `roll` (phase 0), waits until its replacement has run ROLL_SETTLE_MS (phase 1),
 * then moves on to the next; ends after the last. */
static void roll_step(struct sup *s, int64_t now)
{
    if (s->roll < 0 || s->stopping)
        return;
    struct worker *w = &s->w[s->roll];
    if (s->roll_phase == 0) {
        if (w->pid > 0)
            kill(w->pid, SIGTERM);
        s->roll_phase = 1;
        s->roll_since = now;
        return;
    }
    if (w->pid > 0 && w->ready && w->started_ms >= s->roll_since && now - w->started_ms >= ROLL_SETTLE_MS) {
        s->roll_phase = 0;
        if (++s->roll == s->o->workers) {
            cm_info("broker", "rolling restart done");
            s->roll = -1;
        }
    }
}

static int64_t next_wake(const struct sup *s, int64_t now)
{
    int64_t at = now + 1000;
    for (int i = 0; i < s->o->workers; i++)
        if (!s->stopping && s->w[i].pid == 0 && s->w[i].restart_at < at)
            at = s->w[i].restart_at;
    if (s->stopping && s->kill_at < at)
        at = s->kill_at;
    if (s->roll >= 0)
        at = now + 100 < at ? now + 100 : at;
    return at > now ? at : now;
}

static void loop(struct sup *s, const sigset_t *set)
{
    while (!(s->stopping && alive(s) == 0)) {
        int64_t now = cm_now_ms(), wake = next_wake(s, now);
        struct timespec ts = {.tv_sec = (wake - now) / 1000, .tv_nsec = ((wake - now) % 1000) * 1000000};
        siginfo_t info;
        int sig = sigtimedwait(set, &info, &ts);
        if (sig == ready_signal()) {
            for (int i = 0; i < s->o->workers; i++)
                if (s->w[i].pid > 0 && s->w[i].pid == info.si_pid) {
                    s->w[i].ready = 1;
                    cm_info("broker", "worker %d (pid %d) ready", i, (int)info.si_pid);
                    /* its plugins may have been loaded before the files changed: rescan now (unchanged ones stay) */
                    if (s->w[i].reload_owed && !s->stopping)
                        kill(s->w[i].pid, SIGHUP);
                    s->w[i].reload_owed = 0;
                }
        } else if (sig == SIGTERM || sig == SIGINT) {
            begin_stop(s, sig == SIGTERM ? "SIGTERM" : "SIGINT");
        } else if (sig == SIGHUP && !s->stopping) {
            /* plugin reload in every worker; a worker that asked (its admin call) has reloaded already */
            for (int i = 0; i < s->o->workers; i++) {
                if (s->w[i].pid <= 0 || s->w[i].pid == info.si_pid)
                    continue;
                if (s->w[i].ready)
                    kill(s->w[i].pid, SIGHUP);
                else
                    s->w[i].reload_owed = 1; /* starting: SIGHUP is ignored until it can reload */
            }
        } else if (sig == SIGUSR2 && !s->stopping && s->roll < 0) {
            cm_info("broker", "SIGUSR2: rolling restart of %d worker(s)", s->o->workers);
            s->roll = 0;
            s->roll_phase = 0;
        }
        reap(s);
        if (s->give_up != 0)
            begin_stop(s, "giving up");
        now = cm_now_ms();
        if (s->stopping) {
            if (now >= s->kill_at && alive(s) > 0) {
                cm_warn("broker", "%d worker(s) still running %d ms after SIGTERM: SIGKILL", alive(s),
                        s->o->drain_ms + KILL_GRACE_MS);
                signal_all(s, SIGKILL);
                s->kill_at = now + 60000;
            }
            continue;
        }
        for (int i = 0; i < s->o->workers && !s->child; i++)
            if (s->w[i].pid == 0 && now >= s->w[i].restart_at)
                spawn(s, i);
        if (s->child)
            return;
        roll_step(s, now);
    }
}

int ob_supervise(const ob_supervisor_opts_t *o, ob_worker_slot_t *worker)
{
    struct sup s = {.o = o, .reserve_fd = -1, .roll = -1, .self = getpid()};
    sigset_t set;
    worker->is_worker = 0;
    if (o->workers < 2 || o->workers > OB_WORKERS_MAX)
        return 2;
    if (reserve_port(&s) != CM_OK)
        return 1;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, ready_signal());
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, &s.old_mask);
    cm_info("broker", "supervisor (pid %d): %d workers on %s:%d", (int)s.self, o->workers, o->host, s.port);
    cm_log_flush();
    for (int i = 0; i < o->workers && !s.child; i++)
        spawn(&s, i);
    if (!s.child)
        loop(&s, &set);
    if (s.child) {
        *worker = (ob_worker_slot_t){.is_worker = 1, .index = s.child_index, .port = s.port};
        return 0;
    }
    sigprocmask(SIG_SETMASK, &s.old_mask, NULL);
    close(s.reserve_fd);
    if (s.give_up != 0)
        return s.give_up;
    int code = 0;
    for (int i = 0; i < o->workers; i++)
        if (s.w[i].last_code != 0)
            code = 1;
    cm_info("broker", "all workers stopped");
    return code;
}
