/*
 * instance_view.h - the admin view of instances that the instance handlers (handlers/instances_*.c) answer with.
 */
#ifndef OB_HANDLERS_INSTANCE_VIEW_H
#define OB_HANDLERS_INSTANCE_VIEW_H

#include "handlers/flow_util.h"

/* The admin view of row `row` of an OB_INSTANCE_SELECT result (never a secret or a token), or NULL when out of
 * memory. Caller owns it. */
json_t *ob_instance_view_json(ob_broker_t *b, const PGresult *res, int row);

/* Answers 200 with the full admin view of one instance read from the database (used after writes). Takes
 * nothing; ctx-free: the request may vanish meanwhile. */
void ob_respond_instance(ob_broker_t *b, h2o_req_t *req, const char *id, int status_code);

#endif
