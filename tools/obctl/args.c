/*
 * args.c - obctl's option parsing, the admin key and local files.
 */
#include "obctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_MAX 4096

void obctl_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("obctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int obctl_parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (s[0] == '\0' || end == NULL || *end != '\0' || errno != 0 || v < lo || v > hi) {
        obctl_err("%s: \"%s\" is not a number in %ld..%ld", opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* The option OPTS names NAME (length N), or NULL. */
static const obctl_opt_t *opt_find(const obctl_opt_t *opts, const char *name, size_t n)
{
    for (; opts != NULL && opts->name != NULL; opts++)
        if (strlen(opts->name) == n && strncmp(opts->name, name, n) == 0)
            return opts;
    return NULL;
}

static int usage_error(const obctl_cmd_t *cmd)
{
    fprintf(stderr, "Usage: obctl %s%s%s %s   (--help for more)\n", cmd->group, cmd->verb ? " " : "",
            cmd->verb ? cmd->verb : "", cmd->args);
    return OBCTL_USAGE;
}

int obctl_parse(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv, const obctl_opt_t *opts, const char **pos,
                int min, int max)
{
    static const obctl_opt_t globals[] = {
        {"url", NULL, NULL}, {"key-file", NULL, NULL}, {"timeout", NULL, NULL}, {NULL, NULL, NULL}};
    int npos = 0, only_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
            if (npos >= max) {
                obctl_err("unexpected argument \"%s\"", a);
                return usage_error(cmd);
            }
            pos[npos++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            obctl_print_help(cmd);
            return -1;
        }
        if (strcmp(a, "--json") == 0) {
            c->json = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            obctl_err("unknown option %s", a);
            return usage_error(cmd);
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const obctl_opt_t *o = opt_find(opts, name, n), *g = o ? NULL : opt_find(globals, name, n);
        if (o == NULL && g == NULL) {
            obctl_err("unknown option --%.*s", (int)n, name);
            return usage_error(cmd);
        }
        if (o != NULL && o->flag != NULL) {
            if (eq) {
                obctl_err("--%s takes no value", o->name);
                return usage_error(cmd);
            }
            *o->flag = 1;
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (v == NULL) {
            obctl_err("--%.*s needs a value", (int)n, name);
            return usage_error(cmd);
        }
        if (o != NULL) {
            *o->value = v;
        } else if (strcmp(g->name, "url") == 0) {
            c->url = v;
        } else if (strcmp(g->name, "key-file") == 0) {
            c->key_file = v;
        } else {
            long t;
            if (obctl_parse_long("--timeout", v, 1, 3600, &t) != 0)
                return usage_error(cmd);
            c->timeout_s = t;
        }
    }
    if (npos < min) {
        obctl_err("missing argument");
        return usage_error(cmd);
    }
    return OBCTL_OK;
}

char *obctl_read_file(const char *path, size_t max)
{
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        obctl_err("cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t len = 0;
    while (buf != NULL && len <= max) {
        ssize_t r = read(fd, buf + len, max + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            obctl_err("cannot read %s: %s", path, strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    if (buf == NULL) {
        obctl_err("out of memory");
        goto fail;
    }
    if (len > max) {
        obctl_err("%s is larger than %zu bytes", path, max);
        goto fail;
    }
    buf[len] = '\0';
    if (fd != STDIN_FILENO)
        close(fd);
    return buf;
fail:
    if (buf != NULL) {
        explicit_bzero(buf, len <= max ? len : max + 1);
        free(buf);
    }
    if (fd != STDIN_FILENO)
        close(fd);
    return NULL;
}

/* Strips trailing whitespace (a key file ends with a newline more often than not). */
static void rtrim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

/* Usable as a bearer value: printable, no blanks (the key goes into an HTTP header). */
static int key_ok(const char *k)
{
    if (k[0] == '\0')
        return 0;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return 0;
    return 1;
}

int obctl_load_key(obctl_t *c)
{
    const char *env = getenv("OB_ADMIN_KEY");
    char dflt[4096];
    const char *file = c->key_file;
    if (file == NULL && env != NULL && env[0] != '\0') {
        c->key = strdup(env);
        if (c->key == NULL) {
            obctl_err("out of memory");
            return OBCTL_NO_KEY;
        }
        rtrim(c->key);
        if (!key_ok(c->key)) {
            obctl_err("OB_ADMIN_KEY is not a usable key (empty, blanks or control characters)");
            return OBCTL_NO_KEY;
        }
        return OBCTL_OK;
    }
    if (file == NULL) {
        const char *var = getenv("VAR_DIR");
        snprintf(dflt, sizeof(dflt), "%s/keys/admin.key", var != NULL && var[0] != '\0' ? var : "var");
        file = dflt;
    }
    struct stat st;
    if (stat(file, &st) != 0) {
        obctl_err("no admin key: %s: %s (set OB_ADMIN_KEY, or --key-file FILE)", file, strerror(errno));
        return OBCTL_NO_KEY;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        obctl_err("warning: %s is readable by others than its owner (chmod 600 it)", file);
    c->key = obctl_read_file(file, KEY_MAX);
    if (c->key == NULL)
        return OBCTL_NO_KEY;
    rtrim(c->key);
    if (!key_ok(c->key)) {
        obctl_err("%s does not hold a usable key (empty, blanks or control characters)", file);
        return OBCTL_NO_KEY;
    }
    return OBCTL_OK;
}
