import Foundation

/// Collects the lines a component logs (warnings about ignored cache files, failed saves), from any thread.
public final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    /// An empty log.
    public init() {}

    /// Appends a line.
    public func add(_ line: String) { lock.withLock { lines.append(line) } }

    /// The lines so far, in order.
    public var all: [String] { lock.withLock { lines } }
}
