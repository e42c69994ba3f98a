import AgentCore
import OrchestratorTestSupport
import XCTest
@testable import Orchestrator

/// With ten plugins and sixty tools registered, the prompt shows the tools the question needs, chosen
/// deterministically and recorded in the trace; with three tools it shows all of them, as before.
final class ToolRetrievalTests: XCTestCase {
    /// Sixty tools of ten plugins, each with a one-line description and a small schema, as MCP servers list them.
    static let manyTools: [ToolSpec] = {
        let table: [(String, [(String, String)])] = [
            ("calc", [("evaluate", "Evaluate an arithmetic expression exactly."), ("solve", "Solve an equation for a variable."),
                      ("differentiate", "Differentiate an expression."), ("integrate", "Integrate an expression."),
                      ("factor", "Factor an integer or polynomial."), ("simplify", "Simplify an algebraic expression.")]),
            ("web-fetch", [("fetch", "Fetch a web page as markdown text."), ("fetch_links", "List the links of a web page."),
                           ("fetch_headers", "Return the HTTP headers of a URL."), ("fetch_json", "Fetch a JSON document."),
                           ("fetch_feed", "Read an RSS or Atom feed."), ("fetch_image_text", "Describe the alt text of images.")]),
            ("code-runner", [("run_python", "Run a Python program and return its output."), ("run_shell", "Run a shell script."),
                             ("run_node", "Run a JavaScript program with Node."), ("lint_python", "Check Python code for errors."),
                             ("format_python", "Format Python source code."), ("test_python", "Run Python unit tests.")]),
            ("time", [("get_current_time", "Current time in a time zone."), ("convert_time", "Convert a time between time zones."),
                      ("add_duration", "Add a duration to a date."), ("days_between", "Count the days between two dates."),
                      ("weekday", "The weekday of a date."), ("list_timezones", "List IANA time zone names.")]),
            ("weather", [("get_forecast", "Weather forecast for a city: temperature, rain, wind."),
                         ("get_alerts", "Severe weather alerts for a region."), ("air_quality", "Air quality index of a city."),
                         ("sunrise_sunset", "Sunrise and sunset times of a place."), ("uv_index", "UV index forecast."),
                         ("historical_weather", "Past weather observations of a city.")]),
            ("files", [("read_file", "Read a text file."), ("write_file", "Write a text file."), ("list_directory", "List a folder."),
                       ("search_files", "Search files by name pattern."), ("move_file", "Move or rename a file."),
                       ("delete_file", "Delete a file.")]),
            ("git", [("git_status", "Show the working tree status."), ("git_log", "Show commit history."),
                     ("git_diff", "Show changes between commits."), ("git_commit", "Record changes to the repository."),
                     ("git_branch", "List or create branches."), ("git_blame", "Show who changed each line of a file.")]),
            ("mail", [("send_email", "Send an email message."), ("search_email", "Search the mailbox."),
                      ("read_email", "Read one email message."), ("list_folders", "List mailbox folders."),
                      ("draft_email", "Save an email draft."), ("delete_email", "Delete an email message.")]),
            ("currency", [("convert_currency", "Convert an amount between currencies at today's rate."),
                          ("exchange_rate", "The exchange rate between two currencies."),
                          ("historical_rate", "An exchange rate on a past date."), ("list_currencies", "List currency codes."),
                          ("crypto_price", "Price of a cryptocurrency."), ("inflation", "Inflation rate of a country.")]),
            ("units", [("convert_units", "Convert a quantity between units (miles to kilometres, pounds to kilograms)."),
                       ("list_units", "List the units of a dimension."), ("parse_quantity", "Parse a quantity with its unit."),
                       ("temperature_convert", "Convert temperatures between Celsius, Fahrenheit and Kelvin."),
                       ("cooking_convert", "Convert cooking measures (cups, tablespoons, grams)."),
                       ("shoe_size", "Convert shoe sizes between systems.")]),
        ]
        return table.flatMap { plugin, tools in
            tools.map { name, description in
                ToolSpec(plugin: plugin, name: name, description: description,
                         inputSchema: ["type": "object", "properties": ["input": ["type": "string", "description": "what to work on"],
                                                                        "options": ["type": "object"]],
                                       "required": ["input"]])
            }
        }
    }()

