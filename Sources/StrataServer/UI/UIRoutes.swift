import HTTPTypes
import Hummingbird
import NIOCore

/// The web UI (docs/ui.md): `GET /` answers its page and `GET /ui/{path}` its scripts, styles and images, without
/// credentials (the page logs in through `POST /api/v1/sessions`; every API call it makes is checked as any other).
/// Every answer carries a content security policy that allows only this origin's scripts, styles and connections.
struct UIRoutes {
    let files: WebFiles

    /// Scripts, styles, images and connections only from this origin; no frames, no plugins, no inline script.
    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
            + "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "same-origin"),
    ]

    /// `/` goes on the router itself (a group's empty path would not match it); the table still lists it.
    func register(on router: Router<StrataRequestContext>, table: RouteTable, assets: SecuredGroup) {
        table.add(RouteRule(method: .get, path: "/", requirement: .none))
        router.get("/") { request, _ in serve("index.html", request) }
        assets.get("**", .none) { request, context in
            serve(context.parameters.getCatchAll().joined(separator: "/"), request)
        }
    }

    func serve(_ path: String, _ request: Request) -> Response {
        guard let file = files.read(path) else {
            if path == "index.html" { return Self.missing(files.directory) }
            return Self.response(.notFound, "text/plain; charset=utf-8", Array("no file \(path.prefix(100)) in the web UI\n".utf8), etag: nil)
        }
        if request.headers[.ifNoneMatch] == file.etag { return Self.response(.notModified, file.contentType, [], etag: file.etag) }
        return Self.response(.ok, file.contentType, file.bytes, etag: file.etag)
    }

    static func response(_ status: HTTPResponse.Status, _ type: String, _ bytes: [UInt8], etag: String?) -> Response {
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache"]
        for (name, value) in securityHeaders { headers[name] = value }
        if let etag { headers[.eTag] = etag }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `/` when the UI's files are nowhere to be found: what to do about it, as a page.
    static func missing(_ directory: String?) -> Response {
        let where_ = directory.map { "The configured directory \($0) has no index.html." }
            ?? "No web/ directory was found beside the binary (../share/strata/web) or in the source tree it was built from."
        let page = """
            <!doctype html><meta charset="utf-8"><title>Strata</title>
            <h1>Strata is running</h1><p>The web UI's files are missing. \(where_)</p>
            <p>Set <code>ui_directory</code> in the configuration file or <code>STRATA_UI</code> to the <code>web</code> directory of
            a Strata checkout or installation. The API answers under <code>/api/v1</code> (docs/api.md).</p>
            """
        return response(.ok, "text/html; charset=utf-8", Array(page.utf8), etag: nil)
    }
}
