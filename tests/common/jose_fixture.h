/*
 * jose_fixture.h - what the JOSE tests (test_jose.c, test_jose_claims.c) share (header-only).
 */
#ifndef TESTS_COMMON_JOSE_FIXTURE_H
#define TESTS_COMMON_JOSE_FIXTURE_H

#include "cu.h"

#include "common/crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A compact JWS from a header text, a payload text and a signature part copied from sig_of (its third part). */
static inline char *jose_forge(const char *header, const char *payload, const char *sig_of)
{
    char *h = cm_b64url_encode(header, strlen(header));
    char *p = cm_b64url_encode(payload, strlen(payload));
    const char *s = strrchr(sig_of, '.');
    CU_ASSERT_FATAL(h != NULL && p != NULL && s != NULL);
    size_t n = strlen(h) + strlen(p) + strlen(s) + 2;
    char *t = malloc(n);
    CU_ASSERT_FATAL(t != NULL);
    snprintf(t, n, "%s.%s%s", h, p, s);
    free(h);
    free(p);
    return t;
}

#endif
