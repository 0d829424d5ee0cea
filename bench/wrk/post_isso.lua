-- The same comment shape for Isso's POST /new?uri=.
-- Each wrk thread gets its own number in setup(), so bodies never repeat.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

-- The phase ("warm-up" or "") comes after `--` on wrk's command line, so the
-- measured run never repeats a warm-up comment.
local phase = ""
function init(args)
  phase = args[1] or ""
end

local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"text":"Comment %s%d-%d.","author":"Wrk %d","email":"w%d@example.org","website":null,"title":"/post/"}',
    phase, tid, counter, counter, counter)
  return wrk.format("POST", "/new?uri=%2Fpost%2F", {["Content-Type"] = "application/json"}, body)
end
