/*
 * schema_embed.c - mcp-schema-embed, the build step of a service's schemas/ folder (mcp-servers/cmake/service.cmake).
 *
 *   mcp-schema-embed OUT.c OUT.h SCHEMA.json...
 *
 * Each file is named <tool>.input.json or <tool>.output.json. Every file must be one JSON object without duplicate
 * keys, and each tool's pair is registered on a scratch registry with the runtime's own mcp_tools_add, so a schema
 * the server would refuse at startup (a bad keyword, an unresolvable $ref, a pattern the regex translator rejects,
 * an input schema that is not "type": "object") fails the build instead, naming the file. On success OUT.c holds
 * `const char schema_<tool>_input[]` / `schema_<tool>_output[]` (the compact JSON text, key order kept) and OUT.h
 * declares them; on failure nothing is written and the exit status is 1.
 */
#include "common/status.h"
#include "features/tools_internal.h"
#include "mcp/tools.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 128

typedef struct schema_file {
    const char *path;
    char tool[MAX_NAME + 1];
    int output; /* 0 = input schema, 1 = output schema */
    char *text; /* compact JSON, malloc'ed */
} schema_file_t;

static void dummy_handler(mcp_call_t *c, json_t *args, void *data)
{
    (void)c;
    (void)args;
    (void)data;
}