    private func planPrompt(tools: [ToolSpec], question: String, sink: MemoryTraceSink) async throws -> String {
        let executor = ScriptedToolExecutor(tools: tools) { _ in ("ok", false) }
        let model = ScriptedModel([#"{"parts": ["x"], "steps": []}"#, "done"])
        var agent = Fixtures.agent(plugins: [])
        agent.computeTools = ["evaluate"]
        _ = try await Fixtures.orchestrator(model: model, tools: executor, agent: agent, sink: sink).run(question: question)
        let requests = await model.requests
        return try XCTUnwrap(requests.first?.messages.first { $0.role == .system }?.content)
    }

    private func listed(_ prompt: String) -> [String] {
        prompt.split(separator: "\n").filter { $0.hasPrefix("- ") && $0.contains(" (plugin ") }
            .map { String($0.dropFirst(2).prefix { $0 != " " }) }
    }

    func testSixtyToolsShowOnlyTheRelevantOnesAndTheTraceSaysWhich() async throws {
        XCTAssertEqual(Self.manyTools.count, 60)
        XCTAssertEqual(Set(Self.manyTools.map(\.plugin)).count, 10)
        let sink = MemoryTraceSink()
        let question = "What will the weather forecast be in Lyon tomorrow, and how many kilometres are 26.2 miles?"
        let prompt = try await planPrompt(tools: Self.manyTools, question: question, sink: sink)
        let shown = listed(prompt)
        XCTAssertTrue(shown.contains("get_forecast"), "\(shown)")
        XCTAssertTrue(shown.contains("convert_units"), "\(shown)")
        XCTAssertTrue(shown.contains("evaluate"), "the agent's compute tool stays: \(shown)")
        XCTAssertFalse(shown.contains("send_email") || shown.contains("git_commit"), "\(shown)")
        XCTAssertLessThanOrEqual(shown.count, ToolRetrieval().limit + 1)

        let events = await sink.events
        let selection = events.compactMap { event -> (selected: [String], offered: Int, terms: [String])? in
            if case .toolSelection(let selected, let offered, let terms) = event { return (selected, offered, terms) }
            return nil
        }
        XCTAssertEqual(selection.count, 1)
        XCTAssertEqual(selection.first?.offered, 60)
        XCTAssertEqual(selection.first?.selected.map { String($0.split(separator: ".").last ?? "") }, shown)
        XCTAssertTrue(selection.first?.terms.contains("forecast") == true, "\(selection.first?.terms ?? [])")

        let again = try await planPrompt(tools: Self.manyTools, question: question, sink: MemoryTraceSink())
        XCTAssertEqual(again, prompt, "retrieval is deterministic")
    }

    func testPromptDoesNotGrowWithEveryToolSchema() async throws {
        let few = Array(Self.manyTools.prefix(3))
        let small = try await planPrompt(tools: few, question: "What is 2^100 mod 97?", sink: MemoryTraceSink())
        XCTAssertEqual(listed(small), ["differentiate", "evaluate", "solve"], "three tools are all shown")
        let sink = MemoryTraceSink()
        let large = try await planPrompt(tools: Self.manyTools, question: "What is 2^100 mod 97?", sink: sink)
        let everything = ToolCatalog(available: Self.manyTools, agent: Fixtures.agent(plugins: [])).listing
        // Without retrieval the sixty listings alone would add this much to the prompt.
        XCTAssertGreaterThan(everything.count, 5 * small.count / 2)
        XCTAssertLessThan(large.count, small.count + everything.count / 4, "the 60-tool prompt stays near the 3-tool one")
        let events = await sink.events
        XCTAssertTrue(events.contains { if case .toolSelection = $0 { return true } else { return false } })
    }

    func testWordsAndScores() {
        XCTAssertEqual(ToolRetrieval.words("getCurrentTime of the fetch_links-Pages 2.5"), ["current", "time", "fetch", "link", "page", "2", "5"])
        let scores = ToolRetrieval.bm25(query: ["forecast"], documents: [["weather", "forecast"], ["send", "email"], []])
        XCTAssertGreaterThan(scores[0], 0)
        XCTAssertEqual(scores[1], 0)
        XCTAssertEqual(scores[2], 0)
        XCTAssertEqual(ToolRetrieval.exampleTools(#"Plan: {"steps": [{"id": "s1", "tool": "evaluate"}, {"tool": "fetch", "x": 1}]}"#),
                       ["evaluate", "fetch"])
    }
}
