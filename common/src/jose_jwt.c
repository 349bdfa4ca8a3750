/*
 * jose_jwt.c - the claim checks of a JWT (RFC 7519 4.1, 7.2 step 10; RFC 9068 4) once its signature is verified.
 */
#include "common/jose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The media type of typ without the optional "application/" prefix (RFC 7515 4.1.9). */
static const char *media_subtype(const char *typ)
{
    static const char prefix[] = "application/";
    return strncasecmp(typ, prefix, sizeof(prefix) - 1) == 0 ? typ + sizeof(prefix) - 1 : typ;
}

/* A NumericDate claim (RFC 7519 2): absent -> *present = 0; present and not a finite number -> -1. */
static int numeric_date(const json_t *claims, const char *name, double *v, int *present)
{
    const json_t *c = json_object_get(claims, name);
    *present = c != NULL;
    if (c == NULL)
        return 0;
    if (!json_is_number(c))
        return -1;
    *v = json_number_value(c);
    return isfinite(*v) ? 0 : -1;
}

static int aud_matches(const json_t *aud, const char *want)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), want) == 0;
    if (!json_is_array(aud))
        return 0;
    size_t i;
    const json_t *v;
    json_array_foreach(aud, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
            return 1;
    }
    return 0;
}

static cm_jwt_fail_t check_times(const json_t *claims, const cm_jwt_expect_t *e)
{
    double exp = 0, nbf = 0, iat = 0;
    int has_exp = 0, has_nbf = 0, has_iat = 0;
    if (numeric_date(claims, "exp", &exp, &has_exp) != 0 || numeric_date(claims, "nbf", &nbf, &has_nbf) != 0 ||
        numeric_date(claims, "iat", &iat, &has_iat) != 0)
        return CM_JWT_MALFORMED;
    /* A missing required claim makes the token unusable, not expired: MALFORMED names that. */
    if ((e->require_exp && !has_exp) || (e->max_age_s > 0 && !has_iat))
        return CM_JWT_MALFORMED;
    double now = (double)e->now, leeway = (double)e->leeway_s;
    if (has_exp && now - leeway >= exp) /* RFC 7519 4.1.4: valid only before exp */
        return CM_JWT_EXPIRED;
    if (has_nbf && now + leeway < nbf)
        return CM_JWT_NOT_YET_VALID;
    if (has_iat && now + leeway < iat) /* issued in the future: a clock the leeway does not cover */
        return CM_JWT_NOT_YET_VALID;
    if (e->max_age_s > 0 && now - leeway - (double)e->max_age_s > iat)
        return CM_JWT_TOO_OLD;
    return CM_JWT_OK;
}

cm_jwt_fail_t cm_jwt_check_claims(const cm_jws_parsed_t *p, const cm_jwt_expect_t *e)
{
    if (p == NULL || e == NULL || !json_is_object(p->payload))
        return CM_JWT_MALFORMED;
    const json_t *claims = p->payload;
    if (e->typ != NULL && (p->typ == NULL || strcasecmp(media_subtype(p->typ), media_subtype(e->typ)) != 0))
        return CM_JWT_BAD_TYP;
    if (e->iss != NULL) {
        const json_t *iss = json_object_get(claims, "iss");
        if (!json_is_string(iss) || strcmp(json_string_value(iss), e->iss) != 0)
            return CM_JWT_BAD_ISS;
    }
    if (e->aud != NULL && !aud_matches(json_object_get(claims, "aud"), e->aud))
        return CM_JWT_BAD_AUD;
    return check_times(claims, e);
}

const char *cm_jwt_fail_str(cm_jwt_fail_t f)
{
    switch (f) {
    case CM_JWT_OK:
        return "ok";
    case CM_JWT_MALFORMED:
        return "malformed token";
    case CM_JWT_BAD_ALG:
        return "algorithm not allowed";
    case CM_JWT_BAD_SIGNATURE:
        return "bad signature";
    case CM_JWT_UNKNOWN_KID:
        return "unknown key id";
    case CM_JWT_BAD_TYP:
        return "bad token type";
    case CM_JWT_BAD_ISS:
        return "bad issuer";
    case CM_JWT_BAD_AUD:
        return "bad audience";
    case CM_JWT_EXPIRED:
        return "expired";
    case CM_JWT_NOT_YET_VALID:
        return "not yet valid";
    case CM_JWT_TOO_OLD:
        return "issued too long ago";
    }
    return "unknown failure";
}
