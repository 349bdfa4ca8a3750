/*
 * refresh_routes.h - the issue-4 handlers (oauth_refresh.c, oauth_revoke.c, cache_tokens.c).
 */
#ifndef OB_HANDLERS_REFRESH_ROUTES_H
#define OB_HANDLERS_REFRESH_ROUTES_H

#include "broker.h"

int ob_oauth_revoke_register(ob_broker_t *b);
int ob_cache_tokens_register(ob_broker_t *b);
/* Reads {"instance_id": "<uuid>"} from a JSON body: lowercase copy in id, the parsed body in *body_out (caller
 * decrefs; body_out may be NULL). 1 on success; 0 after answering 400. */
int ob_body_instance_id(h2o_req_t *req, json_t **body_out, char id[37]);

#endif
