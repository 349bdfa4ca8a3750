/*
 * registry_load.c - loading one plugin file (see registry.h for the rules).
 *
 * The file is read into memory first and dlopen()ed from a private copy (a memfd): the dynamic linker caches
 * objects by path, so a changed file at the same path would otherwise come back as the version already
 * loaded, and a file overwritten in place would change under the mapped copy. Without memfd_create (or when the
 * system refuses to map the copy) the path itself is opened.
 */
#include "providers/abi_compat.h"
#include "providers/host_api.h"
#include "providers/registry_internal.h"

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/log.h"
#include "common/status.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The op_plugin_t and op_provider_t of ABI 1.0: anything smaller is malformed. */
#define PLUGIN_V1_SIZE (offsetof(op_plugin_t, fini) + sizeof(void (*)(void *)))
#define PROVIDER_V1_SIZE (offsetof(op_provider_t, parse_token_response) + sizeof(void *))

int ob_reg_stat(const char *path, ob_reg_file_id_t *id)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return CM_EIO;
    if (!S_ISREG(st.st_mode))
        return CM_EINVAL;
    *id = (ob_reg_file_id_t){.dev = st.st_dev, .ino = st.st_ino, .size = st.st_size, .mtime = st.st_mtim};
    return CM_OK;
}

int ob_reg_same_id(const ob_reg_file_id_t *a, const ob_reg_file_id_t *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

int ob_reg_read(const char *path, ob_reg_image_t *img, char *why, size_t why_size)
{
    struct stat st;
    memset(img, 0, sizeof(*img));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(why, why_size, "cannot read it (%s)", strerror(errno));
        goto out_close;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "not a regular file");
        goto out_close;
    }
    if (st.st_size <= 0 || (unsigned long long)st.st_size > OB_REG_MAX_FILE) {
        snprintf(why, why_size, "not a loadable shared object (size %lld)", (long long)st.st_size);
        goto out_close;
    }
    img->id = (ob_reg_file_id_t){.dev = st.st_dev, .ino = st.st_ino, .size = st.st_size, .mtime = st.st_mtim};
    if ((img->data = malloc((size_t)st.st_size)) == NULL) {
        snprintf(why, why_size, "out of memory");
        goto out_close;
    }
    while (img->len < (size_t)st.st_size) {
        ssize_t n = read(fd, img->data + img->len, (size_t)st.st_size - img->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(why, why_size, "cannot read it (%s)", n < 0 ? strerror(errno) : "changed while read");
            goto out_free;
        }
        img->len += (size_t)n;
    }
    close(fd);
    cm_sha256_hex(img->data, img->len, img->sha256, sizeof(img->sha256));
    return CM_OK;

out_free:
    free(img->data);
    img->data = NULL;
out_close:
    if (fd >= 0)
        close(fd);
    return CM_EIO;
}

