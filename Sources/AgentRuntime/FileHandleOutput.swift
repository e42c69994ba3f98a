import Foundation

/// Writes text to the process's standard streams without buffering surprises.
public enum FileHandleOutput {
    /// Writes to standard error.
    public static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes to standard output and flushes, so streamed tokens appear at once.
    public static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
