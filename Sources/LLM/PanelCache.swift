import Foundation
import GGUF
import Kernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A model's repacked weight panels saved on disk, so that the next process maps them in instead of
/// repacking (repacking the 1.5B model's q4_K matrices takes seconds; mapping the file takes
/// milliseconds, and its pages are shared with every other process using the same model).
///
/// One file per model, `<hash>.panels` in `directory`, keyed by the model's identity (its sha256, or
/// its path, size and modification time) and the panel layout (`formatVersion` and the kernels that
/// read it). Layout (little-endian):
/// 1. magic `LOOMPNL\0` (8 bytes), format version (u32), header length h (u32), header checksum (u64);
/// 2. the header, h bytes of JSON: the identity, and for each matrix its name, shape, offset, length
///    and the checksum of its bytes;
/// 3. the panels, each at a 4096-byte aligned offset.
///
/// A file that is truncated, corrupt (every matrix's checksum is checked at load, on two threads), of
/// another format, model or layout, or that lacks a matrix the model has, is never used: `load`
/// reports why and removes it, and the caller repacks and writes it again. Files are written to a
/// temporary name and renamed into place, so two processes writing at once each leave a whole file.
/// The directory is kept under `capacityBytes` by removing the least recently used files.
public final class PanelCache: @unchecked Sendable {
    /// Bumped whenever the file layout or the panel layout changes.
    public static let formatVersion: UInt32 = 1
    /// The default bound on the directory's size: 4 GB (the 1.5B model's panels take 0.9 GB).
    public static let defaultCapacityBytes: Int64 = 4_000_000_000
    static let fileExtension = "panels"
    static let magic: [UInt8] = Array("LOOMPNL\0".utf8)
    static let fixedBytes = 24
    static let alignment = 4096

    /// Where the files live.
    public let directory: URL
    /// The most bytes the files may take together.
    public let capacityBytes: Int64
    /// The model's identity (its sha256, or another stable description of the file).
    public let modelIdentity: String
    /// Writes a whole file from its parts (replaceable in tests, to simulate a full disk).
    let writeFile: @Sendable (_ path: String, _ parts: [UnsafeRawBufferPointer]) throws -> Void

    /// One matrix to find in (or save to) the cache.
    public struct Matrix {
        /// Its tensor name.
        public var name: String
        /// Its shape.
        public var rows: Int, cols: Int
        /// Creates a description.
        public init(name: String, rows: Int, cols: Int) {
            self.name = name
            self.rows = rows
            self.cols = cols
        }
    }

    /// What `load` found.
    public enum LoadResult {
        /// The file holds every matrix asked for: their panels, by name, inside its mapping.
        case hit([String: Q4KPanels])
        /// There is no file for this model.
        case miss
        /// There was a file, but it cannot be trusted (why); it was removed.
        case rejected(String)
    }

    /// Creates a cache over `directory` (made on first write).
    public convenience init(directory: URL, capacityBytes: Int64 = PanelCache.defaultCapacityBytes, modelIdentity: String) {
        self.init(directory: directory, capacityBytes: capacityBytes, modelIdentity: modelIdentity,
                  writeFile: PanelCache.posixWrite)
    }

    init(directory: URL, capacityBytes: Int64, modelIdentity: String,
         writeFile: @escaping @Sendable (String, [UnsafeRawBufferPointer]) throws -> Void) {
        self.directory = directory
        self.capacityBytes = capacityBytes
        self.modelIdentity = modelIdentity
        self.writeFile = writeFile
    }

    /// The identity a file must carry: the model's, the format's and the kernels' that read it.
    var identity: String {
        "\(modelIdentity)\nformat \(Self.formatVersion), q4_K x8 panels, kernels \(Kernels.simdEnabled ? "avx2" : "portable")"
    }

    /// This model's file.
    public var file: URL {
        let name = Array(identity.utf8).withUnsafeBytes { raw in
            String(format: "%016llx%016llx", PromptCache.checksum(raw, seed: 1), PromptCache.checksum(raw, seed: 2))
        }
        return directory.appendingPathComponent(name + "." + Self.fileExtension)
    }

    /// The header's JSON.
    struct Header: Codable {
        struct Entry: Codable {
            var name: String
            var rows: Int
            var cols: Int
            var offset: Int
            var bytes: Int
            var checksum: UInt64
        }
        var identity: String
        var matrices: [Entry]
    }

    // MARK: - Loading

    /// Maps this model's file and returns the panels of `matrices` inside it (see `LoadResult`).
    public func load(_ matrices: [Matrix]) -> LoadResult {
        let path = file.path
        guard FileManager.default.fileExists(atPath: path) else { return .miss }
        do {
            let mapping = try MappedFile(path: path)
            let panels = try Self.read(mapping, identity: identity, matrices: matrices)
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
            return .hit(panels)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            return .rejected((error as? CacheRejection)?.reason ?? String(describing: error))
        }
    }