/* dlopen()s the image through a memfd (*fd kept open) or, without memfd_create, the path. */
static void *open_image(const char *path, const char *file, const ob_reg_image_t *img, int *fd)
{
    char proc[64];
    *fd = memfd_create(file, MFD_CLOEXEC);
    if (*fd < 0)
        return dlopen(path, RTLD_NOW | RTLD_LOCAL);
    size_t off = 0;
    while (off < img->len) {
        ssize_t n = write(*fd, img->data + off, img->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    if (off != img->len) {
        close(*fd);
        *fd = -1;
        return dlopen(path, RTLD_NOW | RTLD_LOCAL);
    }
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", *fd);
    void *dl = dlopen(proc, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) { /* the path once more: its error names the file, and a system may refuse executable memfds */
        close(*fd);
        *fd = -1;
        dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    }
    return dl;
}

static int name_ok(const char *name)
{
    size_t n = name != NULL ? strnlen(name, 64) : 0;
    return n > 0 && n < 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static const char *owner_of(const ob_provider_registry_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_plugins; i++) {
        const ob_reg_plugin_t *pl = r->plugins[i];
        for (size_t j = 0; pl != r->replacing && j < pl->n_slots; j++)
            if (strcmp(pl->slots[j].provider->name, name) == 0)
                return pl->plugin->name;
    }
    for (size_t i = 0; i < r->n_pending; i++)
        if (strcmp(r->pending[i]->name, name) == 0)
            return r->loading;
    return NULL;
}

/* register_provider of the plugin being loaded. */
static int on_register(void *arg, const op_provider_t *p)
{
    ob_provider_registry_t *r = arg;
    char why[192] = "";
    const char *owner;
    if (p == NULL || p->struct_size < PROVIDER_V1_SIZE)
        snprintf(why, sizeof(why), "a provider struct is missing or too small");
    else if (!name_ok(p->name))
        snprintf(why, sizeof(why), "provider name \"%.64s\" is not [a-z0-9_-]{1,63}", p->name ? p->name : "(null)");
    else if (p->build_authorize_url == NULL || p->exchange_code == NULL || p->parse_token_response == NULL ||
             ((p->capabilities & OP_CAP_REFRESH) && p->refresh == NULL) ||
             ((p->capabilities & OP_CAP_REVOKE) && p->revoke == NULL))
        snprintf(why, sizeof(why), "provider \"%s\" lacks an operation its capabilities need", p->name);
    else if ((owner = owner_of(r, p->name)) != NULL)
        snprintf(why, sizeof(why), "provider name \"%s\" is already registered by plugin %s", p->name, owner);
    else if (r->n_pending == OB_REG_MAX_PROVIDERS)
        snprintf(why, sizeof(why), "more than %d providers", OB_REG_MAX_PROVIDERS);
    if (why[0] != '\0') {
        if (r->refusal[0] == '\0')
            snprintf(r->refusal, sizeof(r->refusal), "%s", why);
        return OP_EINVAL;
    }
    op_provider_t *entry = r->loading_compat ? ob_abi_compat_wrap(p) : (op_provider_t *)p;
    if (entry == NULL) {
        if (r->refusal[0] == '\0')
            snprintf(r->refusal, sizeof(r->refusal), "out of memory");
        return OP_ENOMEM;
    }
    r->pending[r->n_pending++] = entry;
    return OP_OK;
}

/* Forgets the registrations of a plugin that is not kept (it may be unloaded already: only our wrappers are read). */
static void drop_pending(ob_provider_registry_t *r)
{
    for (size_t i = 0; r->loading_compat && i < r->n_pending; i++)
        ob_abi_compat_free(r->pending[i]);
    r->n_pending = 0;
}

/* Moves the pending registrations into pl. */
static int take_pending(ob_provider_registry_t *r, ob_reg_plugin_t *pl)
{
    if ((pl->slots = calloc(r->n_pending, sizeof(*pl->slots))) == NULL)
        return CM_ENOMEM;
    for (size_t i = 0; i < r->n_pending; i++)
        pl->slots[i] = (ob_reg_slot_t){.provider = r->pending[i], .compat = r->loading_compat ? r->pending[i] : NULL};
    pl->n_slots = r->n_pending;
    r->n_pending = 0; /* the slots own them now */
    return CM_OK;
}

void ob_reg_unload(ob_reg_plugin_t *pl, int call_fini)
{
    if (pl == NULL)
        return;
    if (pl->view != NULL && call_fini)
        ob_host_api_view_drain(pl->view);
    if (call_fini && pl->plugin != NULL && pl->plugin->fini != NULL)
        pl->plugin->fini(pl->state);
    ob_host_api_view_free(pl->view);
    for (size_t i = 0; i < pl->n_slots; i++)
        ob_abi_compat_free(pl->slots[i].compat);
    free(pl->slots);
    if (pl->dl != NULL)
        dlclose(pl->dl);
    if (pl->fd >= 0)
        close(pl->fd);
    free(pl->file);
    free(pl);
}

/* A configuration section as JSON text (malloc'ed) or NULL; *bad when it is not an object. */
static char *config_text(const json_t *providers_config, const char *plugin, int *bad)
{
    const json_t *section = json_object_get(providers_config, plugin);
    *bad = 0;
    if (section == NULL || json_is_null(section))
        return NULL;
    if (!json_is_object(section)) {
        *bad = 1;
        return NULL;
    }
    return cm_json_dumps(section);
}

/* Checks the entry symbol; fills why when the plugin cannot be used. */
static const op_plugin_t *entry_of(const ob_provider_registry_t *r, void *dl, char *why, size_t why_size)
{
    const op_plugin_t *pl = dlsym(dl, OP_ENTRY_SYMBOL);
    if (pl == NULL) {
        snprintf(why, why_size, "no %s symbol", OP_ENTRY_SYMBOL);
    } else if (pl->abi_major != OP_ABI_MAJOR) {
        snprintf(why, why_size, "built for provider ABI %u.%u, the broker speaks %d.%d", pl->abi_major, pl->abi_minor,
                 OP_ABI_MAJOR, OP_ABI_MINOR);
    } else if (pl->struct_size < PLUGIN_V1_SIZE || !name_ok(pl->name) || pl->init == NULL) {
        snprintf(why, why_size, "malformed %s (size %u, name or init missing)", OP_ENTRY_SYMBOL, pl->struct_size);
    } else {
        for (size_t i = 0; i < r->n_plugins; i++) {
            if (r->plugins[i] != r->replacing && strcmp(r->plugins[i]->plugin->name, pl->name) == 0) {
                snprintf(why, why_size, "plugin name \"%s\" already loaded from %s", pl->name, r->plugins[i]->file);
                return NULL;
            }
        }
        return pl;
    }
    return NULL;
}

ob_reg_plugin_t *ob_reg_load_one(ob_provider_registry_t *r, const char *file, const ob_reg_image_t *img,
                                 const ob_reg_plugin_t *replacing, char *why, size_t why_size, int *not_configured)
{
    char path[4096];
    int called_init = 0;
    *not_configured = 0;
    why[0] = '\0';
    ob_reg_plugin_t *e = calloc(1, sizeof(*e));
    if (e == NULL || (e->file = strdup(file)) == NULL) {
        free(e);
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    e->fd = -1;
    e->id = img->id;
    memcpy(e->sha256, img->sha256, sizeof(e->sha256));
    snprintf(path, sizeof(path), "%s/%s", r->dir, file);
    r->replacing = replacing;
    if ((e->dl = open_image(path, file, img, &e->fd)) == NULL) {
        const char *err = dlerror();
        snprintf(why, why_size, "not a loadable shared object (%s)", err ? err : "?");
        goto out_unload;
    }
    if ((e->plugin = entry_of(r, e->dl, why, why_size)) == NULL)
        goto out_unload;
    int bad = 0;
    char *cfg = config_text(r->config, e->plugin->name, &bad);
    if (bad) {
        snprintf(why, why_size, "configuration \"providers.%s\" must be an object", e->plugin->name);
        goto out_unload;
    }
    if ((e->view = ob_host_api_view_new(r->host, e->plugin->name, on_register, r)) == NULL) {
        cm_secure_free(cfg, 0);
        snprintf(why, why_size, "out of memory");
        goto out_unload;
    }
    if (ob_abi_compat_needed(e->plugin->abi_minor))
        e->view->token_set_clear = ob_abi_compat_token_set_clear; /* it writes the pre-1.2 layout */
    r->loading = e->plugin->name;
    r->loading_compat = ob_abi_compat_needed(e->plugin->abi_minor);
    r->n_pending = 0;
    r->refusal[0] = '\0';
    int rc = e->plugin->init(e->view, cfg, &e->state);
    ob_host_api_view_seal(e->view);
    cm_secure_free(cfg, 0);
    if (rc == OP_EUNSUPPORTED) {
        *not_configured = 1;
        snprintf(why, why_size, "%s", e->plugin->name); /* for the caller's "(name) not configured" line */
        goto out_unload;
    }
    if (rc != OP_OK) {
        snprintf(why, why_size, "init failed (status %d%s%s)", rc, r->refusal[0] ? ", " : "", r->refusal);
        goto out_unload;
    }
    called_init = 1;
    if (r->refusal[0] != '\0' || r->n_pending == 0) {
        snprintf(why, why_size, "%s", r->refusal[0] != '\0' ? r->refusal : "init registered no provider");
        goto out_unload;
    }
    if (take_pending(r, e) != CM_OK) {
        snprintf(why, why_size, "out of memory");
        goto out_unload;
    }
    r->loading = NULL;
    r->loading_compat = 0;
    r->replacing = NULL;
    return e;

out_unload:
    drop_pending(r); /* before the unload: compat wrappers only read our own copies */
    ob_reg_unload(e, called_init);
    r->loading = NULL;
    r->loading_compat = 0;
    r->replacing = NULL;
    return NULL;
}
