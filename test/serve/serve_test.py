#!/usr/bin/env python3
"""lac-serve end to end, standard library only: starts the server on a free
port of 127.0.0.1 with a compiled model and checks the OpenAI endpoints,
streaming, errors and their status codes, concurrency against requests sent
alone, cancellation on disconnect, the busy queue, the API key and SIGTERM.

    serve_test.py LAC_SERVE MODEL.lac
"""
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest



class Server:
    """lac-serve on a free port of 127.0.0.1 (its binary and model from argv)."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.argv[1], sys.argv[2], "--port", "0", "--threads", "2", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # "listening on http://127.0.0.1:PORT (loading ...)", then "... ready ..."
        # once the model is loaded (until then every route answers 503).
        line = self.proc.stdout.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        ready = self.proc.stdout.readline() if m else ""
        if not m or " ready: " not in ready:
            self.proc.kill()
            raise RuntimeError("lac-serve did not start: " + line + ready + self.proc.stderr.read())
        self.port = int(m.group(1))

    def request(self, method, path, body=None, headers=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        res = conn.getresponse()
        payload = res.read()
        conn.close()
        return res.status, dict(res.getheaders()), payload

    def post(self, path, body, **kw):
        status, headers, payload = self.request("POST", path, body, **kw)
        return status, headers, json.loads(payload) if payload else None

    def stream(self, path, body):
        """The SSE events of a streamed answer, as parsed JSON (and the raw lines)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("POST", path, body=json.dumps({**body, "stream": True}),
                     headers={"Content-Type": "application/json"})
        res = conn.getresponse()
        assert res.status == 200, res.status
        assert res.getheader("Content-Type") == "text/event-stream"
        events, done = [], False
        for raw in res.read().decode().split("\n\n"):
            raw = raw.strip()
            if not raw or raw.startswith(":"):
                continue
            assert raw.startswith("data: "), raw
            if raw == "data: [DONE]":
                done = True
                continue
            events.append(json.loads(raw[len("data: "):]))
        conn.close()
        assert done, "no [DONE]"
        return events

    def metrics(self):
        _, _, payload = self.request("GET", "/metrics")
        out = {}
        for line in payload.decode().splitlines():
            if line and not line.startswith("#"):
                k, v = line.split()
                out[k] = float(v)
        return out

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=60)
        err = self.proc.stderr.read()
        if rc != 0:
            sys.stderr.write(f"lac-serve exited {rc}; its stderr:\n{err}\n")
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc


def chat(content, **kw):
    return {"messages": [{"role": "user", "content": content}], **kw}


class ServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()

    @classmethod
    def tearDownClass(cls):
        rc = cls.s.stop()
        assert rc == 0, f"lac-serve exited {rc} on SIGTERM"

    def test_health_and_models(self):
        status, _, body = self.s.request("GET", "/health")
        self.assertEqual(status, 200)
        status, _, body = self.s.request("GET", "/v1/models")
        self.assertEqual(status, 200)
        models = json.loads(body)
        self.assertEqual(models["object"], "list")
        self.assertEqual(len(models["data"]), 1)

    def test_chat_page(self):
        status, headers, body = self.s.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        page = body.decode()
        self.assertIn("/v1/chat/completions", page)
        self.assertIn("stream: true", page)

    def test_chat_greedy_and_usage(self):
        status, _, r = self.s.post("/v1/chat/completions", chat("Hello", temperature=0, max_tokens=8))
        self.assertEqual(status, 200, r)
        self.assertEqual(r["object"], "chat.completion")
        c = r["choices"][0]
        self.assertEqual(c["message"]["role"], "assistant")
        self.assertIn(c["finish_reason"], ("stop", "length"))
        u = r["usage"]
        self.assertGreater(u["prompt_tokens"], 0)
        self.assertLessEqual(u["completion_tokens"], 8)
        self.assertEqual(u["total_tokens"], u["prompt_tokens"] + u["completion_tokens"])
        self.assertIn("cached_tokens", u["prompt_tokens_details"])

    def test_stream_equals_non_stream(self):
        body = chat("Tell me a story", temperature=0.8, seed=7, max_tokens=12)
        _, _, whole = self.s.post("/v1/chat/completions", body)
        events = self.s.stream("/v1/chat/completions", {**body, "stream_options": {"include_usage": True}})
        self.assertEqual(events[0]["choices"][0]["delta"].get("role"), "assistant")
        text = "".join(e["choices"][0]["delta"].get("content", "") for e in events if e["choices"])
        self.assertEqual(text, whole["choices"][0]["message"]["content"])
        finals = [e for e in events if e["choices"] and e["choices"][0]["finish_reason"]]
        self.assertEqual(len(finals), 1)
        self.assertEqual(events[-1]["choices"], [])
        self.assertEqual(events[-1]["usage"]["completion_tokens"], whole["usage"]["completion_tokens"])

    def test_seed_reproducible_and_n(self):
        body = chat("Pick a word", temperature=1.0, seed=123, max_tokens=10, n=2)
        _, _, a = self.s.post("/v1/chat/completions", body)
        _, _, b = self.s.post("/v1/chat/completions", body)
        self.assertEqual(len(a["choices"]), 2)
        self.assertEqual([c["message"]["content"] for c in a["choices"]],
                         [c["message"]["content"] for c in b["choices"]])

    def test_completions_logprobs_and_stop(self):
        status, _, r = self.s.post("/v1/completions", {"prompt": "The capital of France is", "max_tokens": 6,
                                                        "temperature": 0, "logprobs": 2, "echo": True})
        self.assertEqual(status, 200, r)
        c = r["choices"][0]
        self.assertTrue(c["text"].startswith("The capital of France is"))
        self.assertEqual(len(c["logprobs"]["tokens"]), r["usage"]["completion_tokens"])
        self.assertTrue(all(len(t) <= 2 for t in c["logprobs"]["top_logprobs"]))
        # A stop string never appears in the text.
        _, _, free = self.s.post("/v1/completions", {"prompt": "1, 2, 3,", "max_tokens": 16, "temperature": 0})
        text = free["choices"][0]["text"]
        if len(text) > 3:
            stop = text[2:4]
            _, _, cut = self.s.post("/v1/completions", {"prompt": "1, 2, 3,", "max_tokens": 16,
                                                        "temperature": 0, "stop": [stop]})
            self.assertNotIn(stop, cut["choices"][0]["text"])
            self.assertEqual(cut["choices"][0]["finish_reason"], "stop")

    def test_errors(self):
        def status_of(path, body=None, raw=None, method="POST"):
            status, _, payload = self.s.request(method, path, body, raw=raw)
            if status >= 400 and payload:
                err = json.loads(payload)["error"]
                self.assertIn("message", err)
                self.assertIn("type", err)
            return status
        self.assertEqual(status_of("/v1/chat/completions", raw="{not json"), 400)
        self.assertEqual(status_of("/v1/chat/completions", raw=b"\xff\xfe"), 400)
        self.assertEqual(status_of("/v1/chat/completions", {"messages": [{"role": "robot", "content": "x"}]}), 400)
        self.assertEqual(status_of("/v1/chat/completions", chat("x", top_p=1.5)), 400)
        self.assertEqual(status_of("/v1/chat/completions", chat("x", top_p=0)), 400)
        self.assertEqual(status_of("/v1/chat/completions", chat("x", max_tokens="many")), 400)
        self.assertEqual(status_of("/v1/chat/completions", chat("x", max_tokens=10 ** 7)), 400)
        self.assertEqual(status_of("/v1/chat/completions", chat("x", n=1000)), 400)
        self.assertEqual(status_of("/v1/completions", {"prompt": [10 ** 9]}), 400)
        # Template variables: tools must be a list, chat_template_kwargs an object;
        # valid ones render (the template ignores what it does not use).
        self.assertEqual(status_of("/v1/chat/completions", chat("x", tools={"name": "f"})), 400)
        self.assertEqual(status_of("/v1/chat/completions", chat("x", chat_template_kwargs=[1])), 400)
        ok = chat("x", max_tokens=1, tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
                  chat_template_kwargs={"date_string": "7 Dec 2026"})
        self.assertEqual(status_of("/v1/chat/completions", ok), 200)
        # A tool call and its result (the model's own template renders them);
        # a tool result with no call before it is refused.
        call = {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}
        result = {"role": "tool", "tool_call_id": "c1", "content": "42"}
        tool_chat = {"messages": [{"role": "user", "content": "x"}, call, result], "max_tokens": 1}
        self.assertEqual(status_of("/v1/chat/completions", tool_chat), 200)
        orphan = {"messages": [{"role": "user", "content": "x"}, result], "max_tokens": 1}
        self.assertEqual(status_of("/v1/chat/completions", orphan), 400)
        self.assertEqual(status_of("/nowhere", method="GET"), 404)
        # A body over the limit is refused from its Content-Length (the client
        # need not send it).
        sock = socket.create_connection(("127.0.0.1", self.s.port), timeout=30)
        sock.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(2 << 20).encode() + b"\r\n\r\n")
        reply = sock.recv(4096).decode()
        sock.close()
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply)
        # The server is still fine.
        self.assertEqual(status_of("/health", method="GET"), 200)

    def test_tokenize_roundtrip(self):
        _, _, t = self.s.post("/tokenize", {"content": "Hello world"})
        _, _, d = self.s.post("/detokenize", {"tokens": t["tokens"]})
        self.assertEqual(d["content"], "Hello world")

    def test_concurrent_streams_equal_alone(self):
        bodies = [chat(f"Story number {i}", temperature=0.9, seed=i, max_tokens=10) for i in range(32)]
        alone = [self.s.post("/v1/chat/completions", b)[2]["choices"][0]["message"]["content"] for b in bodies]
        got = [None] * len(bodies)

        def run(i):
            events = self.s.stream("/v1/chat/completions", bodies[i])
            got[i] = "".join(e["choices"][0]["delta"].get("content", "") for e in events if e["choices"])
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(got, alone)

    def test_disconnect_cancels(self):
        before = self.s.metrics().get("lac_requests_cancelled_total", 0)
        sock = socket.create_connection(("127.0.0.1", self.s.port))
        body = json.dumps({"prompt": "Once upon a time", "max_tokens": 200, "stream": True}).encode()
        sock.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        sock.recv(256)  # the headers and a first piece
        sock.close()
        deadline = time.time() + 20
        while time.time() < deadline:
            m = self.s.metrics()
            if m["lac_sequences_running"] == 0 and m["lac_requests_cancelled_total"] > before:
                break
            time.sleep(0.1)
        m = self.s.metrics()
        self.assertEqual(m["lac_sequences_running"], 0)
        self.assertGreater(m["lac_requests_cancelled_total"], before)


