/*
 * as_consent_page.h - the consent page of the authorization server (GET /as/authorize, and POST /as/consent again
 * after a wrong access key), and its error pages.
 *
 * Self-contained HTML (no script, no external asset), every value HTML-escaped, Cache-Control no-store, and
 * Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self' <redirect origin>;
 * frame-ancestors 'none' - the redirect URI's origin is a form-action source because browsers apply form-action
 * to the redirect that answers the form (Allow and Deny both end in a 303 to the client). Referrer-Policy
 * same-origin: under no-referrer a browser posts the form with "Origin: null", which POST /as/consent refuses.
 */
#ifndef OB_HANDLERS_AS_CONSENT_PAGE_H
#define OB_HANDLERS_AS_CONSENT_PAGE_H

#include "common/httpd.h"

typedef struct ob_as_consent_view {
    const char *request_id;       /* the form's hidden field */
    const char *client_name;      /* may be NULL */
    const char *client_host;      /* host of a metadata document client_id; NULL for a registered client */
    const char *redirect_uri;     /* where the answer goes */
    const char *service_display;  /* the service's display name */
    const char *instance_label;   /* instance URL: custom name or id; NULL for a service URL */
    const char *provider_display; /* service URL: the provider the user signs in with */
    const char *scope;            /* canonical scope */
    int allow_possible;           /* 0: a service URL without operator app credentials (only Deny) */
    const char *error;            /* a message above the form (wrong access key), or NULL */
    const char *upstream_origin;  /* service URL with operator app credentials: the provider's origin, or NULL */
} ob_as_consent_view_t;

/* Renders and sends the consent page with status (200, or 400 after a wrong key). */
void ob_as_consent_send(h2o_req_t *req, int status, const ob_as_consent_view_t *v);

#endif
