import CGiacShim
import Foundation
import XCTest

/// The shim's own guarantees, below the plugin's name checks: an evaluation runs in a child process
/// that cannot open files, is killed at its time limit, and reports each failure with its status.
final class GiacShimIsolationTests: XCTestCase {
    private func run(_ expression: String, limitMilliseconds: Int32 = 5000) -> (status: loom_giac_status, text: String) {
        var outcome = loom_giac_outcome()
        loom_giac_run(expression, limitMilliseconds, 1 << 20, &outcome)
        defer { loom_giac_outcome_free(&outcome) }
        return (outcome.status, outcome.exact.map { String(cString: $0) } ?? "")
    }

    func testEvaluationCannotReadFiles() throws {
        let path = "/etc/passwd"
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(contents.contains("root"), "the test needs a readable /etc/passwd")
        // Giac's secure mode lets read() through; the child's system-call filter makes the open fail.
        let (status, text) = run("read(\"\(path)\")")
        XCTAssertFalse(text.contains("root"), "the child read \(path): \(text)")
        XCTAssertTrue(status != LOOM_GIAC_OK || text == "undef", "status \(status.rawValue): \(text)")
    }

    func testEvaluationCannotCreateFiles() throws {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("calc-shim-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: target) }
        for expression in ["fopen(\"\(target)\")", "write(\"\(target)\",1)"] {
            let (status, text) = run(expression)
            XCTAssertNotEqual(status, LOOM_GIAC_OK, "\(expression): \(text)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
    }

    func testRunawayEvaluationIsKilledAndTheNextRuns() {
        let start = ContinuousClock.now
        let (status, _) = run("ifactor(nextprime(10^45)*nextprime(10^46))", limitMilliseconds: 1000)
        XCTAssertEqual(status, LOOM_GIAC_TIMEOUT)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(4))
        XCTAssertEqual(run("2^100").text, "1267650600228229401496703205376")
    }

    func testStatusesNameTheFailure() {
        XCTAssertEqual(run("2*(3+").status, LOOM_GIAC_SYNTAX_ERROR)
        let unknown = run("foo(3)")
        XCTAssertEqual(unknown.status, LOOM_GIAC_UNKNOWN_FUNCTION)
        XCTAssertEqual(unknown.text, "foo")
        XCTAssertEqual(run("inv([[1,2],[2,4]])").status, LOOM_GIAC_EVAL_ERROR)
    }

    func testTooLargeResultIsDropped() {
        var outcome = loom_giac_outcome()
        loom_giac_run("10^5000", 5000, 1000, &outcome)
        defer { loom_giac_outcome_free(&outcome) }
        XCTAssertEqual(outcome.status, LOOM_GIAC_TOO_LARGE)
    }
}
