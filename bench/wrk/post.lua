-- wrk script: POST one form submission per request, as the snippet sends it
-- (url-encoded, Origin of an allowed site, JSON answer), each with its own
-- UUID-shaped _lc_id so no request is a duplicate of another.
--   wrk -t2 -c64 -d10s --latency -s bench/wrk/post.lua http://127.0.0.1:8000/f/KEY

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local prefix
local counter = 0
local n = 0

function init(args)
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919 + math.floor(os.clock() * 1e6))
  -- Unique per thread and per run: random high bits plus the thread number.
  prefix = string.format("%08x-%04x", math.random(0, 0x7fffffff), (thread_number or 0) % 0x10000)
end

local headers = {
  ["Origin"] = "https://example.com",
  ["Accept"] = "application/json",
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

function request()
  counter = counter + 1
  n = n + 1
  local id = string.format(
    "%s-4%03x-%04x-%04x%08x",
    prefix,
    math.random(0, 0xfff),
    0x8000 + math.random(0, 0x3fff),
    math.random(0, 0xffff),
    counter
  )
  local body = "name=Ana+Popescu+" .. n
    .. "&email=ana." .. n .. "%40example.com"
    .. "&phone=%2B40+721+000+000"
    .. "&company=Exemplu+SRL"
    .. "&description=Please+call+me+about+the+offer."
    .. "&_lc_id=" .. id
    .. "&_lc_page=https%3A%2F%2Fexample.com%2Fcontact"
  return wrk.format("POST", nil, headers, body)
end
