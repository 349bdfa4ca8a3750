/*
 * main.c - obctl: the command table, the global options and the dispatch to one command (docs/obctl.md).
 */
#include "obctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GLOBAL_HELP                                                                                                    \
    "Global options (before or after the command):\n"                                                                  \
    "  --url URL         the broker (default: $OBCTL_URL, else http://127.0.0.1:3001)\n"                               \
    "  --key-file FILE   the admin key file (default: $OBCTL_KEY_FILE, else $OB_ADMIN_KEY, else\n"                     \
    "                    ${VAR_DIR:-var}/keys/admin.key); the key itself is never a command line argument\n"           \
    "  --json            print the broker's JSON answer instead of a table\n"                                          \
    "  --timeout S       give up on a call after S seconds (default 30)\n"                                             \
    "  --help, -h        help (also after any command)\n"                                                              \
    "Exit codes: 0 ok, 1 the broker refused (4xx), 2 usage or bad local input, 3 broker unreachable,\n"                \
    "            4 broker error (5xx), 5 no admin key.\n"

static const obctl_cmd_t commands[] = {
    {"health", NULL, "", "the broker's health (no admin key needed)", "GET /health.\n", obctl_cmd_health},
    {"providers", "reload", "", "rescan the plugin directory now (as SIGHUP does)",
     "POST /providers/reload: new plugin files are loaded, changed ones replace the loaded version, removed ones\n"
     "are unloaded, bad ones are skipped (the loaded version stays). Prints one line per file that changed or was\n"
     "skipped, then the counts; requests in flight finish with the version they started with. Exit 0 also when\n"
     "a file was skipped (its line says why; so does the broker's log).\n",
     obctl_cmd_providers_reload},
    {"providers", NULL, "", "the loaded provider plugins",
     "GET /providers: name, plugin, capabilities, revocation mode, the services on each.\n", obctl_cmd_providers},
    {"services", NULL, "", "the registry's services of the loaded providers",
     "From GET /providers (the admin API has no registry endpoint of its own): a service whose provider is not\n"
     "loaded is not listed.\n",
     obctl_cmd_services},
    {"instances", "list", "--user USER [--service SERVICE]", "a user's instances",
     "GET /instances?user_id=USER[&service=SERVICE] (at most 1000).\n", obctl_cmd_inst_list},
    {"instances", "show", "INSTANCE_ID", "one instance (no secret, no token)", "GET /instances/{id}.\n",
     obctl_cmd_inst_show},
    {"instances", "create",
     "--service SERVICE --user USER --client-id ID [--client-secret-file FILE|-] [--scopes SCOPES]\n"
     "                 [--name NAME] [--provider-options JSON] [--expires-in SECONDS]",
     "create an instance; prints its authorize URL and MCP key",
     "POST /instances. The client secret is read from --client-secret-file (\"-\" = stdin) or the environment\n"
     "variable OBCTL_CLIENT_SECRET, never from the command line; a public-client provider takes none.\n"
     "The MCP access key is shown once: keep it.\n",
     obctl_cmd_inst_create},
    {"instances", "disable", "INSTANCE_ID", "set an instance inactive (also revokes its MCP client grants)",
     "PATCH /instances/{id} {\"status\":\"inactive\"}.\n", obctl_cmd_inst_disable},
    {"instances", "enable", "INSTANCE_ID", "set an inactive instance active again",
     "PATCH /instances/{id} {\"status\":\"active\"} (needs_reauth and expired become active only through the\n"
     "OAuth flow: 409).\n",
     obctl_cmd_inst_enable},
    {"instances", "delete", "INSTANCE_ID", "revoke at the provider, then delete", "DELETE /instances/{id}.\n",
     obctl_cmd_inst_delete},
    {"authorize-url", NULL, "INSTANCE_ID", "the URL the user opens to consent",
     "GET /instances/{id}, prints its authorize_url.\n", obctl_cmd_authorize_url},
    {"refresh", NULL, "INSTANCE_ID", "refresh the instance's token now", "POST /oauth/refresh {instance_id}.\n",
     obctl_cmd_refresh},
    {"revoke", NULL, "INSTANCE_ID", "revoke the instance's tokens at the provider and purge them",
     "POST /oauth/revoke {instance_id}; the instance becomes needs_reauth.\n", obctl_cmd_revoke},
    {"tokens", "import", "INSTANCE_ID FILE|-", "import tokens obtained elsewhere",
     "POST /cache-tokens. FILE (\"-\" = stdin) holds a JSON object: access_token, and optionally refresh_token,\n"
     "expires_in or expires_at, scope, token_type. Tokens never go on the command line.\n",
     obctl_cmd_tokens_import},
    {"keys", "list", "", "the authorization server's signing keys (public parts)", "GET /as/signing-keys.\n",
     obctl_cmd_keys_list},
    {"keys", "rotate", "", "create the next signing key",
     "POST /as/signing-keys/rotate: the new key is published at once and signs after key_publish_ahead_s.\n"
     "(The data key ring is rotated with scripts/keys.sh and `oauth-service rotate-keys`, not over HTTP.)\n",
     obctl_cmd_keys_rotate},
    {"grants", "list", "INSTANCE_ID", "the MCP client grants of an instance", "GET /instances/{id}/grants.\n",
     obctl_cmd_grants_list},
    {"grants", "revoke", "INSTANCE_ID GRANT_ID", "revoke one MCP client grant",
     "DELETE /instances/{id}/grants/{grant_id}.\n", obctl_cmd_grants_revoke},
    {"audit", NULL, "[--instance INSTANCE_ID] [--limit N]", "the last audit log entries, oldest first",
     "GET /audit?limit=N[&instance_id=ID]: N (1..1000, default 50) newest rows of the audit log, of one instance\n"
     "or of all; never a secret.\n",
     obctl_cmd_audit},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void overview(FILE *f)
{
    fprintf(f, "Usage: obctl [GLOBAL OPTIONS] COMMAND [ARGS]   (obctl COMMAND --help for one command)\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s%s%s", commands[i].group, commands[i].verb ? " " : "",
                 commands[i].verb ? commands[i].verb : "");
        fprintf(f, "  %-20s %s\n", name, commands[i].summary);
    }
    fprintf(f, "\n%s", GLOBAL_HELP);
}

