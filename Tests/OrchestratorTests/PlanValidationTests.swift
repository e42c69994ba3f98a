import AgentCore
import XCTest
@testable import Orchestrator

final class PlanValidationTests: XCTestCase {
    let catalog = ToolCatalog(available: [Fixtures.evaluate, Fixtures.fetch, Fixtures.deleteFiles], agent: Fixtures.agent())

    func problem(_ text: String, completed: Set<String> = []) -> PlanProblem? {
        do {
            _ = try PlanValidation.validate(try Plan.parse(text), catalog: catalog, completed: completed)
            return nil
        } catch { return error }
    }

    func testCatalogKeepsOnlyTheAgentsTools() {
        XCTAssertEqual(catalog.names, ["evaluate", "fetch"])
        XCTAssertNil(catalog.tool(named: "delete_files"))
        XCTAssertEqual(catalog.tool(named: "calc.evaluate")?.name, "evaluate")
    }

    func testCatalogFollowsTheAgentsToolOrder() {
        var agent = Fixtures.agent()
        agent.tools = ["fetch", "calc.evaluate"]
        let ordered = ToolCatalog(available: [Fixtures.evaluate, Fixtures.fetch, Fixtures.deleteFiles], agent: agent)
        XCTAssertEqual(ordered.names, ["fetch", "evaluate"])
        XCTAssertEqual(catalog.names, ["evaluate", "fetch"], "without a tools list: by plugin, then name")
    }

    func testCycleIsRejectedWithItsPath() {
        let text = Fixtures.plan([
            ("s1", "evaluate", ["expression": "{{s3}}"], []),
            ("s2", "evaluate", ["expression": "1"], ["s1"]),
            ("s3", "evaluate", ["expression": "2"], ["s2"]),
        ])
        XCTAssertEqual(problem(text), .cycle(path: ["s1", "s3", "s2", "s1"]))
        XCTAssertEqual(problem(Fixtures.plan([("s1", "evaluate", ["expression": "{{s1}}"], [])])), .cycle(path: ["s1", "s1"]))
    }

    func testUnknownToolIsRejected() {
        XCTAssertEqual(problem(Fixtures.plan([("s1", "delete_files", ["path": "/"], [])])),
                       .unknownTool(step: "s1", tool: "delete_files"))
    }

    func testReferencesMustResolve() {
        XCTAssertEqual(problem(Fixtures.plan([("s1", "evaluate", ["expression": "{{s9}} + 1"], [])])),
                       .unresolvedReference(step: "s1", reference: "s9"))
        XCTAssertEqual(problem(Fixtures.plan([("s1", "evaluate", ["expression": "1"], ["s0"])])),
                       .unresolvedReference(step: "s1", reference: "s0"))
        XCTAssertEqual(problem(Fixtures.plan([("s1", "evaluate", ["expression": ["$ref": "nowhere"]], [])])),
                       .unresolvedReference(step: "s1", reference: "nowhere"))
        XCTAssertNil(problem(Fixtures.plan([("s2", "evaluate", ["expression": "{{s1}}"], [])]), completed: ["s1"]))
    }

    func testDuplicateAndReusedIDsAreRejected() {
        let twice = Fixtures.plan([("s1", "evaluate", ["expression": "1"], []), ("s1", "evaluate", ["expression": "2"], [])])
        XCTAssertEqual(problem(twice), .duplicateID(id: "s1"))
        XCTAssertEqual(problem(Fixtures.plan([("s1", "evaluate", ["expression": "1"], [])]), completed: ["s1"]), .duplicateID(id: "s1"))
    }

    func testArgumentsAreCheckedAgainstTheToolSchema() {
        XCTAssertEqual(problem(Fixtures.plan([("s1", "fetch", ["url": 5, "max_chars": "lots"], [])])),
                       .badArguments(step: "s1", problems: ["arguments.max_chars should be integer, got string",
                                                            "arguments.url should be string, got integer"]))
        XCTAssertEqual(problem(Fixtures.plan([("s1", "fetch", [:], [])])),
                       .badArguments(step: "s1", problems: ["arguments.url is required"]))
        XCTAssertNil(problem(Fixtures.plan([("s1", "evaluate", ["expression": "1"], []),
                                            ("s2", "fetch", ["url": "x", "max_chars": "{{s1}}"], [])])),
                     "a reference may stand in for a non-string argument")
    }

