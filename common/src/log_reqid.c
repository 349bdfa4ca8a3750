/*
 * log_reqid.c - request ids: validation, generation and the per-thread current id (common/request_id.h).
 */
#include "common/request_id.h"
#include "common/crypto.h"
#include "common/status.h"

#include <string.h>

/* Per thread: the event loop is single-threaded, but tests and helper threads log too. */
static _Thread_local cm_reqid_t current;

int cm_reqid_valid(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > CM_REQID_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                 c == '-';
        if (!ok)
            return 0;
    }
    return 1;
}

int cm_reqid_generate(cm_reqid_t *out)
{
    out->s[0] = '\0';
    return cm_random_hex(out->s, sizeof(out->s), 16);
}

int cm_reqid_from_header(const char *s, size_t len, cm_reqid_t *out)
{
    if (!cm_reqid_valid(s, len))
        return cm_reqid_generate(out);
    memcpy(out->s, s, len);
    out->s[len] = '\0';
    return CM_OK;
}

const char *cm_reqid_current(void)
{
    return current.s[0] != '\0' ? current.s : NULL;
}

void cm_reqid_capture(cm_reqid_t *out)
{
    *out = current;
}

void cm_reqid_enter(const char *id, cm_reqid_t *saved)
{
    *saved = current;
    size_t len = id != NULL ? strlen(id) : 0;
    if (len == 0 || !cm_reqid_valid(id, len)) {
        current.s[0] = '\0';
        return;
    }
    memmove(current.s, id, len + 1); /* id may be current.s itself */
}

void cm_reqid_switch(const cm_reqid_t *id, cm_reqid_t *saved)
{
    *saved = current;
    if (id != &current)
        current = *id;
}

void cm_reqid_restore(const cm_reqid_t *saved)
{
    current = *saved;
}
