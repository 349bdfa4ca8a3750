/*
 * refresh_lock.h - the per-instance advisory lock every writer that reads or replaces a refresh token takes
 * with pg_[try_]advisory_xact_lock: the refresher, rotate-keys, revoke. The key lives with the stored
 * credentials so that each of those writers reaches it from below.
 */
#ifndef OB_STORE_REFRESH_LOCK_H
#define OB_STORE_REFRESH_LOCK_H

/* The lock key (SQL). p is the SQL of the instance id as text (lowercase UUID), e.g. "$1" or "instance_id::text". */
#define OB_REFRESH_LOCK_KEY(p) "hashtextextended('ob-refresh:' || " p ", 0)"

#endif
