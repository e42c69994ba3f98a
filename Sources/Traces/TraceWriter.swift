import AgentCore
import Foundation

/// Writes a trace file: one JSON line per event, each written with a single `write(2)` as it happens,
/// so a run killed at any moment (even by SIGKILL) leaves every earlier line intact.
public actor FileTraceSink: TraceSink {
    /// Where the trace goes.
    public nonisolated let path: String
    private let handle: FileHandle
    private let clock: any RunClock
    private let start: Double
    private var seq = 0
    /// The first write error, if any (recording never throws into the run).
    public private(set) var writeError: String?

    /// Creates (or replaces) the file at `path`, creating its directory.
    public init(path: String, clock: any RunClock = SystemClock()) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw TraceError.io(path: path, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw TraceError.io(path: path, reason: "cannot create the trace file")
        }
        self.path = path
        self.handle = handle
        self.clock = clock
        start = clock.now()
    }

    /// Writes one event as one line.
    public func record(_ event: Trace.Event) async {
        let record = TraceRecord(seq: seq, elapsed: clock.now() - start, event: event)
        seq += 1
        do {
            try handle.write(contentsOf: Data((try record.line() + "\n").utf8))
        } catch {
            if writeError == nil { writeError = "\(path): \(error.localizedDescription)" }
        }
    }

    /// Closes the file.
    public func close() {
        try? handle.close()
    }
}
