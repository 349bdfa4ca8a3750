/*
 * metrics_board.h - the metrics of every worker process in one place (metrics_board.c): a shared memory board made
 * before the workers are forked, one slot per worker, where each worker publishes its rendered exposition and from
 * which the worker answering GET /metrics reads the others'.
 *
 * Each slot has one writer (the worker of that index; a restarted worker takes its predecessor's slot over) and any
 * number of readers; a sequence counter tells a reader that it copied a slot while it was being written (it then
 * reads again), so nothing is locked and a worker that dies half-way through a write harms no one.
 */
#ifndef OB_CORE_METRICS_BOARD_H
#define OB_CORE_METRICS_BOARD_H

#include <stddef.h>
#include <stdint.h>

#define OB_METRICS_SLOT_BYTES (1024 * 1024) /* the largest exposition one worker can publish */

typedef struct ob_metrics_board ob_metrics_board_t;

/* A board of `slots` slots (MAP_SHARED | MAP_ANONYMOUS: made before fork, inherited by the children; pages are only
 * committed when written). NULL on failure. The creator owns it (ob_metrics_board_free, in each process). */
ob_metrics_board_t *ob_metrics_board_new(int slots);
void ob_metrics_board_free(ob_metrics_board_t *b);
int ob_metrics_board_slots(const ob_metrics_board_t *b);

/* Publishes text (len bytes) in slot i. CM_OK, CM_EINVAL (bad slot), CM_ETOOBIG (larger than OB_METRICS_SLOT_BYTES). */
int ob_metrics_board_publish(ob_metrics_board_t *b, int i, const char *text, size_t len);
/* A copy of slot i: *text malloc'd and NUL-terminated (caller frees), *age_ms since it was published. CM_OK,
 * CM_ENOTFOUND (nothing published yet), CM_EUNAVAIL (kept changing while read), CM_ENOMEM, CM_EINVAL. */
int ob_metrics_board_read(ob_metrics_board_t *b, int i, char **text, int64_t *age_ms);

#endif
