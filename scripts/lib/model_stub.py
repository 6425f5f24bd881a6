#!/usr/bin/env python3
"""A stand-in AI model server on loopback for the API checks: it speaks enough of the
OpenAI chat-completions protocol (a streamed answer, then [DONE]) for the AI features to run,
so that their operations can answer as documented. It prints its port, then serves until
killed. Standard library only.

    python3 scripts/lib/model_stub.py   # prints e.g. 41234
"""

import http.server
import json
import sys

ANSWER = "## Likely questions\n\n1. Why this company?\n\n## Story bank\n\nNo material was given.\n"
# Answers for the features that ask for one JSON object, by the name of the schema they send.
JSON_ANSWERS = {
    "label_suggestions": {"suggestions": [{"name": "Stub Label", "reason": "A stand-in answer."}]},
    "label_links": {"records": []},
    "resume": {"basics": {"name": "Stub Person"}},
}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        wanted = (request.get("response_format") or {}).get("json_schema", {}).get("name")
        answer = json.dumps(JSON_ANSWERS.get(wanted, {})) if wanted else ANSWER
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        chunk = {"model": "stub-model", "choices": [{"index": 0, "delta": {"content": answer}}]}
        done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20}}
        self.wfile.write(f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.serve_forever()
