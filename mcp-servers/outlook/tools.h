/*
 * tools.h - the outlook service's tool handlers (tools_read.c, tools_write.c); the table is in tools.c.
 */
#ifndef OUTLOOK_TOOLS_H
#define OUTLOOK_TOOLS_H

#include "mcp/server.h"
#include "mcp/tools.h"

void outlook_list_messages(mcp_call_t *c, json_t *args, void *data);
void outlook_get_message(mcp_call_t *c, json_t *args, void *data);
void outlook_search_messages(mcp_call_t *c, json_t *args, void *data);
void outlook_list_folders(mcp_call_t *c, json_t *args, void *data);
void outlook_send_mail(mcp_call_t *c, json_t *args, void *data);
void outlook_reply_to_message(mcp_call_t *c, json_t *args, void *data);
void outlook_move_message(mcp_call_t *c, json_t *args, void *data);
void outlook_delete_message(mcp_call_t *c, json_t *args, void *data);

/* Checks the configuration (API base) and registers the tool table. CM_OK or an error (logged). */
int outlook_register_tools(mcp_server_t *s);

#endif
