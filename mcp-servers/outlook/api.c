/*
 * api.c - the outlook service's Graph helpers (graph.h): folder names, the permissions of its error texts,
 * recipients and message summaries; the Graph conventions themselves are apis/msgraph.h.
 */
#include "common/json_util.h"
#include "graph.h"
#include "common/log.h"
#include "common/status.h"
#include "mcp/provider_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *graph_folder_name(const char *s)
{
    static const char *const alias[][2] = {
        {"sent", "sentitems"},
        {"sent items", "sentitems"},
        {"trash", "deleteditems"},
        {"deleted", "deleteditems"},
        {"deleted items", "deleteditems"},
        {"junk", "junkemail"},
        {"spam", "junkemail"},
        {"junk email", "junkemail"},
        {"draft", "drafts"},
        {"archive", "archive"},
        {"inbox", "inbox"},
        {"outbox", "outbox"},
    };
    for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (strcasecmp(s, alias[i][0]) == 0)
            return alias[i][1];
    return s;
}

void graph_error_read(const struct mcp_provider_response *res, const char *generic, char *buf, size_t n)
{
    msgraph_error_text(res, generic, "Mail.Read (or Mail.ReadWrite)", buf, n);
}

void graph_error_write(const struct mcp_provider_response *res, const char *generic, char *buf, size_t n)
{
    msgraph_error_text(res, generic, "Mail.ReadWrite", buf, n);
}

void graph_error_send(const struct mcp_provider_response *res, const char *generic, char *buf, size_t n)
{
    msgraph_error_text(res, generic, "Mail.Send", buf, n);
}

void graph_append_recipient(cm_buf_t *b, const json_t *recipient)
{
    const json_t *ea = json_object_get(recipient, "emailAddress");
    const char *name = json_string_value(json_object_get(ea, "name"));
    const char *addr = json_string_value(json_object_get(ea, "address"));
    if (name != NULL && *name != '\0' && addr != NULL && strcmp(name, addr) != 0)
        cm_buf_printf(b, "%s <%s>", name, addr);
    else if (addr != NULL)
        cm_buf_appendz(b, addr);
    else if (name != NULL)
        cm_buf_appendz(b, name);
}

static json_t *recipient(const json_t *r)
{
    const json_t *ea = json_object_get(r, "emailAddress");
    json_t *o = json_object();
    const char *name = json_string_value(json_object_get(ea, "name"));
    const char *addr = json_string_value(json_object_get(ea, "address"));
    if (name)
        json_object_set_new(o, "name", json_string(name));
    if (addr)
        json_object_set_new(o, "address", json_string(addr));
    return o;
}

json_t *graph_recipients(const json_t *arr)
{
    json_t *out = json_array();
    size_t i;
    const json_t *r;
    json_array_foreach(arr, i, r) json_array_append_new(out, recipient(r));
    return out;
}

json_t *graph_recipients_out(const json_t *addresses)
{
    json_t *out = json_array();
    size_t i;
    const json_t *a;
    json_array_foreach(addresses, i, a)
        json_array_append_new(out, json_pack("{s:{s:s}}", "emailAddress", "address", json_string_value(a)));
    return out;
}

json_t *graph_message_summary(const json_t *m)
{
    json_t *s = json_object();
    cm_json_copy_str(s, "id", m, "id");
    cm_json_copy_str(s, "subject", m, "subject");
    if (json_is_object(json_object_get(m, "from")))
        json_object_set_new(s, "from", recipient(json_object_get(m, "from")));
    if (json_is_array(json_object_get(m, "toRecipients")))
        json_object_set_new(s, "to", graph_recipients(json_object_get(m, "toRecipients")));
    cm_json_copy_str(s, "received", m, "receivedDateTime");
    if (json_is_boolean(json_object_get(m, "isRead")))
        json_object_set_new(s, "is_read", json_boolean(json_is_true(json_object_get(m, "isRead"))));
    if (json_is_boolean(json_object_get(m, "hasAttachments")))
        json_object_set_new(s, "has_attachments", json_boolean(json_is_true(json_object_get(m, "hasAttachments"))));
    cm_json_copy_str(s, "preview", m, "bodyPreview");
    cm_json_copy_str(s, "conversation_id", m, "conversationId");
    cm_json_copy_str(s, "importance", m, "importance");
    return s;
}

void graph_append_message_line(cm_buf_t *b, size_t n, const json_t *s)
{
    const json_t *from = json_object_get(s, "from");
    const char *fname = json_string_value(json_object_get(from, "name"));
    const char *faddr = json_string_value(json_object_get(from, "address"));
    const char *subject = json_string_value(json_object_get(s, "subject"));
    const char *preview = json_string_value(json_object_get(s, "preview"));
    cm_buf_printf(b, "%zu. %s%s | %s | From: %s%s%s%s | %s%s\n   id: %s\n", n,
                  json_is_false(json_object_get(s, "is_read")) ? "[unread] " : "",
                  json_string_value(json_object_get(s, "received")) ? json_string_value(json_object_get(s, "received"))
                                                                    : "?",
                  subject && *subject ? subject : "(no subject)", fname ? fname : "", fname && faddr ? " <" : "",
                  faddr ? faddr : "", fname && faddr ? ">" : "",
                  json_is_true(json_object_get(s, "has_attachments")) ? "[attachments] " : "", "",
                  json_string_value(json_object_get(s, "id")) ? json_string_value(json_object_get(s, "id")) : "?");
    if (preview != NULL && *preview != '\0') {
        size_t len = strlen(preview);
        size_t cut = mcp_utf8_prefix_chars(preview, len, 160);
        cm_buf_appendz(b, "   ");
        for (size_t i = 0; i < cut; i++)
            cm_buf_append(b, preview[i] == '\n' || preview[i] == '\r' ? " " : preview + i, 1);
        cm_buf_appendz(b, cut < len ? "...\n" : "\n");
    }
}
