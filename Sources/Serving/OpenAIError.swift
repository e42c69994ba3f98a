import AgentCore
import Foundation
import Hummingbird

/// An error answered in the OpenAI error shape: `{"error": {"message", "type", "param", "code"}}`.
public struct OpenAIError: Error, HTTPResponseError, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// OpenAI's error type (`invalid_request_error`, `authentication_error`, …).
    public var type: String
    /// A machine-readable code (`model_not_found`, …), if any.
    public var code: String?
    /// The request field at fault, if any.
    public var param: String?
    /// What went wrong, for a person.
    public var message: String

    /// Creates an error.
    public init(status: HTTPResponse.Status, type: String, code: String? = nil, param: String? = nil, message: String) {
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.message = message
    }

    public var description: String { "\(status.code) \(type)\(code.map { " (\($0))" } ?? ""): \(message)" }

    /// A 400 about the request's content.
    public static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, type: "invalid_request_error", code: code, param: param, message: message)
    }

    /// The error as JSON.
    public var json: JSONValue {
        ["error": ["message": .string(message), "type": .string(type),
                   "param": param.map(JSONValue.string) ?? .null, "code": code.map(JSONValue.string) ?? .null]]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(json, status: status)
    }
}

/// Turns every error a route throws into the OpenAI error shape, so a client always gets JSON it can
/// read: Hummingbird's own (404 for an unknown path, 413 for a body over the limit) and Loom's.
///
/// Chat completions watch their connection for the client going away, which ends the connection
/// after the response; their responses say `Connection: close`, so that no client sends its next
/// request on a connection that is closing.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let log: @Sendable (String) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await respond(request, context: context, next: next)
        if request.uri.path.hasSuffix("/chat/completions") { response.headers[.connection] = "close" }
        return response
    }

    private func respond(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OpenAIError {
            return JSONResponse.make(error.json, status: error.status)
        } catch let error as HTTPResponseError {
            return JSONResponse.make(Self.translate(error.status, path: request.uri.path).json, status: error.status)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            log("internal error on \(request.uri.path): \(error)")
            let failure = OpenAIError(status: .internalServerError, type: "server_error", message: "internal error: \(error)")
            return JSONResponse.make(failure.json, status: failure.status)
        }
    }

    /// The OpenAI error for a status that Hummingbird chose.
    static func translate(_ status: HTTPResponse.Status, path: String) -> OpenAIError {
        switch status.code {
        case 404: return OpenAIError(status: status, type: "invalid_request_error", code: "unknown_url", message: "no route \(path)")
        case 405: return OpenAIError(status: status, type: "invalid_request_error", message: "method not allowed on \(path)")
        case 413: return OpenAIError(status: status, type: "invalid_request_error", code: "request_too_large",
                                     message: "the request body is larger than this server accepts")
        default: return OpenAIError(status: status, type: status.code >= 500 ? "server_error" : "invalid_request_error",
                                    message: status.reasonPhrase)
        }
    }
}

/// JSON responses.
enum JSONResponse {
    /// A response whose body is `value` as compact JSON.
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: value.compactText)))
    }
}
