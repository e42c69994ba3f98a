import AgentCore
import Foundation
import Orchestrator
import TestSupport
import XCTest
@testable import AgentRuntime

/// Prompt files: their format, how values are filled in, the errors a malformed file gives, and how agents
/// get them (recorded in the trace header with the agent).
final class PromptTemplatesTests: XCTestCase {
    func testSectionsVersionAndFilling() throws {
        let text = """
        # a comment
        version: 3

        [greeting]
        Hello ${name}.${title? You are ${title}.}
        Braces {"stay": [...]} and {{s1}} as written.

        [empty-line-inside]
        one

        two


        """
        let set = try PromptTemplates.parse(text, name: "demo", required: ["greeting"])
        XCTAssertEqual(set.version, 3)
        XCTAssertEqual(set.name, "demo")
        XCTAssertEqual(set.render("greeting", ["name": "Ada", "title": "the reviewer"]),
                       "Hello Ada. You are the reviewer.\nBraces {\"stay\": [...]} and {{s1}} as written.")
        XCTAssertEqual(set.render("greeting", ["name": "Ada"]), "Hello Ada.\nBraces {\"stay\": [...]} and {{s1}} as written.",
                       "optional text left out when its value is missing")
        XCTAssertEqual(set.render("greeting", ["name": "Ada", "title": ""]).hasPrefix("Hello Ada.\n"), true, "or empty")
        XCTAssertEqual(set.render("empty-line-inside"), "one\n\ntwo", "blank lines inside kept, trailing ones dropped")
        XCTAssertEqual(set.render("no-such-section"), "")
    }

    func testMalformedFilesAreClearErrors() {
        func problem(_ text: String, required: [String] = []) -> String {
            do { _ = try PromptTemplates.parse(text, name: "p", required: required); return "parsed" } catch { return "\(error)" }
        }
        XCTAssertEqual(problem("[a]\ntext"), "no 'version: N' line before the first section")
        XCTAssertEqual(problem("version: 1\n[a]\nx\n[a]\ny"), "line 4: section [a] is given twice")
        XCTAssertEqual(problem("version: 1\n[a]\nx", required: ["a", "b", "c"]), "missing sections [b], [c]")
        XCTAssertEqual(problem("version: 1\nstray text\n[a]\nx"), "line 2: expected 'version: N', a comment or a [section] heading, found 'stray text'")
        XCTAssertTrue(problem("version: 1\n[a]\nHello ${name").contains("[a]: '${' without its closing '}'"))
        XCTAssertEqual(problem("version: x\n[a]\nx"), "line 1: expected 'version: N', a comment or a [section] heading, found 'version: x'")
    }

    func testTheShippedPromptFilesHaveEverySectionTheirStrategyNeeds() throws {
        let sets = try AgentLoader.prompts(directories: [Repository.root.appendingPathComponent("Agents")])
        XCTAssertEqual(Set(sets.keys), Set(AgentDefinition.Strategy.allCases.map(\.rawValue)))
        for (name, set) in sets {
            let strategy = try XCTUnwrap(AgentDefinition.Strategy(rawValue: name))
            for section in Orchestrator.promptSections(for: strategy) {
                XCTAssertFalse(set.render(section).isEmpty, "\(name): [\(section)]")
            }
        }
    }

    func testAgentsCarryTheirPromptsAndPoliciesIntoTheTraceHeader() throws {
        let agents = Repository.root.appendingPathComponent("Agents")
        let math = try AgentLoader.load("math-plan", directories: [agents])
        XCTAssertEqual(math.prompts?["plan-execute"]?.version, try AgentLoader.prompts(directories: [agents])["plan-execute"]?.version)
        XCTAssertNil(math.policies, "the defaults")
        // The definition round-trips through the header's JSON with its prompts.
        let decoded = try JSONDecoder().decode(AgentDefinition.self, from: JSONEncoder().encode(math))
        XCTAssertEqual(decoded.prompts, math.prompts)

        let chosen = try AgentLoader.parse("name: a\nsystem_prompt: hi\npolicies: [think-first, question-parts]", promptDirectories: [agents])
        XCTAssertEqual(chosen.policies, ["think-first", "question-parts"])
        XCTAssertThrowsError(try AgentLoader.parse("name: a\nsystem_prompt: hi\npolicies: [think-twice]", path: "a.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("a.yaml: 'policies' unknown planner policy 'think-twice'"), "\(error)")
        }
    }

    func testEvalPoliciesReplaceDropOrAdd() throws {
        let defaults = PlannerPolicy.defaults.map(\.rawValue)
        XCTAssertEqual(try EvalCommand.policies("-repeated-operand", applyingTo: nil), defaults.filter { $0 != "repeated-operand" })
        XCTAssertEqual(try EvalCommand.policies("+think-first", applyingTo: nil), defaults + ["think-first"])
        XCTAssertEqual(try EvalCommand.policies("+think-first,-skip-echoes", applyingTo: ["skip-echoes", "question-parts"]),
                       ["question-parts", "think-first"])
        XCTAssertEqual(try EvalCommand.policies("question-parts, answer-when-done", applyingTo: defaults), ["question-parts", "answer-when-done"])
        XCTAssertThrowsError(try EvalCommand.policies("-think-twice", applyingTo: nil)) { error in
            XCTAssertTrue("\(error)".contains("unknown planner policy 'think-twice'"), "\(error)")
        }
        XCTAssertThrowsError(try EvalCommand.policies("question-parts,-skip-echoes", applyingTo: nil))
    }

    func testABrokenPromptFileNamesItselfWhenTheAgentLoads() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loom-prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("prompts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "version: 1\n[system]\nonly this".write(to: directory.appendingPathComponent("prompts/plan-execute.prompts"),
                                                    atomically: true, encoding: .utf8)
        try "name: a\nsystem_prompt: hi\n".write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AgentLoader.load("a", directories: [directory])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("prompts/plan-execute.prompts: missing sections [results]"), text)
        }
    }
}
