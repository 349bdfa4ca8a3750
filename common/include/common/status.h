/*
 * status.h - the one error convention of the project.
 *
 * Every fallible function returns an int: CM_OK (0) on success, CM_AGAIN (>0) when an asynchronous
 * operation was started and its result arrives later through the callback it was given, or a
 * negative CM_E* code. Results travel through out-parameters. Cleanup uses one forward goto chain
 * whose labels are named for what they undo (`out_free_body:`), as in the Linux kernel.
 *
 * Threading rule (applies to the whole code base): whatever touches an h2o request, a socket, the
 * curl multi handle or a PostgreSQL connection runs on the loop thread that owns it. Everything
 * else talks to that thread with messages (h2o_multithread_send_message).
 */
#ifndef COMMON_STATUS_H
#define COMMON_STATUS_H

enum {
    CM_OK = 0,
    CM_AGAIN = 1, /* started; the callback delivers the result later (never from inside the call) */
    CM_ERR = -1,  /* generic failure */
    CM_EINVAL = -2,
    CM_ENOMEM = -3,
    CM_ENOTFOUND = -4,
    CM_EIO = -5,
    CM_ETIMEDOUT = -6,
    CM_ETOOBIG = -7,
    CM_EPERM = -8,
    CM_ECONFLICT = -9,
    CM_EUNAVAIL = -10,
};

/* Returns a static, human-readable name for a status code ("again", "invalid argument", ...). */
const char *cm_status_str(int status);

#endif
