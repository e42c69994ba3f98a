import CCurl
import Foundation

/// A small blocking JSON-over-HTTP client on libcurl, for `RemoteModel`: one request per call, TLS
/// checked against the system's roots, connect and total timeouts, and retries with exponential
/// backoff when the server is busy (429), failing (5xx) or unreachable.
struct RemoteHTTP: Sendable {
    /// An answer: status and body.
    struct Reply: Sendable {
        var status: Int
        var body: Data
    }

    /// Seconds to wait for a connection.
    var connectTimeout: Double = 10
    /// Seconds one request may take in all (a long generation included).
    var totalTimeout: Double = 600
    /// Further tries after a 429, a 5xx or a transfer failure.
    var retries: Int = 3
    /// Seconds before the first retry; doubled before each later one.
    var backoff: Double = 0.5

    /// libcurl's global state, set up once before the first handle.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Sends a request, retrying as configured; the last reply (any status) is returned.
    /// - Parameters:
    ///   - method: `GET` or `POST`.
    ///   - body: the JSON body of a POST.
    ///   - bearer: an API key for `Authorization: Bearer`.
    /// - Throws: `RemoteModelError.transfer` when no reply arrived after the last try,
    ///   `CancellationError` when the task is cancelled between tries.
    func send(_ method: String, url: String, body: Data? = nil, bearer: String?) async throws -> Reply {
        var delay = backoff
        var attempt = 0
        while true {
            try Task.checkCancellation()
            do {
                let reply = try perform(method, url: url, body: body, bearer: bearer)
                if (reply.status == 429 || reply.status >= 500) && attempt < retries {
                    attempt += 1
                    try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                    delay *= 2
                    continue
                }
                return reply
            } catch let error as RemoteModelError where attempt < retries {
                _ = error
                attempt += 1
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                delay *= 2
            }
        }
    }

    /// One request, on the calling thread.
    private func perform(_ method: String, url: String, body: Data?, bearer: String?) throws -> Reply {
        guard Self.initialized, let handle = curl_easy_init() else {
            throw RemoteModelError.transfer(url: url, message: "libcurl could not be initialized")
        }
        defer { curl_easy_cleanup(handle) }
        let received = Received()
        let retained = Unmanaged.passRetained(received)
        defer { retained.release() }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        var headers = curl_slist_append(nil, "Content-Type: application/json")
        headers = curl_slist_append(headers, "Accept: application/json")
        if let bearer { headers = curl_slist_append(headers, "Authorization: Bearer \(bearer)") }
        defer { curl_slist_free_all(headers) }
        let payload = [UInt8](body ?? Data())

        return try payload.withUnsafeBufferPointer { bytes in
            var codes: [CURLcode] = [
                loom_curl_setopt_string(handle, CURLOPT_URL, url),
                loom_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
                loom_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
                loom_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000)),
                loom_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(totalTimeout * 1000)),
                loom_curl_setopt_string(handle, CURLOPT_USERAGENT, "loom"),
                loom_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
                loom_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)),
                loom_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, retained.toOpaque()),
            ]
            if method == "POST" {
                codes.append(loom_curl_setopt_long(handle, CURLOPT_POST, 1))
                codes.append(loom_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
                codes.append(loom_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS,
                                                      UnsafeMutableRawPointer(mutating: bytes.baseAddress)))
            }
            codes.append(loom_curl_setopt_write_function(handle) { buffer, size, count, userdata in
                guard let userdata, let buffer else { return 0 }
                let received = Unmanaged<Received>.fromOpaque(userdata).takeUnretainedValue()
                received.data.append(UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: size * count)
                return size * count
            })
            if let failed = codes.first(where: { $0 != CURLE_OK }) {
                throw RemoteModelError.transfer(url: url, message: String(cString: curl_easy_strerror(failed)))
            }
            let code = curl_easy_perform(handle)
            guard code == CURLE_OK else {
                let detail = String(cString: errorBuffer)
                throw RemoteModelError.transfer(url: url, message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
            }
            var status = 0
            loom_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return Reply(status: status, body: received.data)
        }
    }

    /// The bytes of one reply, filled by the write callback on the thread running the transfer.
    private final class Received {
        var data = Data()
    }
}
