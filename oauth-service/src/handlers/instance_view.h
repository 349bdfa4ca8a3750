/*
 * instance_view.h - what the instance admin handlers (handlers/instances_*.c) share: the admin view of instances
 * they answer with, and the end of an admin write.
 */
#ifndef OB_HANDLERS_INSTANCE_VIEW_H
#define OB_HANDLERS_INSTANCE_VIEW_H

#include "handlers/flow_util.h"

/* The admin view of row `row` of an OB_INSTANCE_SELECT result (never a secret or a token), or NULL when out of
 * memory. Caller owns it. */
json_t *ob_instance_view_json(ob_broker_t *b, const PGresult *res, int row);

/* An admin write of instance id ended (its statement returns one row): the vending cache forgets the instance
 * whatever happened. 1 when the statement succeeded; else 0 after answering the database error (if the request
 * is still there). */
typedef struct ob_instance_write {
    ob_async_t a; /* first: the async request context */
    char id[37];  /* the instance written */
} ob_instance_write_t;
int ob_instance_written(ob_instance_write_t *w, int status, PGresult *res, const char *what);

/* Answers 200 with the full admin view of one instance read from the database (used after writes). Takes
 * nothing; ctx-free: the request may vanish meanwhile. */
void ob_respond_instance(ob_broker_t *b, h2o_req_t *req, const char *id, int status_code);

#endif
