/// Loom's version, reported by `loom --version` and written into every trace header.
public enum LoomVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"
}
