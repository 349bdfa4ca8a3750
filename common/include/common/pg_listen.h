/*
 * pg_listen.h - a dedicated PostgreSQL connection that LISTENs on one channel, on the h2o event loop.
 *
 * The listener connects with the settings of a pool (its conninfo and the host addresses the pool resolved at
 * start-up, so no DNS on the loop), runs LISTEN and hands every notification of the channel to a callback. A lost
 * connection (server gone, pg_terminate_backend, a ping that gets no answer) is re-established by itself with
 * backoff (100 ms .. 5 s, jitter). Notifications sent while it was away are lost: the state callback says when
 * the listener is up again (LISTEN in effect), so the user can resync whatever it derived from notifications.
 * While up, an empty statement is sent every ping_ms and must be answered within the pool's query timeout: a
 * half-open TCP connection (no FIN, no RST) is noticed within ping_ms + timeout instead of the keepalive minutes.
 *
 * Threading: the loop thread of the pool only. Do not free the listener from inside its own callbacks.
 */
#ifndef COMMON_PG_LISTEN_H
#define COMMON_PG_LISTEN_H

#include "common/pg.h"

typedef struct cm_pg_listener cm_pg_listener_t;

/* One notification of the channel: payload borrowed for the call. */
typedef void (*cm_pg_notify_cb)(void *arg, const char *payload);
/* up = 1: LISTEN is in effect (first time, and after every reconnect: notifications may have been missed while
 * it was down); up = 0: the connection was lost (nothing is heard until the next up = 1). */
typedef void (*cm_pg_listen_state_cb)(void *arg, int up);

/*
 * Starts listening on channel ([a-z0-9_], 1..63 chars) with pool's connection settings; connects once the loop
 * runs. pool is borrowed and must outlive the listener; ping_ms <= 0 means 10000. Returns NULL on a bad channel
 * name or no memory. Caller owns the listener. Callbacks are never called from inside this function.
 */
cm_pg_listener_t *cm_pg_listener_new(cm_pg_pool_t *pool, const char *channel, int ping_ms, cm_pg_notify_cb on_notify,
                                     cm_pg_listen_state_cb on_state, void *arg);
/* Closes the connection and frees. No callback is called after (nor during) this call. NULL is fine. */
void cm_pg_listener_free(cm_pg_listener_t *l);
/* 1 while LISTEN is in effect. */
int cm_pg_listener_up(const cm_pg_listener_t *l);
/* Times the listener went up (first connect included): stats, tests. */
unsigned long cm_pg_listener_connects(const cm_pg_listener_t *l);

#endif
