// Fuzz target: what the model writes, read by the orchestrator: a plan (plan-execute), validated against
// a tool catalog and renumbered, with its `{sN}` references resolved; and a ReAct tool call. A model's
// mistake is a `PlanProblem` or a `.mistake` turn, never a crash.
import AgentCore
import FuzzDriver
@testable import Orchestrator

let tools = [
    ToolSpec(plugin: "calc", name: "evaluate", description: "Evaluate an expression.",
             inputSchema: ["type": "object", "properties": ["expression": ["type": "string"]], "required": ["expression"]]),
    ToolSpec(plugin: "web-fetch", name: "fetch", description: "Fetch a page.",
             inputSchema: ["type": "object", "properties": ["url": ["type": "string"], "page": ["type": "integer"]],
                           "required": ["url"]]),
]
let catalog = ToolCatalog(available: tools, agent: AgentDefinition(name: "fuzz", description: "", systemPrompt: "",
                                                                   plugins: []))

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    _ = ReActOutput.parse(text)
    guard let plan = try? Plan.parse(text) else { return 0 }
    let renumbered = plan.renumbered(avoiding: ["s1"])
    FuzzDriver.check(renumbered.steps.count == plan.steps.count, "renumbering changed the number of steps")
    FuzzDriver.check(!renumbered.steps.contains { $0.id == "s1" }, "renumbering kept a used id")
    guard let valid = try? PlanValidation.validate(plan, catalog: catalog, completed: []) else { return 0 }
    let results = Dictionary(valid.steps.map { ($0.id, "1") }, uniquingKeysWith: { first, _ in first })
    for step in valid.steps {
        _ = References.resolve(step.arguments, results: results)
        FuzzDriver.check(step.dependsOn.allSatisfy { results[$0] != nil }, "a dependency on an unknown step")
    }
    _ = RepeatedOperand.find(in: valid, earlier: [])
    return 0
}

FuzzDriver.run(testOneInput)
