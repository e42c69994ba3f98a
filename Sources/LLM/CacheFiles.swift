import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File handling shared by the caches on disk (`PromptCache`, `PanelCache`): a directory of files
/// with one extension, written whole under a temporary name and renamed into place, bounded in size
/// by removing the least recently used (modification time) first.
enum CacheFiles {
    /// One file of a cache directory.
    struct File {
        var path: String
        var bytes: Int64
        var lastUsed: Date
    }

    /// The files named `*.<fileExtension>` in `directory`, most recently used first.
    static func list(_ directory: URL, fileExtension: String) -> [File] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix("." + fileExtension) }.compactMap { name in
            let path = directory.appendingPathComponent(name).path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
            return File(path: path, bytes: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                        lastUsed: attributes[.modificationDate] as? Date ?? .distantPast)
        }.sorted { $0.lastUsed > $1.lastUsed }
    }

    /// Removes the temporary files in `directory` (of files `*.<fileExtension>`), all of them or only
    /// those not written for an hour (left by a process that died while writing).
    static func removeTemporaries(_ directory: URL, fileExtension: String, onlyStale: Bool) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.contains(".\(fileExtension).tmp-") {
            let path = directory.appendingPathComponent(name).path
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            if !onlyStale || (modified.map { $0.timeIntervalSinceNow < -3600 } ?? false) {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// Removes the least recently used files until the directory fits `capacityBytes` (never
    /// `keeping`), and stale temporary files.
    static func trim(_ directory: URL, fileExtension: String, capacityBytes: Int64, keeping: String) {
        var files = list(directory, fileExtension: fileExtension)
        var total = files.reduce(0) { $0 + $1.bytes }
        while total > capacityBytes, let oldest = files.last {
            files.removeLast()
            guard oldest.path != keeping else { continue }
            if (try? FileManager.default.removeItem(atPath: oldest.path)) != nil { total -= oldest.bytes }
        }
        removeTemporaries(directory, fileExtension: fileExtension, onlyStale: true)
    }

    /// Writes `parts` through `write` to a temporary file beside `path`, then renames it to `path`;
    /// on any error the temporary file is removed and the error rethrown.
    static func writeWhole(_ path: String, parts: [UnsafeRawBufferPointer],
                           with write: (String, [UnsafeRawBufferPointer]) throws -> Void) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        do {
            try write(temporary, parts)
            guard rename(temporary, path) == 0 else { throw PromptCacheError.io(path: path, errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes the parts, in order, to a new file at `path` with POSIX calls.
    static func posixWrite(_ path: String, _ parts: [UnsafeRawBufferPointer]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PromptCacheError.io(path: path, errno: errno) }
        defer { close(fd) }
        for bytes in parts {
            var written = 0
            while written < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw PromptCacheError.io(path: path, errno: errno)
                }
                written += n
            }
        }
    }
}

/// Why a cache file is not used (it is then removed and rewritten).
struct CacheRejection: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