void obctl_print_help(const obctl_cmd_t *cmd)
{
    printf("Usage: obctl %s%s%s %s\n\n%s.\n\n%s\n%s", cmd->group, cmd->verb ? " " : "", cmd->verb ? cmd->verb : "",
           cmd->args, cmd->summary, cmd->help, GLOBAL_HELP);
}

/* The global options before the command; returns the index of the command word, or -1 (exit code in *rc). */
static int leading_globals(obctl_t *c, int argc, char **argv, int *rc)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            overview(stdout);
            *rc = OBCTL_OK;
            return -1;
        }
        if (strcmp(a, "--json") == 0) {
            c->json = 1;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t n = eq ? (size_t)(eq - a) : strlen(a);
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
        long t;
        if ((n == 5 && strncmp(a, "--url", n) == 0) || (n == 10 && strncmp(a, "--key-file", n) == 0) ||
            (n == 9 && strncmp(a, "--timeout", n) == 0)) {
            if (v == NULL) {
                obctl_err("%.*s needs a value", (int)n, a);
                *rc = OBCTL_USAGE;
                return -1;
            }
            if (!eq)
                i++;
            if (a[2] == 'u')
                c->url = v;
            else if (a[2] == 'k')
                c->key_file = v;
            else if (obctl_parse_long("--timeout", v, 1, 3600, &t) != 0) {
                *rc = OBCTL_USAGE;
                return -1;
            } else
                c->timeout_s = t;
            continue;
        }
        obctl_err("unknown option %s (obctl --help)", a);
        *rc = OBCTL_USAGE;
        return -1;
    }
    if (i >= argc) {
        overview(stderr);
        *rc = OBCTL_USAGE;
        return -1;
    }
    return i;
}

static const obctl_cmd_t *find(const char *group, const char *verb, int *group_known)
{
    *group_known = 0;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].group, group) != 0)
            continue;
        *group_known = 1;
        if (commands[i].verb == NULL || (verb != NULL && strcmp(commands[i].verb, verb) == 0))
            return &commands[i];
    }
    return NULL;
}

static void group_help(FILE *f, const char *group)
{
    fprintf(f, "Usage: obctl %s VERB ...\n\n", group);
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].group, group) == 0 && commands[i].verb != NULL)
            fprintf(f, "  obctl %s %-8s %s\n", group, commands[i].verb, commands[i].summary);
}

int main(int argc, char **argv)
{
    obctl_t c = {.url = NULL, .key_file = NULL, .key = NULL, .json = 0, .timeout_s = 30};
    int rc = OBCTL_OK;
    int i = leading_globals(&c, argc, argv, &rc);
    if (i < 0)
        return rc;
    int group_known;
    const char *verb = i + 1 < argc ? argv[i + 1] : NULL;
    const obctl_cmd_t *cmd = find(argv[i], verb, &group_known);
    if (cmd == NULL) {
        if (!group_known) {
            obctl_err("unknown command \"%s\" (obctl --help)", argv[i]);
            return OBCTL_USAGE;
        }
        if (verb != NULL && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)) {
            group_help(stdout, argv[i]);
            return OBCTL_OK;
        }
        if (verb != NULL)
            obctl_err("unknown command \"%s %s\"", argv[i], verb);
        group_help(stderr, argv[i]);
        return OBCTL_USAGE;
    }
    if (c.url == NULL)
        c.url = getenv("OBCTL_URL");
    if (c.url == NULL || c.url[0] == '\0')
        c.url = "http://127.0.0.1:3001";
    if (c.key_file == NULL) {
        const char *kf = getenv("OBCTL_KEY_FILE");
        c.key_file = kf != NULL && kf[0] != '\0' ? kf : NULL;
    }
    if (obctl_http_init() != 0) {
        obctl_err("libcurl did not initialise");
        return OBCTL_SERVER;
    }
    int skip = cmd->verb ? 2 : 1;
    rc = cmd->run(&c, cmd, argc - i - skip, argv + i + skip);
    if (rc < 0)
        rc = OBCTL_OK; /* --help */
    obctl_http_cleanup();
    if (c.key != NULL) {
        explicit_bzero(c.key, strlen(c.key));
        free(c.key);
    }
    return rc;
}
