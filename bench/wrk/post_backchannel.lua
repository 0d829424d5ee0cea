-- Unique JSON comments (the receiver refuses duplicates with 409).
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
    '{"article":"bench-article","author":"Wrk %d","body":"Comment %s%d-%d.","email":"w%d@example.org","token":"","homepage":""}',
    counter, phase, tid, counter, counter)
  return wrk.format("POST", "/backchannel/comments", {["Content-Type"] = "application/json"}, body)
end
