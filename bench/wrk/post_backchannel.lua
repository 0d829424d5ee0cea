-- Unique JSON comments (the receiver refuses duplicates with 409).
-- Each wrk thread gets its own number in setup(), so bodies never repeat.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"article":"bench-article","author":"Wrk %d","body":"Comment %d-%d.","email":"w%d@example.org","token":"","homepage":""}',
    counter, tid, counter, counter)
  return wrk.format("POST", "/backchannel/comments", {["Content-Type"] = "application/json"}, body)
end
