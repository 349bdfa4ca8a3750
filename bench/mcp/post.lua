-- post.lua - wrk script: POSTs the JSON-RPC body in $BODY with the MCP headers of a legacy session ($SID).
-- With COUNT_TOOL_ERRORS=1 it also counts the responses that are tool errors ("isError":true): a tool call that
-- answers HTTP 200 with an error (an upstream rate limit, say) must not pass for a measured provider call. Off
-- by default: wrk then hands every response body to Lua, which costs the client some throughput.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = os.getenv("SID")
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
local auth = os.getenv("AUTH")
if auth ~= nil and auth ~= "" then wrk.headers["Authorization"] = auth end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

-- Each "@ID@" in $BODY becomes a number unique to the request: JSON-RPC ids must be unique among a session's
-- requests in flight (the SDK server routes a response by its id: two requests with one id leave one unanswered).
local template = os.getenv("BODY")
if template ~= nil and string.find(template, "@ID@", 1, true) then
  local seq = 0
  request = function()
    seq = seq + 1
    local body = string.gsub(template, "@ID@", tostring((thread_no or 1) * 1000000000 + seq))
    return wrk.format(nil, nil, nil, body)
  end
end

local count_tool_errors = os.getenv("COUNT_TOOL_ERRORS") == "1"
if count_tool_errors then
  tool_errors = 0
  function response(status, headers, body)
    if body ~= nil and string.find(body, '"isError":true', 1, true) then tool_errors = tool_errors + 1 end
  end
end

done = function(summary, latency, requests)
  local tail = ""
  if count_tool_errors then
    local n = 0
    for _, t in ipairs(threads) do n = n + (t:get("tool_errors") or 0) end
    tail = string.format(" tool_errors=%d", n)
  end
  io.write(string.format("BENCH rps=%.1f p50_us=%d p99_us=%d errors=%d non2xx=%d%s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status, tail))
end
