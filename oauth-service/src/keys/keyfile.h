/*
 * keyfile.h - reading secret files (key ring, admin key, service secrets) safely.
 *
 * A secret file must be a regular file, not readable or writable by group or others (mode 0600 or
 * stricter), non-empty and at most `max` bytes. Trailing whitespace (newline, CR, space, tab) is
 * trimmed, as the MCP runtime does for service secrets, so both sides derive the same keys.
 * Blocking file I/O: start-up and CLI commands only, never on the event loop.
 */
#ifndef OB_KEYS_KEYFILE_H
#define OB_KEYS_KEYFILE_H

#include <stddef.h>

/*
 * Reads path into *out (malloc'ed, NUL-terminated, caller frees with cm_secure_free(*out, *outlen)).
 * Returns CM_OK, CM_ENOTFOUND (no such file), CM_EPERM (group/other permission bits set, or not a
 * regular file), CM_ETOOBIG (larger than max), CM_EINVAL (empty after trimming) or CM_EIO; err gets
 * one line naming the file (never its content).
 */
int ob_keyfile_read(const char *path, size_t max, char **out, size_t *outlen, char *err, size_t errsz);

/*
 * Writes data to path atomically with mode 0600 (temporary file in the same directory + rename),
 * creating missing parent directories with mode 0700. Refuses to replace an existing file unless
 * overwrite is set. Returns CM_OK, CM_ECONFLICT (exists) or CM_EIO with one line in err.
 */
int ob_keyfile_write(const char *path, const char *data, size_t len, int overwrite, char *err, size_t errsz);

#endif
