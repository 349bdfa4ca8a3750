/*
 * owner.c - the identity of a broker process in the refresh intent marker (intent.c), and the proof that the
 * process behind a marker is dead.
 *
 * Owner id: "<hostname>:<pid>:<random>:<start time>:<host key>". The start time is the process's starttime
 * (/proc/<pid>/stat, field 22, clock ticks since boot); the host key is the kernel boot id plus the inode of the
 * pid namespace, so two owners with the same host key see the same pids on the same boot (containers that share
 * a kernel but not a pid namespace get different keys). A marker whose owner has our host name and host key and
 * whose pid is gone, or is now another process (another start time), belongs to a dead process: nothing of its
 * refresh is in flight any more. Anything else (another host, an id without a host key, /proc unreadable) cannot
 * be proven dead and waits out the hold window.
 */
#include "refresh/refresher_int.h"

#include "common/crypto.h"
#include "common/status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads the starttime of process pid ("self" when pid is 0) into out (decimal text). CM_OK, CM_ENOTFOUND when
 * there is no such process, CM_EIO when it cannot be told. */
static int proc_starttime(long pid, char *out, size_t outsz)
{
    char path[64], buf[1024];
    if (pid > 0)
        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    else
        snprintf(path, sizeof(path), "/proc/self/stat");
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return errno == ENOENT || errno == ESRCH ? CM_ENOTFOUND : CM_EIO;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* "pid (comm) state ppid ...": comm may hold spaces and parentheses; the fields after the last ')' */
    char *p = strrchr(buf, ')');
    if (p == NULL)
        return CM_EIO;
    p++;
    /* starttime is field 22; field 3 (state) is the first after ')' */
    for (int field = 3; field < 22; field++) {
        p = strchr(p + 1, ' ');
        if (p == NULL)
            return CM_EIO;
    }
    p++;
    size_t len = strspn(p, "0123456789");
    if (len == 0 || len >= outsz)
        return CM_EIO;
    memcpy(out, p, len);
    out[len] = '\0';
    return CM_OK;
}

/* The boot id and the pid namespace of this process ("" when either cannot be read). */
static void host_key(char *out, size_t outsz)
{
    char boot[64] = "";
    struct stat st;
    out[0] = '\0';
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
    if (f == NULL)
        return;
    if (fgets(boot, sizeof(boot), f) == NULL)
        boot[0] = '\0';
    fclose(f);
    boot[strcspn(boot, "\r\n")] = '\0';
    if (boot[0] == '\0' || strchr(boot, ':') != NULL || stat("/proc/self/ns/pid", &st) != 0)
        return;
    snprintf(out, outsz, "%s.%lu", boot, (unsigned long)st.st_ino);
}

int ob_intent_owner_new(char *out, size_t outsz)
{
    char host[65] = "", rnd[17], start[32] = "0", key[96];
    if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0' || strchr(host, ':') != NULL)
        snprintf(host, sizeof(host), "%s", "unknown-host");
    host[sizeof(host) - 1] = '\0';
    if (cm_random_hex(rnd, sizeof(rnd), 8) != CM_OK)
        return CM_EIO;
    if (proc_starttime(0, start, sizeof(start)) != CM_OK)
        snprintf(start, sizeof(start), "%s", "0");
    host_key(key, sizeof(key));
    int n = snprintf(out, outsz, "%s:%ld:%s:%s:%s", host, (long)getpid(), rnd, start, key);
    return n > 0 && (size_t)n < outsz ? CM_OK : CM_EINVAL;
}

/* Splits an owner id into its 5 fields (pointers into copy). 0 when it does not have that form. */
static int split_owner(char *copy, char *f[5])
{
    int n = 0;
    char *p = copy;
    while (n < 5) {
        f[n++] = p;
        char *c = strchr(p, ':');
        if (c == NULL)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n == 5 && strchr(f[4], ':') == NULL;
}

int ob_intent_owner_dead(const char *owner, const char *self)
{
    char a[256], b[256], *o[5], *s[5];
    if (owner == NULL || self == NULL || strlen(owner) >= sizeof(a) || strlen(self) >= sizeof(b))
        return 0;
    memcpy(a, owner, strlen(owner) + 1);
    memcpy(b, self, strlen(self) + 1);
    if (!split_owner(a, o) || !split_owner(b, s))
        return 0;
    if (s[4][0] == '\0' || strcmp(o[0], s[0]) != 0 || strcmp(o[4], s[4]) != 0)
        return 0; /* another host, or a host that cannot be told apart */
    char *end = NULL;
    long pid = strtol(o[1], &end, 10);
    if (end == o[1] || *end != '\0' || pid <= 0 || strcmp(o[3], "0") == 0)
        return 0;
    char start[32];
    int rc = proc_starttime(pid, start, sizeof(start));
    if (rc == CM_ENOTFOUND)
        return 1;
    return rc == CM_OK && strcmp(start, o[3]) != 0; /* the pid now belongs to another process */
}