/* Splits ".../<tool>.input.json" into tool and kind. 0, or -1 with a message on stderr. */
static int parse_name(schema_file_t *f)
{
    const char *base = strrchr(f->path, '/');
    base = base ? base + 1 : f->path;
    static const char *const suffix[] = {".input.json", ".output.json"};
    size_t blen = strlen(base);
    for (int kind = 0; kind < 2; kind++) {
        size_t slen = strlen(suffix[kind]);
        if (blen <= slen || strcmp(base + blen - slen, suffix[kind]) != 0)
            continue;
        size_t tlen = blen - slen;
        /* a C identifier part: the tool name becomes part of a symbol name */
        if (tlen > MAX_NAME || strspn(base, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") < tlen)
            break;
        memcpy(f->tool, base, tlen);
        f->tool[tlen] = '\0';
        f->output = kind;
        return 0;
    }
    fprintf(stderr,
            "%s: error: a schema file is named <tool>.input.json or <tool>.output.json, <tool> of 1..%d "
            "characters [A-Za-z0-9_]\n",
            f->path, MAX_NAME);
    return -1;
}

/* Reads and re-serializes one file. 0, or -1 with a compiler-style message (file:line:column) on stderr. */
static int load_file(schema_file_t *f)
{
    json_error_t jerr;
    json_t *doc = json_load_file(f->path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        fprintf(stderr, "%s:%d:%d: error: invalid JSON: %s\n", f->path, jerr.line, jerr.column, jerr.text);
        return -1;
    }
    if (!json_is_object(doc)) {
        fprintf(stderr, "%s: error: a schema must be a JSON object\n", f->path);
        json_decref(doc);
        return -1;
    }
    f->text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (f->text == NULL) {
        fprintf(stderr, "%s: error: out of memory\n", f->path);
        return -1;
    }
    return 0;
}

/* Registers every tool's pair as the server will; 0, or -1 naming the file(s) of the refused tool. */
static int check_tools(schema_file_t *files, int n)
{
    int rc = -1;
    mcp_tools_t *reg = mcp_tools_new(0);
    if (reg == NULL) {
        fprintf(stderr, "mcp-schema-embed: out of memory\n");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const schema_file_t *in = NULL, *out = NULL;
        int seen = 0;
        for (int j = 0; j < n; j++) {
            if (strcmp(files[j].tool, files[i].tool) != 0)
                continue;
            if (j < i) {
                seen = 1;
                break;
            }
            if (files[j].output ? out != NULL : in != NULL) {
                fprintf(stderr, "%s: error: %s schema of tool %s given twice\n", files[j].path,
                        files[j].output ? "output" : "input", files[j].tool);
                goto out_free_reg;
            }
            if (files[j].output)
                out = &files[j];
            else
                in = &files[j];
        }
        if (seen)
            continue;
        /* the input schema alone first, so that an error names the file it is in */
        char err[300];
        mcp_tool_def_t def = {.name = files[i].tool, .input_schema = in ? in->text : NULL, .fn = dummy_handler};
        mcp_tools_t *alone = mcp_tools_new(0);
        int in_rc = alone ? mcp_tools_add(alone, &def, err, sizeof(err)) : CM_ENOMEM;
        mcp_tools_free(alone);
        if (in_rc != CM_OK) {
            fprintf(stderr, "%s: error: %s\n", in ? in->path : files[i].tool,
                    in_rc == CM_ENOMEM ? "out of memory" : err);
            goto out_free_reg;
        }
        def.output_schema = out ? out->text : NULL;
        if (mcp_tools_add(reg, &def, err, sizeof(err)) != CM_OK) {
            fprintf(stderr, "%s: error: %s\n", out ? out->path : files[i].tool, err);
            goto out_free_reg;
        }
    }
    rc = 0;
out_free_reg:
    mcp_tools_free(reg);
    return rc;
}

/* Writes text as a C string literal, split into lines; bytes outside printable ASCII as octal escapes. */
static void put_literal(FILE *o, const char *text)
{
    size_t col = 0;
    fputs("    \"", o);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (col >= 100) {
            fputs("\"\n    \"", o);
            col = 0;
        }
        if (*p == '"' || *p == '\\') {
            fputc('\\', o);
            fputc(*p, o);
            col += 2;
        } else if (*p < 0x20 || *p >= 0x7f || *p == '?') { /* '?': no trigraphs */
            fprintf(o, "\\%03o", *p);
            col += 4;
        } else {
            fputc(*p, o);
            col++;
        }
    }
    fputs("\"", o);
}

static const char *kind_name(const schema_file_t *f)
{
    return f->output ? "output" : "input";
}

static int write_outputs(const char *c_path, const char *h_path, const schema_file_t *files, int n)
{
    char tmp_c[4096], tmp_h[4096];
    if ((size_t)snprintf(tmp_c, sizeof(tmp_c), "%s.tmp", c_path) >= sizeof(tmp_c) ||
        (size_t)snprintf(tmp_h, sizeof(tmp_h), "%s.tmp", h_path) >= sizeof(tmp_h)) {
        fprintf(stderr, "mcp-schema-embed: output path too long\n");
        return -1;
    }
    FILE *c = fopen(tmp_c, "w");
    FILE *h = c ? fopen(tmp_h, "w") : NULL;
    if (c == NULL || h == NULL) {
        perror("mcp-schema-embed: cannot write the output");
        if (c)
            fclose(c);
        return -1;
    }
    const char *hbase = strrchr(h_path, '/');
    hbase = hbase ? hbase + 1 : h_path;
    fputs("/* Generated by mcp-schema-embed from the service's schemas folder: edit those files, not this one. */\n",
          h);
    fputs("#ifndef MCP_SERVICE_SCHEMAS_H\n#define MCP_SERVICE_SCHEMAS_H\n\n", h);
    fprintf(c,
            "/* Generated by mcp-schema-embed from the service's schemas folder: edit those files, not this one. */\n"
            "#include \"%s\"\n",
            hbase);
    for (int i = 0; i < n; i++) {
        fprintf(h, "extern const char schema_%s_%s[];\n", files[i].tool, kind_name(&files[i]));
        fprintf(c, "\nconst char schema_%s_%s[] =\n", files[i].tool, kind_name(&files[i]));
        put_literal(c, files[i].text);
        fputs(";\n", c);
    }
    fputs("\n#endif\n", h);
    int bad = ferror(c) || ferror(h);
    bad |= fclose(c) != 0;
    bad |= fclose(h) != 0;
    if (bad || rename(tmp_h, h_path) != 0 || rename(tmp_c, c_path) != 0) {
        perror("mcp-schema-embed: cannot write the output");
        remove(tmp_c);
        remove(tmp_h);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT.c OUT.h SCHEMA.json...\n", argv[0]);
        return 2;
    }
    int n = argc - 3, rc = 1;
    schema_file_t *files = calloc(n > 0 ? (size_t)n : 1, sizeof(*files));
    if (files == NULL)
        return 1;
    int bad = 0;
    for (int i = 0; i < n; i++) {
        files[i].path = argv[i + 3];
        if (parse_name(&files[i]) != 0 || load_file(&files[i]) != 0)
            bad = 1; /* go on: report every broken file at once */
    }
    if (!bad && check_tools(files, n) == 0 && write_outputs(argv[1], argv[2], files, n) == 0)
        rc = 0;
    for (int i = 0; i < n; i++)
        free(files[i].text);
    free(files);
    return rc;
}
