-- Unique JSON comment POSTs, in each server's own shape. Arguments after `--` on
-- wrk's command line: the server ("backchannel" or "isso") and a phase label
-- ("warm-up" or ""), so a measured run never repeats a warm-up comment (the
-- receiver refuses duplicates with 409). Each wrk thread gets its own number in
-- setup(), so bodies never repeat between threads either.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local server, phase = "backchannel", ""
function init(args)
  server = args[1] or server
  phase = args[2] or ""
end

local counter = 0
request = function()
  counter = counter + 1
  local text = string.format("Comment %s%d-%d.", phase, tid, counter)
  if server == "isso" then
    local body = string.format(
      '{"text":"%s","author":"Wrk %d","email":"w%d@example.org","website":null,"title":"/post/"}',
      text, counter, counter)
    return wrk.format("POST", "/new?uri=%2Fpost%2F", {["Content-Type"] = "application/json"}, body)
  end
  local body = string.format(
    '{"article":"bench-article","author":"Wrk %d","body":"%s","email":"w%d@example.org","token":"","homepage":""}',
    counter, text, counter)
  return wrk.format("POST", "/backchannel/comments", {["Content-Type"] = "application/json"}, body)
end
