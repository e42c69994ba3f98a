import Foundation
import TestSupport
import XCTest

/// The page `loom serve` shows at `/`, in headless Chromium against a real server and the real 0.5B
/// model: a question asked through the page (its `?agent=…&q=…` link fills in the form and asks) streams
/// its plan, steps and answer in, and the run it wrote is listed and opened as `loom trace html` shows it.
final class ServePageBrowserTests: XCTestCase {
    func testAQuestionAskedOnThePageStreamsItsStepsAndAnswer() throws {
        try HeadlessChromium.require()
        let model = try TestModels.path(TestModels.qwen05)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-page-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let server = try ServeProcess(["--model", model, "--max-tokens", "1500"],
                                      environment: ["LOOM_HOME": home.path, "LOOM_PROMPT_CACHE_MB": "0"])
        defer { server.stop() }

        var link = try XCTUnwrap(URLComponents(string: "http://127.0.0.1:\(server.port)/"))
        link.queryItems = [URLQueryItem(name: "agent", value: "math-plan"),
                           URLQueryItem(name: "q", value: "A ferry carries 45 cars on each of 6 trips a day. How many cars is that in 7 days?")]
        // Driven over the DevTools protocol: the DOM is read once the run is done and shown.
        let page = try Self.openUntilDone(try XCTUnwrap(link.url))
        let dom = try XCTUnwrap(page["dom"] as? String)
        XCTAssertEqual(page["timed_out"] as? Bool, false, "status never said done: \(dom.suffix(1500))\nserver log:\n\(server.log)")
        XCTAssertEqual(page["errors"] as? [String], [], "script errors")
        XCTAssertTrue(dom.contains(#"<option value="loom-agent/math">math</option>"#), "the agents are listed: \(dom.prefix(2000))")
        let steps = try XCTUnwrap(Self.text(of: "steps", in: dom), dom)
        XCTAssertTrue(steps.contains("plan:") && steps.contains("evaluate"), "steps: \(steps)\nserver log:\n\(server.log)")
        let answer = try XCTUnwrap(Self.text(of: "answer", in: dom), dom)
        XCTAssertTrue(answer.contains("1890"), "answer: \(answer)")  // 45 · 6 · 7
        let status = try XCTUnwrap(Self.text(of: "status", in: dom), dom)
        XCTAssertTrue(status.hasPrefix("done; trace "), status)
        let trace = String(status.dropFirst("done; trace ".count))
        let name = try XCTUnwrap(trace.split(separator: "/").last.map(String.init))
        XCTAssertTrue(FileManager.default.fileExists(atPath: trace), trace)
        XCTAssertTrue(dom.contains(">\(name)</button>"), "the run is listed")
        XCTAssertTrue(dom.contains("srcdoc=") && dom.contains("Loom trace"), "and opened")
    }

    /// The page is done: its status says so and, when the run named a trace, the trace is shown.
    private static let runShown = #"(s => s.startsWith("done") && (!s.includes("trace") || document.getElementById("run").srcdoc.length > 0))(document.getElementById("status").textContent)"#

    /// Opens `url` in headless Chromium (`Python/browser_page.py`) until the page is done (`runShown`).
    private static func openUntilDone(_ url: URL) throws -> [String: Any] {
        let script = Repository.root.appendingPathComponent("Tests/LoomCLITests/Python/browser_page.py").path
        let env = CLIRunner(limit: 900, executable: URL(fileURLWithPath: "/usr/bin/env"))
        if try env.run(["python3", "-c", "import websocket"]).status != 0 {
            try TestModels.requirement("websocket-client is not importable by python3 on PATH (run scripts/install-test-deps.sh "
                                       + "and put $LOOM_HOME/venvs/test/bin first on PATH)")
        }
        let output = try env.run(["python3", script, url.absoluteString, "--seconds", "600",
                                  "--until", Self.runShown])
        guard output.status == 0, let page = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] else {
            throw ServeFailure(message: "browser_page.py failed: \(output.stdout)\n\(output.stderr)")
        }
        return page
    }

    /// The text inside the element with this id (`<pre id="answer">…</pre>`), entities left as they are.
    private static func text(of id: String, in dom: String) -> String? {
        guard let open = dom.range(of: "id=\"\(id)\""), let start = dom[open.upperBound...].firstIndex(of: ">"),
              let end = dom[start...].range(of: "</") else { return nil }
        return String(dom[dom.index(after: start)..<end.lowerBound])
    }
}
