-- vend-ids.lua - wrk script of bench/broker/scale.sh: GET /instances/{id}/token for ids read from the file named by
-- the environment variable VEND_IDS (one a line), the first VEND_N of them; VEND_ORDER=seq walks them in order, each
-- of the VEND_THREADS threads from its own slice, VEND_SKIP ids into it (warm-up passes that read every id once);
-- anything else picks one at random per request.
local ids, n, seq, pos = {}, 0, false, 0
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end
function init(args)
    local limit = tonumber(os.getenv("VEND_N") or "0")
    for line in io.lines(os.getenv("VEND_IDS")) do
        if limit > 0 and n >= limit then break end
        n = n + 1
        ids[n] = line
    end
    seq = os.getenv("VEND_ORDER") == "seq"
    math.randomseed(os.time() + (tid or 0) * 7919)
    local t = tonumber(os.getenv("VEND_THREADS") or "1")
    local slice = math.floor(n / t)
    pos = ((tid or 1) - 1) * slice + (tonumber(os.getenv("VEND_SKIP") or "0") % math.max(slice, 1))
end
function request()
    local id
    if seq then
        pos = pos % n + 1
        id = ids[pos]
    else
        id = ids[math.random(n)]
    end
    return wrk.format("GET", "/instances/" .. id .. "/token")
end
