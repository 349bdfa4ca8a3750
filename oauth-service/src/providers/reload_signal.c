/*
 * reload_signal.c - SIGHUP to a self-pipe, the reload on the loop (see reload_signal.h).
 */
#include "providers/reload_signal.h"

#include "common/log.h"
#include "common/status.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ob_reload_signal {
    ob_provider_registry_t *registry;
    int pipe[2];
    h2o_socket_t *sock; /* owns pipe[0] */
};

static volatile int signal_pipe = -1; /* the write end, for the handler */

static void on_sighup(int signo)
{
    (void)signo;
    int saved = errno; /* the interrupted code may look at errno */
    if (signal_pipe >= 0) {
        ssize_t w = write(signal_pipe, "h", 1); /* full pipe: a reload is pending anyway */
        (void)w;
    }
    errno = saved;
}

static void on_readable(h2o_socket_t *sock, const char *err)
{
    ob_reload_signal_t *s = sock->data;
    if (err != NULL)
        return;
    char buf[64];
    /* the socket does not read (DONT_READ): empty the pipe, or it stays readable; any number of signals, one reload */
    while (read(s->pipe[0], buf, sizeof(buf)) > 0)
        ;
    cm_info("providers", "SIGHUP: reloading the provider plugins");
    json_t *report = NULL;
    ob_registry_reload(s->registry, &report); /* logs what it did */
    json_decref(report);
}

ob_reload_signal_t *ob_reload_signal_new(h2o_evloop_t *loop, ob_provider_registry_t *r)
{
    ob_reload_signal_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        goto out_fail;
    s->registry = r;
    if (pipe2(s->pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        goto out_free;
    if ((s->sock = h2o_evloop_socket_create(loop, s->pipe[0], H2O_SOCKET_FLAG_DONT_READ)) == NULL)
        goto out_close;
    s->sock->data = s;
    h2o_socket_read_start(s->sock, on_readable);
    signal_pipe = s->pipe[1];
    struct sigaction sa = {.sa_handler = on_sighup, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    return s;

out_close:
    close(s->pipe[0]);
    close(s->pipe[1]);
out_free:
    free(s);
out_fail:
    cm_error("providers", "SIGHUP reload unavailable: %s", strerror(errno));
    return NULL;
}

void ob_reload_signal_free(ob_reload_signal_t *s)
{
    if (s == NULL)
        return;
    signal(SIGHUP, SIG_IGN); /* shutting down: a late SIGHUP must not kill the drain */
    signal_pipe = -1;
    h2o_socket_close(s->sock); /* closes pipe[0] */
    close(s->pipe[1]);
    free(s);
}
