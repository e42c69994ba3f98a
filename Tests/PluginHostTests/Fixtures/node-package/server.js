#!/usr/bin/env node
// A minimal MCP server over stdio as an npm package's bin script: it needs its dependency `greeting`
// from node_modules, as packages installed with `npm install` do (Loom's plugin-host tests).
const readline = require("readline");
const { greet } = require("greeting");

function send(message) { process.stdout.write(JSON.stringify(message) + "\n"); }

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const request = JSON.parse(line);
  if (request.id === undefined) return;
  const reply = { jsonrpc: "2.0", id: request.id };
  if (request.method === "initialize") {
    reply.result = { protocolVersion: "2025-03-26", capabilities: { tools: {} },
                     serverInfo: { name: "node-greeter", version: "1.0.0" } };
  } else if (request.method === "tools/list") {
    reply.result = { tools: [{ name: "greet", description: "Greets someone.",
                               inputSchema: { type: "object", properties: { name: { type: "string" } },
                                              required: ["name"] } }] };
  } else if (request.method === "tools/call") {
    reply.result = { content: [{ type: "text", text: greet(request.params.arguments.name) }], isError: false };
  } else {
    reply.error = { code: -32601, message: "method not found" };
  }
  send(reply);
});
