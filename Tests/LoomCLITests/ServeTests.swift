import Foundation
import TestSupport
import XCTest

/// `loom serve` end to end: a real server on 127.0.0.1 with the small real models, driven by the
/// official openai Python client (`Python/openai_checks.py`).
final class ServeTests: XCTestCase {
    static let smollm = "smollm2-135m-instruct"
    static let qwen = "qwen2.5-coder-0.5b-instruct"

    /// One server with both test models, shared by the tests that need no settings of their own (the
    /// 0.5B model first: agents that name no model use the first one served).
    nonisolated(unsafe) private static var shared: ServeProcess?

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    /// The shared server (started on first use), after checking that the models and the client exist.
    private func server() throws -> ServeProcess {
        let paths = try [TestModels.path(TestModels.qwen05), TestModels.path(TestModels.smollm)]
        try OpenAIClientCheck.requireClient()
        if let server = Self.shared { return server }
        let server = try ServeProcess(paths.flatMap { ["--model", $0] } + ["--max-tokens", "1500"],
                                      environment: ["LOOM_PROMPT_CACHE_MB": "0"])
        Self.shared = server
        return server
    }

    private func check(_ name: String, model: String = ServeTests.smollm, on server: ServeProcess? = nil,
                       apiKey: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let server = try server ?? self.server()
        let output = try OpenAIClientCheck.run(name, server: server, model: model, apiKey: apiKey)
        XCTAssertEqual(output.status, 0, "\(name):\n\(output.stdout)\n\(output.stderr)\nserver log:\n\(server.log)",
                       file: file, line: line)
        XCTAssertTrue(output.stdout.contains("ok \(name)"), output.stdout, file: file, line: line)
    }

    func testPlainChat() throws { try check("chat") }

    func testStreamingMatchesTheWholeAnswer() throws { try check("stream") }

    func testToolCallChosenByTheModel() throws { try check("tool_auto", model: Self.qwen) }

    func testToolChoiceRequired() throws { try check("required") }

    func testNamedFunction() throws { try check("named") }

    func testStreamedToolCallArguments() throws { try check("stream_tool") }

    func testJSONSchemaStrict() throws { try check("json_schema") }

    func testTwoConcurrentRequests() throws { try check("concurrent") }

    func testErrorsAreOpenAIShapedAndTheServerGoesOn() throws { try check("errors") }

    func testAgentAsAModelStreamsItsStepsAndNamesItsTrace() throws {
        let server = try server()
        let output = try OpenAIClientCheck.run("agent", server: server, model: "loom-agent/math-plan")
        XCTAssertEqual(output.status, 0, "\(output.stdout)\n\(output.stderr)\nserver log:\n\(server.log)")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data((output.stdout.split(separator: "\n").first ?? "").utf8))
                                   as? [String: Any], output.stdout)
        let trace = try XCTUnwrap(report["trace"] as? String)
        let records = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(records.contains { $0.contains("\"type\":\"tool_call\"") }, "no tool call in \(trace)")
    }

    func testClientDisconnectCancelsTheGeneration() throws {
        let server = try server()
        try check("disconnect", on: server)
        XCTAssertTrue(server.log.contains("cancelled (the client went away)"), server.log)
    }

    func testAPIKeyIsRequiredWhenGiven() throws {
        let model = try TestModels.path(TestModels.smollm)
        try OpenAIClientCheck.requireClient()
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("loom-key-\(UUID().uuidString)")
        try "k-\(UUID().uuidString)\n".write(to: keyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        let key = try String(contentsOf: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServeProcess(["--model", model, "--api-key-file", keyFile.path])
        defer { server.stop() }
        try check("auth", on: server, apiKey: key)
    }

    func testFullQueueAnswers429() throws {
        let model = try TestModels.path(TestModels.smollm)
        try OpenAIClientCheck.requireClient()
        let server = try ServeProcess(["--model", model, "--queue-size", "0", "--max-tokens", "1500"])
        defer { server.stop() }
        try check("busy", on: server)
    }

    func testSIGTERMShutsDownGracefully() throws {
        let model = try TestModels.path(TestModels.smollm)
        let server = try ServeProcess(["--model", model])
        XCTAssertEqual(server.stop(), 0, server.log)
    }

    func testOtherAddressesNeedAKey() throws {
        let output = try CLIRunner().run(["serve", "--host", "0.0.0.0", "--port", "0"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("binding 0.0.0.0 serves other machines: give --api-key or --api-key-file"),
                      output.stderr)
    }
}