class LimitsTest(unittest.TestCase):
    def test_stalled_client_is_dropped(self):
        s = Server("--timeout", "1")
        try:
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            sock.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\n")  # and then nothing
            t0 = time.time()
            self.assertEqual(sock.recv(4096), b"")  # the server closes the connection
            self.assertLess(time.time() - t0, 8)
            sock.close()
            status, _, _ = s.request("GET", "/health")
            self.assertEqual(status, 200)
        finally:
            self.assertEqual(s.stop(), 0)

    def test_api_key(self):
        s = Server("--api-key", "sekret")
        try:
            status, _, _ = s.request("GET", "/v1/models")
            self.assertEqual(status, 401)
            status, _, _ = s.request("GET", "/v1/models", headers={"Authorization": "Bearer wrong"})
            self.assertEqual(status, 401)
            status, _, _ = s.request("GET", "/v1/models", headers={"Authorization": "Bearer sekret"})
            self.assertEqual(status, 200)
            status, _, _ = s.request("GET", "/health")
            self.assertEqual(status, 200)
        finally:
            self.assertEqual(s.stop(), 0)

    def test_full_queue_is_503(self):
        s = Server("--parallel", "1", "--queue", "1")
        try:
            statuses, retry = [], []

            def run():
                status, headers, _ = s.request("POST", "/v1/completions",
                                               {"prompt": "Count:", "max_tokens": 40, "temperature": 0})
                statuses.append(status)
                if status == 503:
                    retry.append(headers.get("Retry-After"))
            threads = [threading.Thread(target=run) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertIn(503, statuses)
            self.assertIn(200, statuses)
            self.assertTrue(all(r == "1" for r in retry))
        finally:
            self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
