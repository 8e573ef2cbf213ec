// The chat page lac-serve serves at GET /: one small HTML file with inline
// JavaScript (no build step, no npm) that keeps the conversation in the page
// and streams each answer from POST /v1/chat/completions (server-sent events
// read with fetch + a ReadableStream). `/?q=...` asks that question on load.
#pragma once

namespace lac::server {

inline constexpr const char* kChatPage = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lac-serve</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem; }
  #log { display: flex; flex-direction: column; gap: .5rem; margin-bottom: 1rem; }
  .msg { padding: .5rem .75rem; border-radius: .5rem; white-space: pre-wrap; }
  .user { background: #e8f0fe; align-self: flex-end; }
  .assistant { background: #f1f3f4; align-self: flex-start; }
  form { display: flex; gap: .5rem; }
  #input { flex: 1; padding: .5rem; }
  #status { color: #666; font-size: .85rem; min-height: 1.2em; }
</style>
</head>
<body>
<h1>lac-serve</h1>
<div id="log"></div>
<form id="form">
  <input id="input" autocomplete="off" placeholder="Ask something" autofocus>
  <button id="send" type="submit">Send</button>
</form>
<div id="status"></div>
<script>
const messages = [];
const log = document.getElementById("log");
const status = document.getElementById("status");

function add(role, text) {
  const div = document.createElement("div");
  div.className = "msg " + role;
  div.textContent = text;
  log.appendChild(div);
  return div;
}

async function ask(text) {
  messages.push({ role: "user", content: text });
  add("user", text);
  const out = add("assistant", "");
  status.textContent = "thinking...";
  const res = await fetch("/v1/chat/completions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ messages, stream: true }),
  });
  if (!res.ok) {
    const err = await res.json().catch(() => ({}));
    status.textContent = "error " + res.status + ": " + ((err.error && err.error.message) || res.statusText);
    out.dataset.done = "error";
    messages.pop();
    return;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "", answer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut).trim();
      buffer = buffer.slice(cut + 2);
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      const chunk = JSON.parse(event.slice(6));
      for (const c of chunk.choices || []) {
        if (c.delta && c.delta.content) { answer += c.delta.content; out.textContent = answer; }
      }
    }
  }
  messages.push({ role: "assistant", content: answer });
  out.dataset.done = "true";
  status.textContent = "";
}

// /?q=question asks it at once (a link that opens with an answer).
const q = new URLSearchParams(location.search).get("q");
if (q) ask(q).catch((err) => { status.textContent = "error: " + err; });

document.getElementById("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = document.getElementById("input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  ask(text).catch((err) => { status.textContent = "error: " + err; });
});
</script>
</body>
</html>
)HTML";

}  // namespace lac::server
