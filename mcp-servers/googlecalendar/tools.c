/*
 * tools.c - the tool table of the Google Calendar service: names, descriptions, behaviour annotations and handlers.
 * The input and output schemas (defaults, limits, additionalProperties false) are schemas/<tool>.{input,output}.json,
 * checked and embedded at build time (schemas.h).
 */
#include "common/status.h"
#include "googlecalendar.h"
#include "schemas.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* behaviour hints: read-only, destructive, idempotent, open world */
#define RO MCP_HINTS(1, 0, 1, 1)
/* twice = two events (and two invitations) */
#define CREATE MCP_HINTS(0, 0, 0, 1)
/* an answer only sets the caller's own status */
#define ANSWER MCP_HINTS(0, 0, 1, 1)
/* a patch overwrites fields (attendees, recurrence as a whole): destructive, the same patch twice changes nothing
   more */
#define WRITE_IDEM MCP_HINTS(0, 1, 1, 1)
#define DESTROY_IDEM MCP_HINTS(0, 1, 1, 1)

#define T(name, title, desc, hint, fn)                                                                                 \
    {                                                                                                                  \
        name, title, desc, schema_##fn##_input, schema_##fn##_output, hint, gc_##fn                                    \
    }
static const mcp_tool_def_t tools[] = {
    T("list_calendars", "List calendars",
      "Lists the calendars of the user's calendar list (id, name, access role, time zone; \"primary\" is the main "
      "one). Page with cursor = next_cursor.",
      RO, list_calendars),
    T("list_events", "List events",
      "Lists events of a calendar in a time window (time_min / time_max, RFC 3339 with offset), recurring events "
      "expanded into instances and ordered by start by default; query searches title, description, location and "
      "attendees. Page with cursor = next_cursor.",
      RO, list_events),
    T("get_event", "Get event",
      "Gets one event: times, attendees and their answers, recurrence, Meet link, reminders, description.", RO,
      get_event),
    T("create_event", "Create event",
      "Creates an event: timed (start/end RFC 3339 date-times with offset, or local date-times with time_zone) or "
      "all-day (start/end dates, end "
      "exclusive); attendees, reminders (calendar default or up to 5 overrides), RRULE recurrence (needs time_zone "
      "for timed events), a Google Meet link, and whether to email the guests (send_updates).",
      CREATE, create_event),
    T("update_event", "Update event",
      "Changes only the given fields of an event (patch). attendees, recurrence and reminders replace the old ones "
      "as a whole.",
      WRITE_IDEM, update_event),
    T("delete_event", "Delete event",
      "Deletes an event (a recurring event with all its instances; an instance id deletes one occurrence).",
      DESTROY_IDEM, delete_event),
    T("respond_to_event", "Respond to invitation",
      "Answers an invitation as the calendar's owner: accepted, declined or tentative, with an optional comment.",
      ANSWER, respond_to_event),
    T("quick_add", "Quick add event",
      "Creates an event from a short sentence, as Google Calendar's quick add understands it (e.g. \"Lunch with Ana "
      "tomorrow 12:30-13:30 at Cafe Roma\").",
      CREATE, quick_add),
    T("find_free_busy", "Find free/busy times",
      "Busy intervals of up to " STR(
          GC_MAX_FREEBUSY_CALENDARS) " calendars (or people's primary calendars by email) "
                                     "between time_min and time_max, to find a common free slot.",
      RO, find_free_busy),
};

int gc_register_tools(mcp_server_t *s)
{
    if (gc_api_init() != CM_OK)
        return CM_EINVAL;
    return mcp_server_add_tools(s, tools, sizeof(tools) / sizeof(tools[0]));
}
