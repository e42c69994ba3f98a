import Foundation
import TestSupport

/// Runs the built `loom` executable (or another program) and captures what it prints.
struct CLIRunner {
    /// Output of one run.
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Environment additions for every run (e.g. an isolated `LOOM_HOME`).
    var environment: [String: String] = [:]
    /// Seconds after which a run is stopped.
    var limit: Double = 120
    /// The program (default: the built `loom`).
    var executable = Repository.productsDirectory.appendingPathComponent("loom")

    /// Runs the program with `arguments`, stopped after `limit` seconds.
    func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "100"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let group = DispatchGroup()
        let outData = Collected(), errData = Collected()
        DispatchQueue.global().async(group: group) { outData.data = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
        if group.wait(timeout: .now() + limit) == .timedOut { process.terminate() }
        process.waitUntilExit()
        group.wait()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: outData.data, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self))
    }
}

/// Bytes read on another thread; the dispatch group orders the write before the read.
private final class Collected: @unchecked Sendable {
    var data = Data()
}
