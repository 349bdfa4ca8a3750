/*
 * http_client_guard.c - CA file and connect-address check of one request (http_client_guard.h).
 *
 * The address check sits in CURLOPT_OPENSOCKETFUNCTION: curl calls it with each address it resolved, before it
 * creates the socket, so a refused address never sees a packet and the address that passed is the one connected
 * to (no separate resolution that a rebinding name could answer differently). Connection reuse would skip the
 * check, hence a fresh connection; a proxy would make the checked address the proxy's, hence none.
 */
#include "http_client_guard.h"

#include <sys/socket.h>

static curl_socket_t open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    cm_http_guard_t *g = arg;
    if (purpose != CURLSOCKTYPE_IPCXN || !g->ok(g->arg, &a->addr, (size_t)a->addrlen)) {
        g->refused = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

void cm_http_guard_setup(CURL *e, cm_http_guard_t *g, const cm_http_request_t *req)
{
    if (req->ca_file != NULL)
        curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
    if (req->addr_ok == NULL)
        return;
    g->ok = req->addr_ok;
    g->arg = req->addr_arg;
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, g);
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
}