    private static func read(_ mapping: MappedFile, identity: String, matrices: [Matrix]) throws -> [String: Q4KPanels] {
        guard let base = mapping.base, mapping.size >= fixedBytes else { throw CacheRejection("it is shorter than its header") }
        let raw = UnsafeRawBufferPointer(start: base, count: mapping.size)
        guard Array(raw[0..<8]) == magic else { throw CacheRejection("it is not a panel cache file") }
        let version = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == formatVersion else { throw CacheRejection("it has format \(version), not \(formatVersion)") }
        let headerBytes = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        guard fixedBytes + headerBytes <= raw.count else { throw CacheRejection("it is truncated inside its header") }
        let headerRaw = UnsafeRawBufferPointer(rebasing: raw[fixedBytes ..< fixedBytes + headerBytes])
        let headerChecksum = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        guard PromptCache.checksum(headerRaw) == headerChecksum else { throw CacheRejection("its header checksum does not match") }
        let header = try JSONDecoder().decode(Header.self, from: Data(headerRaw))
        guard header.identity == identity else { throw CacheRejection("it was written for another model or layout") }
        let entries = Dictionary(header.matrices.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var wanted: [Header.Entry] = []
        for matrix in matrices {
            guard let entry = entries[matrix.name], entry.rows == matrix.rows, entry.cols == matrix.cols,
                  entry.bytes == Q4KPanels.byteCount(rows: matrix.rows, cols: matrix.cols) else {
                throw CacheRejection("it has no panels of the right shape for \(matrix.name)")
            }
            guard entry.offset >= 0, entry.offset % alignment == 0, entry.offset <= raw.count - entry.bytes else {
                throw CacheRejection("it is truncated (\(matrix.name) ends past its end)")
            }
            wanted.append(entry)
        }
        // Every byte that will be used is checked, on two threads, largest matrices first.
        let order = wanted.sorted { $0.bytes > $1.bytes }
        let next = ManagedCounter(), failed = ManagedCounter()
        let start = UInt(bitPattern: base)  // an address: the mapping outlives the loop
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            while true {
                let i = next.increment()
                guard i < order.count, failed.value == 0 else { return }
                let entry = order[i]
                let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: start + UInt(entry.offset)), count: entry.bytes)
                if PromptCache.checksum(bytes) != entry.checksum { _ = failed.increment() }
            }
        }
        guard failed.value == 0 else { throw CacheRejection("a matrix's checksum does not match") }
        var panels: [String: Q4KPanels] = [:]
        for entry in wanted {
            guard let matrix = Q4KPanels(mapped: base + entry.offset, rows: entry.rows, cols: entry.cols, owner: mapping) else {
                throw CacheRejection("\(entry.name) cannot be mapped")
            }
            panels[entry.name] = matrix
        }
        return panels
    }

    // MARK: - Storing

    /// Writes `panels` (by matrix name) as this model's file, then trims the directory to its capacity.
    /// - Throws: the file system's error (a full disk, say); nothing partial is left behind.
    public func store(_ panels: [(name: String, panels: Q4KPanels)]) throws {
        var entries: [Header.Entry] = []
        var offset = 0
        for (name, matrix) in panels {
            entries.append(Header.Entry(name: name, rows: matrix.rows, cols: matrix.cols, offset: offset,
                                        bytes: matrix.byteCount, checksum: PromptCache.checksum(matrix.bytes)))
            offset += (matrix.byteCount + Self.alignment - 1) / Self.alignment * Self.alignment
        }
        // The payload offsets are relative until the header's size is known; it is padded so that
        // the first matrix starts at an aligned offset that the header's own digits do not move.
        var json = try JSONEncoder().encode(Header(identity: identity, matrices: entries))
        let start = (Self.fixedBytes + json.count + 64 + Self.alignment - 1) / Self.alignment * Self.alignment
        for index in entries.indices { entries[index].offset += start }
        json = try JSONEncoder().encode(Header(identity: identity, matrices: entries))
        guard Self.fixedBytes + json.count <= start else { throw LLMError.invalidArgument("panel cache header does not fit") }
        var head = [UInt8](repeating: 0, count: start)
        head.replaceSubrange(0..<8, with: Self.magic)
        withUnsafeBytes(of: Self.formatVersion.littleEndian) { head.replaceSubrange(8..<12, with: $0) }
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { head.replaceSubrange(12..<16, with: $0) }
        let headerChecksum = json.withUnsafeBytes { PromptCache.checksum($0) }
        withUnsafeBytes(of: headerChecksum.littleEndian) { head.replaceSubrange(16..<24, with: $0) }
        head.replaceSubrange(Self.fixedBytes ..< Self.fixedBytes + json.count, with: json)

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let final = file.path
        let zeros = [UInt8](repeating: 0, count: Self.alignment)
        try head.withUnsafeBytes { headBytes in
            try zeros.withUnsafeBytes { padding in
                var parts = [headBytes]
                for (_, matrix) in panels {
                    parts.append(matrix.bytes)
                    let pad = (Self.alignment - matrix.byteCount % Self.alignment) % Self.alignment
                    if pad > 0 { parts.append(UnsafeRawBufferPointer(rebasing: padding[0..<pad])) }
                }
                try CacheFiles.writeWhole(final, parts: parts, with: writeFile)
            }
        }
        CacheFiles.trim(directory, fileExtension: Self.fileExtension, capacityBytes: capacityBytes, keeping: final)
    }

    // MARK: - The directory

    /// The files in `directory`, most recently used first: path, size and last use.
    public static func list(directory: URL) -> [(path: String, bytes: Int64, lastUsed: Date)] {
        CacheFiles.list(directory, fileExtension: fileExtension).map { ($0.path, $0.bytes, $0.lastUsed) }
    }

    /// Removes every file (and any temporary file) in `directory`; returns how many files and bytes.
    @discardableResult
    public static func clear(directory: URL) throws -> (files: Int, bytes: Int64) {
        let files = list(directory: directory)
        for file in files { try FileManager.default.removeItem(atPath: file.path) }
        CacheFiles.removeTemporaries(directory, fileExtension: fileExtension, onlyStale: false)
        return (files.count, files.reduce(0) { $0 + $1.bytes })
    }

    /// Writes the parts, in order, to a new file at `path` with POSIX calls.
    static let posixWrite: @Sendable (String, [UnsafeRawBufferPointer]) throws -> Void = { try CacheFiles.posixWrite($0, $1) }
}

/// A counter shared by the threads that check a file.
private final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    /// Returns the value before adding one.
    func increment() -> Int { lock.withLock { defer { count += 1 }; return count } }
}
