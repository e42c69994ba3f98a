/// The page at `/`: ask an agent and watch its plan, steps and answer stream in; open past runs as
/// `loom trace html` renders them. Plain HTML and JavaScript over the server's own API; text from
/// the model, tools and pages is only ever set as text, and a run's page shows in a sandboxed frame.
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Loom</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 22em; height: 100vh; }
  main { padding: 1.2em 1.6em; overflow: auto; }
  aside { border-left: 1px solid #ddd; padding: 1.2em; overflow: auto; background: #fafafa; }
  textarea { width: 100%; height: 4.5em; font: inherit; box-sizing: border-box; }
  pre { white-space: pre-wrap; background: #f3f3f3; padding: .7em; border-radius: 4px; min-height: 1.5em; }
  #answer { background: #eef6ee; }
  iframe { width: 100%; height: 60vh; border: 1px solid #ddd; }
  li { margin: .2em 0; } button.link { background: none; border: none; color: #0645ad; cursor: pointer; padding: 0; text-align: left; }
</style>
</head>
<body>
<main>
  <h1>Loom</h1>
  <p><label>Agent <select id="agent"></select></label>
     <label>API key <input id="key" type="password" size="18" placeholder="if the server asks"></label></p>
  <textarea id="question" placeholder="A multi-step question"></textarea>
  <p><button id="ask">Ask</button> <span id="status"></span></p>
  <h3>Plan and steps</h3><pre id="steps"></pre>
  <h3>Answer</h3><pre id="answer"></pre>
  <iframe id="run" sandbox title="run"></iframe>
</main>
<aside><h3>Past runs</h3><ul id="runs"></ul></aside>
<script>
const $ = id => document.getElementById(id);
const headers = () => { const h = {"Content-Type": "application/json"}; if ($("key").value) h.Authorization = "Bearer " + $("key").value; return h; };

async function loadAgents() {
  const reply = await fetch("/v1/models", {headers: headers()});
  if (!reply.ok) { $("status").textContent = (await reply.json()).error.message; return; }
  $("agent").replaceChildren();
  for (const model of (await reply.json()).data) {
    if (!model.id.startsWith("loom-agent/")) continue;
    const option = document.createElement("option");
    option.value = model.id; option.textContent = model.id.slice("loom-agent/".length);
    $("agent").append(option);
  }
  const chosen = "loom-agent/" + (wanted.get("agent") || "default");
  if ([...$("agent").options].some(option => option.value === chosen)) $("agent").value = chosen;
}

async function loadRuns() {
  const reply = await fetch("/runs", {headers: headers()});
  if (!reply.ok) return;
  $("runs").replaceChildren();
  for (const run of (await reply.json()).runs) {
    const item = document.createElement("li"), button = document.createElement("button");
    button.className = "link"; button.textContent = run.name; button.onclick = () => openRun(run.name);
    item.append(button); $("runs").append(item);
  }
}

async function openRun(name) {
  const reply = await fetch("/runs/" + encodeURIComponent(name), {headers: headers()});
  $("run").srcdoc = await reply.text();
}

async function ask() {
  $("steps").textContent = ""; $("answer").textContent = ""; $("status").textContent = "running…";
  const reply = await fetch("/v1/chat/completions", {method: "POST", headers: headers(), body: JSON.stringify(
    {model: $("agent").value, stream: true, messages: [{role: "user", content: $("question").value}]})});
  if (!reply.ok) { $("status").textContent = (await reply.json()).error.message; return; }
  const reader = reply.body.getReader(), decoder = new TextDecoder();
  let buffer = "", trace = null;
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, {stream: true});
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      const chunk = JSON.parse(event.slice(6));
      if (chunk.error) { $("status").textContent = chunk.error.message; continue; }
      if (chunk.loom && chunk.loom.trace) trace = chunk.loom.trace;
      for (const choice of chunk.choices || []) {
        if (choice.delta.reasoning_content) $("steps").textContent += choice.delta.reasoning_content;
        if (choice.delta.content) $("answer").textContent += choice.delta.content;
      }
    }
  }
  $("status").textContent = trace ? "done; trace " + trace : "done";
  await loadRuns();
  if (trace) openRun(trace.split("/").pop());
}

// `/?agent=math&q=…` fills in the form and asks at once (a link to a question).
const wanted = new URLSearchParams(location.search);
$("ask").onclick = ask;
$("key").onchange = () => { loadAgents(); loadRuns(); };
loadRuns();
loadAgents().then(() => { if (wanted.get("q")) { $("question").value = wanted.get("q"); ask(); } });
</script>
</body>
</html>
"""#
}
