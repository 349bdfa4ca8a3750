/*
 * pages.h - the HTML pages of the browser flow (callback success and error).
 *
 * Pages are self-contained, no-store, with a strict Content-Security-Policy: nothing loads from
 * anywhere, and the one inline script and style run only by a per-response random nonce. Every
 * value shown is HTML-escaped; data for the script travels as JSON with <, > and & escaped.
 *
 * Popup style (the seed's): when the flow was started with popup=1 the page posts
 *   {"type": "oauth_success"|"oauth_error", "instance_id", "service"?, "error"?}
 * to window.opener, once per allowed origin (the configured return URL origins and the broker's own),
 * never to "*", then closes itself. No secret is ever part of a page.
 */
#ifndef OB_OAUTH_PAGES_H
#define OB_OAUTH_PAGES_H

#include "common/httpd.h"

#include <jansson.h>

typedef struct ob_page {
    int status;              /* HTTP status */
    int success;             /* 1 = success page */
    const char *title;       /* short heading */
    const char *message;     /* one sentence for the user */
    const char *code;        /* stable error code (error pages) */
    const char *instance_id; /* may be NULL */
    const char *service;     /* may be NULL */
    int popup;
} ob_page_t;

/*
 * Renders the page into a malloc'ed NUL-terminated string (caller frees) and writes the CSP header value
 * into csp (nonce included). origins: array of allowed postMessage target origins (borrowed).
 */
char *ob_page_render(const ob_page_t *p, const json_t *origins, char *csp, size_t cspsz);

/* Renders and sends the page (status, CSP, no-store). */
void ob_page_send(h2o_req_t *req, const ob_page_t *p, const json_t *origins);

/* Appends s to b HTML-escaped (& < > " '). Returns CM_OK or an error. */
struct cm_buf;
int ob_html_escape(struct cm_buf *b, const char *s);

#endif
