/*
 * streams.h - messages the server sends first: on a session's stream or on a call's stream.
 *
 * Two kinds of stream carry server-to-client messages (each message goes on exactly one of them):
 *   - a call's stream: the response of a tools/call. mcp_call_send (tools.h) puts a notification or request there,
 *     before the result; mcp_call_progress and mcp_call_log use it too. The response switches to
 *     text/event-stream at the first such message. Both eras.
 *   - a session's stream (2025-11-25 and older): the GET stream of a legacy session (Mcp-Session-Id). Messages not
 *     tied to a call go there: list_changed, resources/updated, and any request the server makes outside a call.
 *     They are kept in the session's replay buffer even while no GET is open, so a client that reconnects with
 *     Last-Event-ID misses nothing the buffer still holds.
 * Every event carries an id "<stream>-<seq>"; a client resumes any stream of its session with GET + Last-Event-ID.
 * Limits and their settings: docs/mcp-runtime.md "Streams and limits". Loop thread only.
 */
#ifndef MCP_STREAMS_H
#define MCP_STREAMS_H

#include "mcp/server.h"

#include <jansson.h>
#include <stddef.h>

/* Sends msg (stolen; a JSON-RPC notification or request) on the GET stream of the session session_id (e.g.
 * mcp_call_session_id). CM_OK, CM_ENOTFOUND (no such session: msg dropped), CM_ENOMEM. */
int mcp_server_session_send(mcp_server_t *s, const char *session_id, json_t *msg);

/* Declares that the server emits notifications/<kind>/list_changed (kind: "tools", "resources" or "prompts"): the
 * capability then advertises listChanged: true. Call before serving. CM_OK or CM_EINVAL. */
int mcp_server_declare_list_changed(mcp_server_t *s, const char *kind);
/* notifications/<kind>/list_changed on every open GET stream. Returns how many streams carried it. */
size_t mcp_server_notify_list_changed(mcp_server_t *s, const char *kind);
/* notifications/resources/updated {uri} on the GET stream of every session of instance_id (NULL = any) subscribed to
 * uri (resources/subscribe). Returns how many sessions got it. */
size_t mcp_server_resource_updated(mcp_server_t *s, const char *instance_id, const char *uri);

#endif
