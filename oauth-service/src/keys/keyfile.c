/*
 * keyfile.c - reading and writing secret files with strict permissions (see keyfile.h).
 */
#include "keys/keyfile.h"

#include "common/crypto.h"
#include "common/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ob_keyfile_read(const char *path, size_t max, char **out, size_t *outlen, char *err, size_t errsz)
{
    struct stat st;
    int rc;
    char *buf = NULL;
    size_t got = 0;

    *out = NULL;
    *outlen = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errsz, "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? CM_ENOTFOUND : CM_EIO;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(err, errsz, "cannot stat %s: %s", path, strerror(errno));
        rc = CM_EIO;
        goto out_close;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        snprintf(err, errsz, "%s must be a regular file with mode 0600 (is %04o): run chmod 600 %s", path,
                 (unsigned)(st.st_mode & 07777), path);
        rc = CM_EPERM;
        goto out_close;
    }
    if ((size_t)st.st_size > max) {
        snprintf(err, errsz, "%s is larger than %zu bytes", path, max);
        rc = CM_ETOOBIG;
        goto out_close;
    }
    if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        rc = CM_ENOMEM;
        goto out_close;
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != (size_t)st.st_size) {
        snprintf(err, errsz, "cannot read %s", path);
        rc = CM_EIO;
        goto out_free_buf;
    }
    while (got > 0 && strchr("\r\n\t ", buf[got - 1]) != NULL)
        got--;
    buf[got] = '\0';
    if (got == 0) {
        snprintf(err, errsz, "%s is empty", path);
        rc = CM_EINVAL;
        goto out_free_buf;
    }
    close(fd);
    *out = buf;
    *outlen = got;
    return CM_OK;

out_free_buf:
    cm_secure_free(buf, (size_t)st.st_size + 1);
out_close:
    close(fd);
    return rc;
}

/* mkdir -p for the parent directories of path, mode 0700 for new ones. */
static int make_parents(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n >= sizeof(tmp))
        return CM_EINVAL;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return CM_EIO;
        *p = '/';
    }
    return CM_OK;
}

int ob_keyfile_write(const char *path, const char *data, size_t len, int overwrite, char *err, size_t errsz)
{
    char tmp[4200];
    int rc = CM_EIO;
    if (!overwrite && access(path, F_OK) == 0) {
        snprintf(err, errsz, "%s already exists", path);
        return CM_ECONFLICT;
    }
    if (make_parents(path) != CM_OK) {
        snprintf(err, errsz, "cannot create the directory of %s: %s", path, strerror(errno));
        return CM_EIO;
    }
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        snprintf(err, errsz, "path too long: %s", path);
        return CM_EINVAL;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errsz, "cannot create %s: %s", tmp, strerror(errno));
        return CM_EIO;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto out_unlink;
        done += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto out_unlink;
    close(fd);
    fd = -1;
    if (!overwrite && access(path, F_OK) == 0) {
        snprintf(err, errsz, "%s already exists", path);
        unlink(tmp);
        return CM_ECONFLICT;
    }
    if (rename(tmp, path) != 0)
        goto out_unlink;
    return CM_OK;

out_unlink:
    snprintf(err, errsz, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return rc;
}
