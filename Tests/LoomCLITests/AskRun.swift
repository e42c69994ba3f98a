import Foundation
import TestSupport
import XCTest

/// One `loom ask --json --trace PATH` run as the end-to-end tests read it: the JSON report it printed and
/// the records of the trace it wrote.
struct AskRun {
    /// The report `--json` printed.
    let report: [String: Any]
    /// The trace's records, one object per line.
    let records: [[String: Any]]

    /// The report's answer ("" when it has none).
    var answer: String { report["answer"] as? String ?? "" }

    /// The calls of the trace's `tool_call` records.
    var toolCalls: [[String: Any]] {
        records.filter { $0["type"] as? String == "tool_call" }.compactMap { $0["call"] as? [String: Any] }
    }

    /// Runs `loom ask --json --trace trace` with `arguments` (agent, model, question …); fails the test
    /// when the command does not exit 0 or its output is not a report.
    static func run(_ cli: CLIRunner, _ arguments: [String], trace: URL,
                    file: StaticString = #filePath, line: UInt = #line) throws -> AskRun {
        let output = try cli.run(["ask", "--json", "--trace", trace.path] + arguments)
        XCTAssertEqual(output.status, 0, output.stderr, file: file, line: line)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
                                   output.stdout, file: file, line: line)
        let records = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").map { record in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any], file: file, line: line)
        }
        return AskRun(report: report, records: records)
    }
}
