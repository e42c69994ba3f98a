import AgentCore
import Foundation
import Orchestrator
import TestSupport
import Traces
import XCTest

/// The real recorded runs under examples/traces/ (the real model, the real plugins) replay offline:
/// same decisions, same answer, no model and no plugin running.
final class ExampleTraceTests: XCTestCase {
    func testEveryExampleTraceReplaysOfflineWithoutDivergence() async throws {
        let directory = Repository.root.appendingPathComponent("examples/traces")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        XCTAssertFalse(files.isEmpty, "no example traces in \(directory.path)")
        for file in files {
            let trace = try TraceReader.read(path: directory.appendingPathComponent(file).path)
            XCTAssertTrue(trace.isComplete, file)
            XCTAssertNotEqual(trace.header.model.name, "scripted", "\(file) must come from a real model")
            let report = await Replayer.replay(trace, mode: .offline, run: Recording.rerun(trace))
            XCTAssertTrue(report.matched, "\(file): \(report.divergence?.description ?? report.runError ?? "")")
            XCTAssertEqual(report.answer, trace.answer, file)
        }
    }
}
