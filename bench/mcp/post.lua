-- post.lua - wrk script: POSTs the JSON-RPC body in $BODY with the MCP headers of a legacy session ($SID).
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = os.getenv("SID")
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
local auth = os.getenv("AUTH")
if auth ~= nil and auth ~= "" then wrk.headers["Authorization"] = auth end

done = function(summary, latency, requests)
  io.write(string.format("BENCH rps=%.1f p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
