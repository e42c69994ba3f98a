import Foundation
import TestSupport
import XCTest

/// `loom eval --compare`: two saved reports compared question by question, and its usage errors.
final class EvalCompareCommandTests: XCTestCase {
    func testTwoSavedReportsAreComparedQuestionByQuestion() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loom-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func report(_ passed: [Bool]) -> String {
            let results = passed.enumerated().map { index, pass in
                #"{"id": "q\#(index + 1)", "category": "c", "agent": "math", "expected": "1", "answer": "1", "passed": \#(pass), "#
                    + #""seconds": 1, "toolCalls": 1, "modelCalls": 1, "generatedTokens": 1, "unparseable": 0}"#
            }
            return #"{"total": \#(passed.count), "passed": 0, "unparseable": 0, "errors": 0, "byCategory": {}, "results": ["#
                + results.joined(separator: ", ") + "]}"
        }
        let a = directory.appendingPathComponent("a.json").path
        let b = directory.appendingPathComponent("b.json").path
        try report([false, false, false, false, false, true]).write(toFile: a, atomically: true, encoding: .utf8)
        try report([true, true, true, true, true, true]).write(toFile: b, atomically: true, encoding: .utf8)
        let output = try CLIRunner().run(["eval", "--compare", a, b])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.stdout, """
            6 questions in both runs
            \(a): 1/6 (16.7 %, 95 % CI 3.0–56.4 %)
            \(b): 6/6 (100.0 %, 95 % CI 61.0–100.0 %)
            fixed in \(b) (failed in \(a)): 5 — q1, q2, q3, q4, q5
            broken in \(b) (passed in \(a)): 0
            exact McNemar test on the 5 flips: p = 0.0625

            """)
    }

    func testCompareNeedsTwoReportsThatExist() throws {
        let one = try CLIRunner().run(["eval", "--compare", "a.json"])
        XCTAssertEqual(one.status, 64)
        XCTAssertTrue(one.stderr.hasPrefix("Error: --compare takes two reports: RUN_A.json RUN_B.json\n"), one.stderr)
        let missing = try CLIRunner().run(["eval", "--compare", "/nonexistent/a.json", "/nonexistent/b.json"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.stderr, "loom eval: /nonexistent/a.json: cannot read the file\n")
        let none = try CLIRunner().run(["eval"])
        XCTAssertEqual(none.status, 64)
        XCTAssertTrue(none.stderr.hasPrefix("Error: Missing expected argument '<file>'\n"), none.stderr)
    }
}
