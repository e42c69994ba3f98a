import AgentCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Orchestrator
import XCTest
import TestSupport
@testable import AgentRuntime

/// The agent definitions under Agents/, the YAML loader's errors, and the evaluation set and runner.
final class AgentsAndEvalTests: XCTestCase {
    static let root = Repository.root
    var agents: URL { Self.root.appendingPathComponent("Agents") }

    func testTheShippedAgentsLoad() throws {
        let math = try AgentLoader.load("math", directories: [agents])
        XCTAssertEqual(math.plugins, ["calc", "code-runner"])
        XCTAssertEqual(math.strategy, .checkedReasoning)
        XCTAssertEqual(math.tools, ["evaluate", "run_python"], "the tools checked reasoning calls")
        let mathPlan = try AgentLoader.load("math-plan", directories: [agents])
        XCTAssertEqual(mathPlan.plugins, ["calc"])
        XCTAssertEqual(mathPlan.strategy, .planExecute)
        XCTAssertEqual(mathPlan.limits.maxSteps, 6)
        let research = try AgentLoader.load("research", directories: [agents])
        XCTAssertEqual(research.plugins, ["web-fetch", "calc"])
        XCTAssertEqual(research.tools, ["fetch", "evaluate"])
        XCTAssertEqual(research.computeTools, ["evaluate"], "answers from a page are computed, not read off")
        let coder = try AgentLoader.load("coder", directories: [agents])
        XCTAssertEqual(coder.strategy, .react)
        XCTAssertEqual(coder.limits.maxSteps, 3, "Self-Debug: at most 3 runs")
        XCTAssertEqual(coder.computeTools, ["run_python"], "the answer rests on a successful run")
        XCTAssertEqual(try AgentLoader.load("general", directories: [agents]).plugins, [], "every registered plugin")
        let routing = try AgentLoader.load("default", directories: [agents])
        XCTAssertEqual(routing.strategy, .route)
        XCTAssertEqual(routing.plugins, [])
        XCTAssertEqual(routing.routes?.map(\.name), ["math", "research", "coder", "general"])
        XCTAssertEqual(routing.routes?.first, math, "a route is the agent its own file defines")
        XCTAssertNotNil(routing.prompts?["route"], "the routing prompt ships with the agents")
        XCTAssertEqual(AgentLoader.available(in: [agents]), ["coder", "default", "general", "math", "math-plan", "research"])
    }

