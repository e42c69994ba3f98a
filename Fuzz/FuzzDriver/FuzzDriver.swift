import CLibFuzzer
import Foundation

/// Runs a libFuzzer target: each fuzz target's `main.swift` defines `LLVMFuzzerTestOneInput` and hands it
/// to `FuzzDriver.run`, which passes the command line (libFuzzer's flags, corpus directories) to libFuzzer.
///
/// A target signals a bug by trapping (`precondition`, a Swift runtime check) or through AddressSanitizer;
/// libFuzzer then writes the input to a `crash-*` file and exits non-zero.
public enum FuzzDriver {
    /// The signature of `LLVMFuzzerTestOneInput`.
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Hands the process to libFuzzer; never returns.
    public static func run(_ test: TestOneInput) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
    }

    /// The input as an array (empty for a null pointer).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let data, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: count))
    }

    /// Traps with `message` when `condition` is false: a property the target checks, kept in every build.
    public static func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fatalError("fuzz property violated: \(message())") }
    }
}
