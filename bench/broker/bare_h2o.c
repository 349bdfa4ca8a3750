/*
 * bare_h2o.c - the baseline of the broker benchmarks: a bare libh2o 2.2.5 (evloop) server, one loop
 * thread, HTTP/1.1 only, answering every request with a fixed small JSON body (about the size of a
 * vend answer), no router, no JSON library, no crypto. bench/broker/run.sh measures it in the same run
 * as the broker's endpoints.
 *
 * Usage: bench_bare_h2o <port>
 */
#include <h2o.h>

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;

static const char body[] = "{\"access_token\":\"ya29.bare-baseline-token-0123456789abcdefghijklmnopqrstuvwxyz\","
                           "\"token_type\":\"Bearer\",\"expires_at\":1800000000,\"scope\":\"openid email\","
                           "\"instance_status\":\"active\"}";

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = sizeof(body) - 1;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    h2o_send_inline(req, body, sizeof(body) - 1);
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err != NULL)
        return;
    for (int i = 0; i < 16; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            break;
        h2o_accept(&accept_ctx, sock);
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr;
    int one = 1;
    long port = argc > 1 ? strtol(argv[1], NULL, 10) : 8080;
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "usage: bench_bare_h2o <port>\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    h2o_config_init(&config);
    config.http1.upgrade_to_http2 = 0;
    h2o_hostconf_t *host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *h = h2o_create_handler(path, sizeof(*h));
    h->on_req = on_req;
    h2o_evloop_t *loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(0x7f000001);
    addr.sin_port = htons((uint16_t)port);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, SOMAXCONN) != 0) {
        fprintf(stderr, "bench_bare_h2o: listen on 127.0.0.1:%ld failed: %s\n", port, strerror(errno));
        return 1;
    }
    h2o_socket_t *sock = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(sock, on_accept);
    printf("bench_bare_h2o listening on 127.0.0.1:%ld\n", port);
    fflush(stdout);
    while (h2o_evloop_run(loop, INT32_MAX) == 0 || errno == EINTR)
        ;
    return 0;
}