    func testMalformedPlanTextIsAProblemNotACrash() {
        XCTAssertEqual(problem("{\"steps\": [1, 2]}"), .notAPlan(reason: "step 1 is not an object"))
        XCTAssertEqual(problem("{\"plan\": []}"), .notAPlan(reason: "expected an object with a \"steps\" array"))
        XCTAssertEqual(problem("{\"steps\": [{\"id\": \"s1\"}]}"), .notAPlan(reason: "step s1 has no \"tool\" name"))
        XCTAssertEqual(problem("{\"steps\": [{\"id\": \"s1\", \"tool\": \"fetch\", \"arguments\": []}]}"),
                       .badArguments(step: "s1", problems: ["arguments must be an object"]))
        if case .unparseable = problem("{\"steps\": [") {} else { XCTFail("torn JSON must be unparseable") }
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            let length = Int(generator.next() % 60)
            let text = String((0..<length).map { _ in Array("{}[]\":,sidtoolargumentsdepends_on 0123{{}}$ref")[Int(generator.next() % 44)] })
            _ = problem(text)  // must not crash
        }
    }

    func testReferencesInsideTextAreSubstituted() {
        let resolved = References.resolve(["a": "{{s1}} and {{ s2 }}", "b": ["$ref": "s2"], "c": ["{{s1}}"]],
                                          results: ["s1": "41", "s2": "x"])
        XCTAssertEqual(resolved, ["a": "41 and x", "b": "x", "c": ["41"]])
        XCTAssertEqual(References.ids(inText: "{{}} {{a b}} {{ok}}"), ["ok"])
    }

    func testAReferenceStandsForTheStructuredResultWhenThereIsOne() {
        let calc = ToolResult(callID: "s1", plugin: "calc", tool: "evaluate", content: "3^4*17^2\n≈ 23409",
                              isError: false, structured: ["result": "3^4*17^2", "decimal": "23409"])
        XCTAssertEqual(References.value(of: calc), "3^4*17^2")
        let page = ToolResult(callID: "s2", plugin: "web-fetch", tool: "fetch", content: "  # Title\ntext\n",
                              isError: false, structured: ["status": 200])
        XCTAssertEqual(References.value(of: page), "# Title\ntext")
    }

    func testAProgramThatRanCleanlyStandsForWhatItPrinted() {
        func run(_ exit: Int, stdout: String, stderr: String) -> ToolResult {
            ToolResult(callID: "s1", plugin: "code-runner", tool: "run_python",
                       content: "exit code \(exit), 31 ms\nstdout:\n\(stdout)\nstderr: \(stderr.isEmpty ? "(empty)" : stderr)",
                       isError: exit != 0, structured: ["exit_code": .int(exit), "stdout": .string(stdout), "stderr": .string(stderr)])
        }
        XCTAssertEqual(References.value(of: run(0, stdout: "64.5\n", stderr: "")), "64.5")
        XCTAssertEqual(References.value(of: run(0, stdout: "a\nb\n", stderr: "")), "a\nb")
        // A failure, a warning on stderr or no output at all: the whole report, so nothing is hidden.
        XCTAssertTrue(References.value(of: run(1, stdout: "", stderr: "Traceback")).hasPrefix("exit code 1"))
        XCTAssertTrue(References.value(of: run(0, stdout: "7\n", stderr: "DeprecationWarning")).hasPrefix("exit code 0"))
        XCTAssertTrue(References.value(of: run(0, stdout: "", stderr: "")).hasPrefix("exit code 0"))
    }
}

/// Follow-up plans that number their steps from `s1` again.
final class PlanRenumberingTests: XCTestCase {
    func testReusedIdsGetFreshOnesAndLaterReferencesFollow() {
        let plan = Plan(steps: [
            Plan.Step(id: "s1", tool: "evaluate", arguments: ["expression": "{{s1}} - 111"]),
            Plan.Step(id: "s2", tool: "evaluate", arguments: ["expression": "{{ s1 }} * 2", "x": ["$ref": "s1"]]),
        ])
        let renumbered = plan.renumbered(avoiding: ["s1"])
        XCTAssertEqual(renumbered.steps.map(\.id), ["s3", "s2"])
        // the step's own reference still means the earlier round's s1; the later step follows the rename
        XCTAssertEqual(renumbered.steps[0].arguments, ["expression": "{{s1}} - 111"])
        XCTAssertEqual(renumbered.steps[1].arguments, ["expression": "{{s3}} * 2", "x": ["$ref": "s3"]])
    }

    func testAPlanWithoutCollisionsIsUnchanged() {
        let plan = Plan(steps: [Plan.Step(id: "s4", tool: "evaluate", arguments: ["expression": "{{s1}}"])])
        XCTAssertEqual(plan.renumbered(avoiding: ["s1", "s2"]), plan)
    }
}
