import Foundation
import NIOSSL

/// The server's TLS: its certificate (the operator's files, or one issued by the server's own CA), and for
/// mutual TLS the CA that client certificates must chain to. Client certificates are verified when
/// presented (`optionalVerification`), so agents can enroll before they have one; whether an agent
/// must present one is decided per request (`mtls: required`).
public struct TLSSetup: Sendable {
    /// What NIOSSL serves with.
    let configuration: TLSConfiguration
    /// The server's CA, present for `tls: auto` and whenever mutual TLS is on (it issues agent certificates).
    public let authority: CertificateAuthority?
    /// `off`, `optional` or `required`.
    let mutualTLS: String

    /// The TLS setup `configuration` asks for, or nil for plain HTTP.
    static func make(_ configuration: ServerConfiguration) throws -> TLSSetup? {
        guard configuration.tls != "off" else { return nil }
        let directory = configuration.dataDirectory + "/tls"
        var authority: CertificateAuthority?
        if configuration.tls == "auto" || configuration.mutualTLS != "off" {
            authority = try CertificateAuthority.loadOrCreate(directory: directory)
        }
        let certificatePath: String
        let keyPath: String
        if configuration.tls == "files", let certificate = configuration.tlsCertificateFile, let key = configuration.tlsKeyFile {
            (certificatePath, keyPath) = (certificate, key)
        } else if let authority {
            var hosts = ["localhost", "127.0.0.1", "::1", ProcessInfo.processInfo.hostName]
            if !["0.0.0.0", "::", "localhost", "127.0.0.1", "::1"].contains(configuration.host) { hosts.append(configuration.host) }
            hosts += configuration.tlsHosts
            var seen = Set<String>()
            (certificatePath, keyPath) = try authority.serverCertificate(directory: directory, hosts: hosts.filter { seen.insert($0).inserted })
        } else {
            return nil
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        if configuration.mutualTLS != "off", let authority {
            tls.certificateVerification = .optionalVerification
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authority.certificatePath))
        }
        return TLSSetup(configuration: tls, authority: authority, mutualTLS: configuration.mutualTLS)
    }
}
