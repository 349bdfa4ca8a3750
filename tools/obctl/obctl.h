/*
 * obctl.h - the admin command line client of the broker: shared types of its files (options, HTTP calls, output).
 *
 * obctl is a synchronous program: it makes one or two blocking HTTP calls to the broker's admin API and exits.
 */
#ifndef OBCTL_H
#define OBCTL_H

#include <jansson.h>

/* Exit codes (docs/obctl.md): what a script can branch on. */
enum {
    OBCTL_OK = 0,          /* done (also --help) */
    OBCTL_API = 1,         /* the broker refused the request: a 4xx answer */
    OBCTL_USAGE = 2,       /* bad command line or bad local input (an unreadable or invalid file) */
    OBCTL_UNREACHABLE = 3, /* no answer: connection refused, DNS, TLS, timeout */
    OBCTL_SERVER = 4,      /* the broker failed: a 5xx answer (or one that is not JSON) */
    OBCTL_NO_KEY = 5,      /* no admin key: none in the environment, the key file missing or unreadable */
};

typedef struct obctl {
    const char *url;      /* broker base URL (--url, OBCTL_URL, default http://127.0.0.1:3001) */
    const char *key_file; /* --key-file, else OBCTL_KEY_FILE; NULL: OB_ADMIN_KEY or the default file */
    char *key;            /* the admin key once loaded (owned, wiped before it is freed) */
    int json;             /* --json: the broker's JSON as it came, instead of a table */
    long timeout_s;       /* --timeout: whole-request limit in seconds */
} obctl_t;

struct obctl_cmd;
typedef int (*obctl_run_fn)(obctl_t *c, const struct obctl_cmd *cmd, int argc, char **argv);

/* One entry of the static command table (main.c). */
typedef struct obctl_cmd {
    const char *group;   /* first word ("instances", "providers") */
    const char *verb;    /* second word, or NULL for a one-word command */
    const char *args;    /* synopsis of what follows the command words */
    const char *summary; /* one line for the overview */
    const char *help;    /* the options and the call it makes, for --help */
    obctl_run_fn run;
} obctl_cmd_t;

/* One option of a command: a flag (flag != NULL) or an option with a value (value != NULL). */
typedef struct obctl_opt {
    const char *name; /* without the leading "--" */
    const char **value;
    int *flag;
} obctl_opt_t;

/* Parses ARGV (the words after the command words): OPTS, the global options (--json, --url, --key-file,
 * --timeout) and --help, and between MIN and MAX positional arguments into POS (pointers into ARGV). Returns
 * OBCTL_OK, OBCTL_USAGE (message printed) or -1 after printing the command's help (the caller exits 0). */
int obctl_parse(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv, const obctl_opt_t *opts, const char **pos,
                int min, int max);
void obctl_print_help(const obctl_cmd_t *cmd);
/* Prints "obctl: <message>" on stderr. */
void obctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads the admin key into c->key (from --key-file/OBCTL_KEY_FILE, else OB_ADMIN_KEY, else the default key file).
 * Returns OBCTL_OK or OBCTL_NO_KEY (message printed, never the key). */
int obctl_load_key(obctl_t *c);
/* Reads a whole file ("-" = stdin) into a NUL-terminated string the caller frees; NULL with a message on failure. */
char *obctl_read_file(const char *path, size_t max);
/* Parses a decimal integer in [lo, hi]; 0 on success, -1 with a usage message naming OPT. */
int obctl_parse_long(const char *opt, const char *s, long lo, long hi, long *out);

/* Makes one call: METHOD URL/PATH with BODY (may be NULL; not stolen) and the admin key when c->key is set. On a 2xx
 * answer *out gets the parsed body (the caller's) and OBCTL_OK is returned. Otherwise the error is reported (stderr;
 * with --json the body also goes to stdout) and the exit code is returned (OBCTL_API, OBCTL_SERVER,
 * OBCTL_UNREACHABLE). PATH must already be escaped (obctl_escape). *status gets the HTTP status (0 without one);
 * status may be NULL. */
int obctl_call(obctl_t *c, const char *method, const char *path, const json_t *body, json_t **out, long *status);
/* A path segment or query value percent-encoded; the caller frees it. NULL when out of memory. */
char *obctl_escape(const char *s);
/* Sets up and tears down libcurl for the process. */
int obctl_http_init(void);
void obctl_http_cleanup(void);

/* One column of a table: its header and the member of each row shown in it. */
typedef struct obctl_col {
    const char *header;
    const char *key;
} obctl_col_t;

/* Prints ROWS (a JSON array of objects) as a table of COLS, or "(none)" when empty. */
void obctl_print_table(const json_t *rows, const obctl_col_t *cols);
/* Prints the members KEYS (NULL-terminated) of OBJ as "key: value" lines, in that order, skipping absent ones;
 * KEYS NULL: every member. */
void obctl_print_object(const json_t *obj, const char *const *keys);
/* Prints J as indented JSON on stdout (--json). */
void obctl_print_json(const json_t *j);
/* Prints the answer J as JSON (--json) or as the "key: value" lines of KEYS; takes J. Returns OBCTL_OK. */
int obctl_show(const obctl_t *c, json_t *j, const char *const *keys);
/* Prints J as JSON (--json) or its member LIST as a table of COLS; takes J. Returns OBCTL_OK. */
int obctl_show_table(const obctl_t *c, json_t *j, const char *list, const obctl_col_t *cols);
/* PATH = FMT (two %s) with A and B (may be NULL: "") percent-encoded. OBCTL_OK, or OBCTL_USAGE when too long. */
int obctl_path(char *path, size_t size, const char *fmt, const char *a, const char *b);
/* The whole of a command on one or two ids: parses ARGV for NPOS positional arguments (no options of its own),
 * builds the path FMT (two %s) from them, loads the admin key and makes the call with BODY (may be NULL). */
int obctl_id_call(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv, int npos, const char *method,
                  const char *fmt, const json_t *body, json_t **out);
/* Writes the human form of V (string as is, "-" for null, a *_at time as UTC) into BUF. */
void obctl_value_text(const char *key, const json_t *v, char *buf, size_t size);

/* The commands (cmd_*.c). */
int obctl_cmd_health(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_providers(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_providers_reload(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_services(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_inst_list(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_inst_show(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_inst_create(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_inst_disable(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_inst_enable(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_inst_delete(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_authorize_url(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_refresh(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_revoke(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_tokens_import(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_keys_list(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_keys_rotate(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_grants_list(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_grants_revoke(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);
int obctl_cmd_audit(obctl_t *c, const obctl_cmd_t *cmd, int argc, char **argv);

#endif
