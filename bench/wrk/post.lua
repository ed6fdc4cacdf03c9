-- wrk script: POST one form submission per request, as the snippet sends it
-- (url-encoded, Origin of an allowed site, JSON answer), each with its own
-- UUID-shaped _lc_id so no request is a duplicate of another.
--   wrk -t2 -c64 -d10s --latency -s bench/wrk/post.lua http://127.0.0.1:8000/f/KEY
--
-- With LC_RATE set it is an open-loop (fixed-rate) client instead, as wrk2 is:
-- request i of the whole run is due at LC_START + i / LC_RATE, and connection t
-- (one per thread: run with -t equal to -c = LC_THREADS) sends requests
-- t, t + LC_THREADS, ... each at its due time, or at once if its previous answer
-- came late, until LC_SECONDS after LC_START. Every answer is written to LC_OUT.<t> as
-- "<_lc_id> <due> <sent> <answered> <status>" (Unix seconds), so latency can be
-- taken from the due time: a stalled server cannot hide its queueing delay.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local prefix
local counter = 0
local n = 0
local rate = tonumber(os.getenv("LC_RATE") or "")
local out, id, due, sent
local k = 0

function init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919 + math.floor(os.clock() * 1e6))
  -- Unique per thread and per run: random high bits plus the thread number.
  prefix = string.format("%08x-%04x", math.random(0, 0x7fffffff), (thread_number or 0) % 0x10000)
  if rate then
    out = io.open(os.getenv("LC_OUT") .. "." .. thread_number, "w")
  end
end

local headers = {
  ["Origin"] = "https://example.com",
  ["Accept"] = "application/json",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

local now
if rate then
  local ffi = require("ffi")
  ffi.cdef([[
    typedef struct { long tv_sec; long tv_nsec; } lc_timespec;
    int clock_gettime(int clock, lc_timespec *out);
  ]])
  local ts = ffi.new("lc_timespec")
  now = function()
    ffi.C.clock_gettime(0, ts) -- CLOCK_REALTIME, as Python's time.time()
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
  end
  local start = tonumber(os.getenv("LC_START"))
  local stop = start + tonumber(os.getenv("LC_SECONDS"))
  local connections = tonumber(os.getenv("LC_THREADS"))

  local function next_due()
    due = start + (k * connections + thread_number - 1) / rate
    k = k + 1
  end

  function delay()
    next_due()
    if due >= stop then
      return 3600000 -- the schedule is over: idle until wrk's duration ends
    end
    local ms = math.ceil((due - now()) * 1000)
    return ms > 0 and ms or 0
  end

  function response(status, _headers, _body)
    out:write(string.format("%s %.6f %.6f %.6f %d\n", id, due, sent, now(), status))
    due = nil
  end
end

function request()
  counter = counter + 1
  n = n + 1
  id = string.format(
    "%s-4%03x-%04x-%04x%08x",
    prefix,
    math.random(0, 0xfff),
    0x8000 + math.random(0, 0x3fff),
    math.random(0, 0xffff),
    counter
  )
  if rate then
    if due == nil then -- wrk skipped delay() (a reconnect): this one is due now
      due = now()
    end
    sent = now()
  end
  local body = "name=Ana+Popescu+" .. n
    .. "&email=ana." .. n .. "%40example.com"
    .. "&phone=%2B40+721+000+000"
    .. "&company=Exemplu+SRL"
    .. "&description=Please+call+me+about+the+offer."
    .. "&_lc_id=" .. id
    .. "&_lc_page=https%3A%2F%2Fexample.com%2Fcontact"
  return wrk.format("POST", nil, headers, body)
end
