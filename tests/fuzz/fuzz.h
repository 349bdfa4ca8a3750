/*
 * fuzz.h - small helpers shared by the libFuzzer targets of tests/fuzz (header-only).
 *
 * Inputs made of several fields separate them with NUL bytes ("schema\0instance"): the seeds stay
 * readable and the mutator finds the separator easily. FZ_CHECK aborts on a broken invariant so
 * libFuzzer records the input as a crash.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_CHECK(cond)                                                                                                 \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);                               \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* A NUL-terminated copy of n bytes (malloc'ed, caller frees); aborts when out of memory. */
static inline char *fz_strndup(const uint8_t *d, size_t n)
{
    char *s = malloc(n + 1);
    FZ_CHECK(s != NULL);
    if (n > 0)
        memcpy(s, d, n);
    s[n] = '\0';
    return s;
}

/* A cursor over the fields of an input. */
typedef struct fz_in {
    const uint8_t *p;
    size_t left;
} fz_in_t;

/* The next byte (0 when the input is used up). */
static inline uint8_t fz_byte(fz_in_t *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

/* The next field, up to the next NUL or the end, as a malloc'ed string (caller frees); *len its length. */
static inline char *fz_field(fz_in_t *in, size_t *len)
{
    const uint8_t *nul = in->left ? memchr(in->p, 0, in->left) : NULL;
    size_t n = nul ? (size_t)(nul - in->p) : in->left;
    char *s = fz_strndup(in->p, n);
    in->p += n + (nul != NULL);
    in->left -= n + (nul != NULL);
    if (len != NULL)
        *len = n;
    return s;
}

#endif
