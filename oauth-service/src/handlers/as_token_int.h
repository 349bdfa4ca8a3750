/*
 * as_token_int.h - the token endpoint's request context, shared by its grant types (as_token.c: the request, the
 * client and authorization_code; as_token_refresh.c: refresh_token).
 */
#ifndef OB_HANDLERS_AS_TOKEN_INT_H
#define OB_HANDLERS_AS_TOKEN_INT_H

#include "handlers/as_util.h"

#define OB_AS_URI_MAX 2048

typedef struct tok_ctx {
    ob_async_t a; /* first */
    ob_as_authn_t an;
    cm_pg_conn_t *conn;
    int step;
    /* the request (copied: the statements may outlive it) */
    char secret_hash[65]; /* of the code or the refresh token presented */
    char redirect_uri[OB_AS_URI_MAX + 1];
    char verifier[129];
    char resource[OB_AS_URI_MAX + 1]; /* "" = not given */
    char scope[257];                  /* "" = not given */
    /* what the grant says */
    char instance_id[37], grant_id[37], service[65];
    char granted_resource[OB_AS_URI_MAX + 1], granted_scope[257];
    /* the new refresh token */
    char refresh[44], refresh_hash[65];
    char *access_token;   /* signed, answered after the commit */
    int revoked_on_reuse; /* a reuse revoked a grant: push after the commit */
    PGresult *revoked;    /* the rows to push (OB_AS_SQL_REVOKE), owned */
} tok_ctx_t;

/* Ends the context: releases the connection (rolling back an open transaction), wipes, frees. */
void ob_as_tok_end(tok_ctx_t *c);
/* Answers a token error (the connection rolled back and released first). */
void ob_as_tok_fail(tok_ctx_t *c, int status, const char *error, const char *desc);
/* A database failure: server_error / temporarily_unavailable. */
void ob_as_tok_db_fail(tok_ctx_t *c, int status, const PGresult *res, const char *what);
/* Signs the access token for the grant in c (scope: c->scope when narrowed, else granted), commits, answers.
 * event: the audit has been written by the caller's statement. */
void ob_as_tok_issue(tok_ctx_t *c);
/* Starts the refresh_token grant on c->conn (acquired, BEGIN done). */
void ob_as_tok_refresh_start(tok_ctx_t *c);

#endif
