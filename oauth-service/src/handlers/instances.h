/*
 * instances.h - the admin API handlers of instances (internal to handlers/instances_*.c).
 * All need "Authorization: Bearer <admin key>".
 */
#ifndef OB_HANDLERS_INSTANCES_H
#define OB_HANDLERS_INSTANCES_H

#include "handlers/flow_util.h"

/* POST /instances (instances_create.c) */
int ob_on_instance_create(void *data, h2o_req_t *req, const cm_route_match_t *m);
/* GET /instances/{id}, GET /instances?user_id= (instances_read.c) */
int ob_on_instance_get(void *data, h2o_req_t *req, const cm_route_match_t *m);
int ob_on_instance_list(void *data, h2o_req_t *req, const cm_route_match_t *m);
/* PATCH /instances/{id} (instances_update.c), DELETE /instances/{id} (instances_delete.c) */
int ob_on_instance_patch(void *data, h2o_req_t *req, const cm_route_match_t *m);
int ob_on_instance_delete(void *data, h2o_req_t *req, const cm_route_match_t *m);

/* Answers 200 with the full admin view of one instance read from the database (used after writes). Takes
 * nothing; ctx-free: the request may vanish meanwhile. */
void ob_respond_instance(ob_broker_t *b, h2o_req_t *req, const char *id, int status_code);

#endif
