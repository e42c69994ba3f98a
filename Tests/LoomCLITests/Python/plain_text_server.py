"""An OpenAI-compatible server that ignores response_format: every chat completion answers the same
plain sentence, after turning the first --busy requests away with 429. It prints its port, then one
line per request to standard error, and serves until it is killed. Used to check that Loom's remote
model retries a busy server and reports one that does not honour structured output."""
import argparse
import http.server
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--busy", type=int, default=0)
options = parser.parse_args()
state = {"requests": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.endswith("/models"):
            self.reply(200, {"object": "list", "data": [{"id": "plain", "object": "model"}]})
        else:
            self.reply(404, {"error": {"message": "no route", "type": "invalid_request_error"}})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        state["requests"] += 1
        if state["requests"] <= options.busy:
            print(f"chat {state['requests']}: 429", file=sys.stderr, flush=True)
            self.reply(429, {"error": {"message": "busy", "type": "rate_limit_error"}})
            return
        print(f"chat {state['requests']}: 200", file=sys.stderr, flush=True)
        self.reply(200, {"id": "chatcmpl-plain", "object": "chat.completion", "model": "plain",
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": "Sure! Here is the plan."}}],
                         "usage": {"prompt_tokens": 1, "completion_tokens": 6, "total_tokens": 7}})

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
