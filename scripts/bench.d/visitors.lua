-- wrk script for scripts/bench: every request comes from a new visitor with a browser's
-- User-Agent, as seen through a trusted proxy (X-Forwarded-For), so that every view is written
-- to the analytics tables rather than being folded into one visitor's half hour.
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local count = 0

function request()
  count = count + 1
  local c = count % 16777216
  wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
  wrk.headers["X-Forwarded-For"] = string.format("%d.%d.%d.%d", 11 + (id or 0), math.floor(c / 65536), math.floor(c / 256) % 256, c % 256)
  return wrk.format()
end