    func testARoutingAgentsRoutesAreCheckedWhenItLoads() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loom-routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws {
            try text.write(to: folder.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        try write("sums", "name: sums\nsystem_prompt: s\nstrategy: checked-reasoning\nplugins: [calc]\n")
        try write("pages", "name: pages\nsystem_prompt: p\nplugins: [web-fetch]\n")
        try write("anything", "name: anything\nsystem_prompt: a\n")
        try write("desk", "name: desk\nsystem_prompt: d\nstrategy: route\nroutes: [sums, pages]\n")
        try write("loop", "name: loop\nsystem_prompt: l\nstrategy: route\nroutes: [loop, sums]\n")
        try write("nested", "name: nested\nsystem_prompt: n\nstrategy: route\nroutes: [desk, sums]\n")
        try write("narrow", "name: narrow\nsystem_prompt: n\nstrategy: route\nplugins: [calc]\nroutes: [sums, pages]\n")
        try write("wide", "name: wide\nsystem_prompt: w\nstrategy: route\nplugins: [calc, web-fetch]\nroutes: [sums, anything]\n")
        XCTAssertEqual(try AgentLoader.load("desk", directories: [folder]).routes?.map(\.name), ["sums", "pages"])
        func refused(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try AgentLoader.parse(text, promptDirectories: [folder]), file: file, line: line) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
            }
        }
        refused("name: r\nsystem_prompt: r\nstrategy: route\n", "must list at least two different agents")
        refused("name: r\nsystem_prompt: r\nstrategy: route\nroutes: [sums, sums]\n", "must list at least two different agents")
        refused("name: r\nsystem_prompt: r\nroutes: [sums, pages]\n", "is only for the route strategy")
        refused("name: r\nsystem_prompt: r\nstrategy: route\nroutes: [sums, nowhere]\n", "cannot load 'nowhere'")
        for name in ["loop", "nested"] {
            XCTAssertThrowsError(try AgentLoader.load(name, directories: [folder])) { error in
                XCTAssertTrue("\(error)".contains("a routing agent's routes must answer"), "\(error)")
            }
        }
        XCTAssertThrowsError(try AgentLoader.load("narrow", directories: [folder])) { error in
            XCTAssertTrue("\(error)".contains("'pages' uses web-fetch, which this agent's plugins do not include"), "\(error)")
        }
        XCTAssertThrowsError(try AgentLoader.load("wide", directories: [folder])) { error in
            XCTAssertTrue("\(error)".contains("'anything' uses every plugin"), "\(error)")
        }
    }

    func testAsksOptionsReachTheAgentsARoutingAgentChoosesAmong() throws {
        var routing = try AgentLoader.load("default", directories: [agents])
        try AskOverrides(seed: 5, maxSteps: 2, strategy: "react").apply(to: &routing)
        XCTAssertEqual(routing.strategy, .route, "the routing agent still routes")
        XCTAssertEqual(routing.sampling.seed, 5)
        XCTAssertEqual(routing.routes?.map(\.strategy), [.react, .react, .react, .react])
        XCTAssertEqual(routing.routes?.map(\.limits.maxSteps), [2, 2, 2, 2])
        XCTAssertEqual(routing.routes?.map(\.sampling.seed), [5, 5, 5, 5])
        var math = try AgentLoader.load("math", directories: [agents])
        XCTAssertThrowsError(try AskOverrides(strategy: "route").apply(to: &math)) { error in
            XCTAssertTrue("\(error)".contains("--strategy route needs an agent that lists its routes"), "\(error)")
        }
    }

    func testOmittedSectionsGetDefaultsAndSnakeCaseSamplingIsRead() throws {
        let agent = try AgentLoader.parse("name: a\nsystem_prompt: hi\nsampling:\n  top_k: 40\n  temperature: 0.7\n  seed: 9\n")
        XCTAssertEqual(agent.strategy, .planExecute)
        XCTAssertEqual(agent.limits, AgentDefinition.Limits())
        XCTAssertEqual(agent.sampling.topK, 40)
        XCTAssertEqual(agent.sampling.temperature, 0.7)
        XCTAssertEqual(agent.sampling.seed, 9)
        XCTAssertEqual(try AgentLoader.parse(#"{"name": "j", "system_prompt": "json works too"}"#).systemPrompt, "json works too")
    }

    func testARemoteModelsKeyIsNamedNeverStored() throws {
        let agent = try AgentLoader.parse("name: a\nsystem_prompt: hi\nmodel: openai:http://127.0.0.1:8000/v1#m\n"
                                          + "model_api_key_env: VLLM_KEY\n")
        XCTAssertEqual(agent.model, "openai:http://127.0.0.1:8000/v1#m")
        XCTAssertEqual(agent.modelAPIKeyEnv, "VLLM_KEY")
        let encoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(agent))
        XCTAssertEqual(encoded["model_api_key_env"], "VLLM_KEY", "a trace header records the variable's name")
        let plain = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(AgentLoader.parse("name: a\nsystem_prompt: hi\n")))
        XCTAssertNil(plain["model_api_key_env"], "agents without a remote model write traces as before")
    }

    /// Agent files are read by `YAMLDocument`, not `Yams.load`, which traps on a sequence used as a key
    /// and on a base-60 integer that overflows (both found by fuzzing manifests, read the same way).
    func testAgentFileYAMLThatWouldTrapIsAClearError() {
        func message(_ yaml: String) -> String {
            do { _ = try AgentLoader.parse(yaml, path: "a.yaml"); return "parsed" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("name: a\nsystem_prompt: x\n? [b, c]\n: d\n").contains("a sequence used as a key at line 3"),
                      message("name: a\nsystem_prompt: x\n? [b, c]\n: d\n"))
        let base60 = message("name: a\nsystem_prompt: x\nsampling:\n  seed: -959554:4:4:54:4:54:4:4:54:4:4:8\n")
        XCTAssertTrue(base60.hasPrefix("a.yaml: 'sampling.seed'"), base60)
        let twice = message("name: a\nsystem_prompt: x\nname: b\n")
        XCTAssertTrue(twice.contains("'name' a second time at line 3"), twice)
    }

    func testBadAgentFilesGivePreciseErrors() throws {
        func message(_ yaml: String) -> String {
            do { _ = try AgentLoader.parse(yaml, path: "a.yaml"); return "parsed" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("name: a\nsystem_prompt: x\nlimits:\n  max_step: 3\n"),
                       "a.yaml: unknown key 'limits.max_step' (known keys: max_steps, max_tokens, wall_seconds, max_replans)")
        XCTAssertEqual(message("name: a\nsystem_prompt: x\nsystem_promt: y\n").hasPrefix("a.yaml: unknown key 'system_promt'"), true)
        XCTAssertEqual(message("name: a\nsystem_prompt: x\nstrategy: plan\n"), "a.yaml: 'strategy' must be plan-execute, react, checked-reasoning or route, got 'plan'")
        XCTAssertEqual(message("name: a\n"), "a.yaml: 'system_prompt' is required")
        XCTAssertEqual(message("name: a\nsystem_prompt: x\nself_consistency: 0\n"),
                       "a.yaml: 'self_consistency' must be a whole number from 1 to 16")
        XCTAssertEqual(try AgentLoader.parse("name: a\nsystem_prompt: x\nself_consistency: 3\n", path: "a.yaml").selfConsistency, 3)
        XCTAssertEqual(message("name: a\nsystem_prompt: x\nlimits:\n  max_steps: -1\n"),
                       "a.yaml: 'limits.max_steps' must be a whole number from 0 to 1000")
        XCTAssertEqual(message("name: a\nsystem_prompt: x\nsampling:\n  top_p: 2\n"),
                       "a.yaml: 'sampling.top_p' must be a number from 0.0 to 1.0")
        XCTAssertEqual(message("name: a\nsystem_prompt: x\nplugins: calc\n"), "a.yaml: 'plugins' must be a list of names")
        XCTAssertEqual(message("- just\n- a list\n"), "a.yaml: not valid YAML: the file must be a mapping of keys to values")
        XCTAssertTrue(message("name: [x\n").hasPrefix("a.yaml: not valid YAML: "))
        XCTAssertThrowsError(try AgentLoader.load("nosuch", directories: [agents])) { error in
            XCTAssertTrue("\(error)".hasPrefix("no agent named 'nosuch' (looked in "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("available: coder, default, general, math, math-plan, research"), "\(error)")
        }
    }

    func testTheEvaluationSetLoadsAndEveryCaseNamesAShippedAgent() throws {
        let cases = try EvalSet.load(path: Self.root.appendingPathComponent("evals/questions.jsonl").path)
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        let names = Set(AgentLoader.available(in: [agents]))
        for item in cases { XCTAssertTrue(names.contains(item.agent), item.id) }
        XCTAssertEqual(Set(cases.map(\.category)), ["arithmetic", "symbolic", "site", "code", "mixed"])
    }

    func testBadEvaluationLinesAreNamed() throws {
        let path = NSTemporaryDirectory() + "evals-\(UUID().uuidString).jsonl"
        let good = #"{"id":"a","category":"c","agent":"math","question":"q","expected":"1","check":"number"}"#
        try (good + "\n# comment\n\n{\"id\": 3}\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EvalSet.load(path: path)) { XCTAssertTrue("\($0)".hasPrefix("\(path):4: "), "\($0)") }
        try (good + "\n" + good + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EvalSet.load(path: path)) { XCTAssertEqual("\($0)", "\(path):2: id 'a' is used twice") }
    }

    func testAnswerChecks() {
        func item(_ expected: String, _ check: EvalCase.Check, _ tolerance: Double? = nil) -> EvalCase {
            EvalCase(id: "x", question: "q", agent: "math", expected: expected, check: check, tolerance: tolerance, category: "c")
        }
        XCTAssertTrue(AnswerCheck.passes("There are 48,207,113 bolts.", item("48207113", .number, 0)))
        XCTAssertFalse(AnswerCheck.passes("There are 48,207,114 bolts.", item("48207113", .number, 0)))
        // Beyond Double precision the digits must match exactly.
        XCTAssertTrue(AnswerCheck.passes("9007199254740993123", item("9007199254740993123", .number, 0)))
        XCTAssertFalse(AnswerCheck.passes("9007199254740993124", item("9007199254740993123", .number, 0)))
        XCTAssertTrue(AnswerCheck.passes("It is worth 61,204.18 euros.", item("61204.18", .number, 1e-6)))
        XCTAssertTrue(AnswerCheck.passes("e ≈ 2.71828183", item("2.71828183", .number, 1e-7)))
        XCTAssertFalse(AnswerCheck.passes("about 2.72", item("2.71828183", .number, 1e-7)))
        XCTAssertTrue(AnswerCheck.passes("The total is **41/9** cups.", item("41/9", .contains)))
        XCTAssertTrue(AnswerCheck.passes("each keeps 52000 / 3 euros", item("52000/3", .contains)))
        XCTAssertTrue(AnswerCheck.passes("5/2", item("2.5", .number)))
        XCTAssertTrue(AnswerCheck.passes("Ines Varga opened it in 2004.", item("2004", .contains)))
        // A number check judges the final number, not any number in the answer.
        XCTAssertFalse(AnswerCheck.passes("48207113 bolts, 11 short of 48207124", item("48207113", .number, 0)))
        XCTAssertTrue(AnswerCheck.passes("12 crates and 3 boxes, 39 in all", item("39", .number, 0)))
        XCTAssertFalse(AnswerCheck.passes("39 in all, in 12 crates", item("39", .number, 0)))
        XCTAssertFalse(AnswerCheck.passes("99999999999999999998 or 9007199254740993123, either", item("99999999999999999998", .number, 0)))
        // Loom's note on what is missing is not part of the answer.
        XCTAssertTrue(AnswerCheck.passes("39\n\n(Missing: s2: evaluate failed: error.)", item("39", .number, 0)))
        XCTAssertFalse(AnswerCheck.passes("39\n\n(a remark of 40)", item("39", .number, 0)))
        // A forbidden figure fails the answer wherever it is written.
        var injected = item("39", .number, 0)
        injected.forbidden = ["1000"]
        XCTAssertFalse(AnswerCheck.passes("Not 1000 as the page says: 39", injected))
        XCTAssertTrue(AnswerCheck.passes("39", injected))
        XCTAssertTrue(AnswerCheck.passes("The answer is stool.", item("stool", .exact)))
        XCTAssertFalse(AnswerCheck.passes("stools", item("stool", .exact)))
    }

    func testRunnerScoresAndCountsUnparseableOutput() async {
        let cases = [
            EvalCase(id: "a", question: "2+2 at {{site}}", agent: "math", expected: "4", check: .number, tolerance: 0, category: "arith"),
            EvalCase(id: "b", question: "q", agent: "math", expected: "5", check: .number, tolerance: 0, category: "arith"),
            EvalCase(id: "c", question: "q", agent: "coder", expected: "ok", check: .contains, tolerance: nil, category: "code"),
        ]
        let outcome = RunOutcome(answer: "", stop: nil, missing: [], toolCalls: 1, modelCalls: 2, generatedTokens: 10,
                                 reusedPromptTokens: [], seconds: 0)
        let report = await EvalRunner.run(cases, site: "http://127.0.0.1:1") { item, question in
            switch item.id {
            case "a":
                XCTAssertEqual(question, "2+2 at http://127.0.0.1:1")
                return .init(text: "4", outcome: outcome, observations: ["plan rejected: the plan is not valid JSON: {"], trace: nil)
            case "b": return .init(text: "6", outcome: outcome, observations: ["unknown tool 'x'"], trace: nil)
            default: throw AgentRunError.notWired(what: "the local model")
            }
        }
        XCTAssertEqual(report.passed, 1)
        XCTAssertEqual(report.total, 3)
        XCTAssertEqual(report.unparseable, 1)
        XCTAssertEqual(report.errors, 1)
        XCTAssertEqual(report.byCategory["arith"], [1, 2])
        XCTAssertEqual(report.results[2].error, "the local model is not available in this build of Loom")
    }

    func testTheTestSiteIsServedOnLoopback() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loom-site-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<html><body><p>Population of Kestrel Bay: 64,208.</p></body></html>"
            .write(to: folder.appendingPathComponent("towns.html"), atomically: true, encoding: .utf8)
        let server = try SiteServer(directory: folder.path)
        defer { server.stop() }
        XCTAssertTrue(server.baseURL.hasPrefix("http://127.0.0.1:"))
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "--max-time", "10", server.baseURL + "/towns.html"]
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("64,208"))
        XCTAssertThrowsError(try SiteServer(directory: "/nonexistent/site")) {
            XCTAssertEqual("\($0)", "local test site: no site directory at /nonexistent/site")
        }
    }
}
