/*
 * oauth_routes.h - route registration of the browser flow (internal to handlers/oauth_*.c).
 */
#ifndef OB_HANDLERS_OAUTH_ROUTES_H
#define OB_HANDLERS_OAUTH_ROUTES_H

#include "broker.h"

int ob_oauth_authorize_register(ob_broker_t *b); /* GET /oauth/authorize */
int ob_oauth_callback_register(ob_broker_t *b);  /* GET /oauth/callback, GET /oauth/callback/{provider} */

#endif
