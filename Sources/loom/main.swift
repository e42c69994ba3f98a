import AgentRuntime
print("loom \(LoomVersion.current)")
