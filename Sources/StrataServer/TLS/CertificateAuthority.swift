import Crypto
import Foundation
import SwiftASN1
import X509

/// The server's own certificate authority (ECDSA P-256), kept in `DATA/tls/`: it signs the server's TLS
/// certificate (when no operator certificate is configured) and the client certificates agents obtain at
/// enrollment for mutual TLS. The CA key never leaves the data directory (mode 0600).
public struct CertificateAuthority: Sendable {
    /// The CA certificate.
    public let certificate: Certificate
    let key: Certificate.PrivateKey
    /// Where the CA certificate's PEM file is (the trust root for agents and clients).
    public let certificatePath: String

    /// Loads the CA from `directory`, creating it on first use.
    public static func loadOrCreate(directory: String) throws -> CertificateAuthority {
        let certificatePath = directory + "/ca.pem"
        let keyPath = directory + "/ca-key.pem"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        if FileManager.default.fileExists(atPath: certificatePath) {
            let certificate = try Certificate(pemEncoded: try String(contentsOfFile: certificatePath, encoding: .utf8))
            let key = try Certificate.PrivateKey(pemEncoded: try String(contentsOfFile: keyPath, encoding: .utf8))
            return CertificateAuthority(certificate: certificate, key: key, certificatePath: certificatePath)
        }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName {
            OrganizationName("Strata")
            CommonName("Strata CA \(Secrets.randomText(length: 8))")
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: key)
        try write(try key.serializeAsPEM().pemString, to: keyPath, mode: 0o600)
        try write(try certificate.serializeAsPEM().pemString, to: certificatePath, mode: 0o644)
        return CertificateAuthority(certificate: certificate, key: key, certificatePath: certificatePath)
    }

    /// The server certificate and key files in `directory` for `hosts` (DNS names or IP addresses),
    /// issued now unless files for the same hosts exist and stay valid for more than 30 days.
    public func serverCertificate(directory: String, hosts: [String]) throws -> (certificatePath: String, keyPath: String) {
        let certificatePath = directory + "/server.pem"
        let keyPath = directory + "/server-key.pem"
        let hostsPath = directory + "/server.hosts"
        let wanted = hosts.joined(separator: "\n")
        if let existing = try? Certificate(pemEncoded: String(contentsOfFile: certificatePath, encoding: .utf8)),
           existing.notValidAfter > Date().addingTimeInterval(30 * 86_400),
           (try? String(contentsOfFile: hostsPath, encoding: .utf8)) == wanted {
            return (certificatePath, keyPath)
        }
        let serverKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let names = hosts.map { host -> GeneralName in
            if let address = IPAddressBytes(host) { return .ipAddress(ASN1OctetString(contentBytes: address[...])) }
            return .dnsName(host)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: serverKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(397 * 86_400),
            issuer: self.certificate.subject, subject: try DistinguishedName { CommonName(hosts.first ?? "strata") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: key)
        try Self.write(try serverKey.serializeAsPEM().pemString, to: keyPath, mode: 0o600)
        try Self.write(try certificate.serializeAsPEM().pemString, to: certificatePath, mode: 0o644)
        try Self.write(wanted, to: hostsPath, mode: 0o644)
        return (certificatePath, keyPath)
    }

    /// Signs an agent's certificate signing request: subject CN = `agentID`, client authentication only,
    /// valid for a year. Returns the PEM and the SHA-256 fingerprint (hex) of its DER form.
    public func issueAgentCertificate(csrPEM: String, agentID: String) throws(CertificateRequestError) -> (pem: String, fingerprint: String) {
        let request: CertificateSigningRequest
        do {
            request = try CertificateSigningRequest(pemEncoded: csrPEM)
        } catch {
            throw CertificateRequestError(reason: "csr is not a PEM certificate signing request: \(error)")
        }
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw CertificateRequestError(reason: "the csr's signature does not match its key")
        }
        do {
            let now = Date()
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: request.publicKey,
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(365 * 86_400),
                issuer: self.certificate.subject, subject: try DistinguishedName { CommonName(agentID) },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.clientAuth])
                },
                issuerPrivateKey: key)
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return (try certificate.serializeAsPEM().pemString, Self.fingerprint(der: serializer.serializedBytes))
        } catch {
            throw CertificateRequestError(reason: "cannot issue a certificate for this csr: \(error)")
        }
    }

    /// SHA-256 of DER bytes as lowercase hex: how issued certificates are recognised and revoked.
    public static func fingerprint(der: [UInt8]) -> String {
        Secrets.sha256Hex(der)
    }

    static func write(_ text: String, to path: String, mode: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

/// Why a certificate signing request was refused.
public struct CertificateRequestError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with it.
    public var reason: String
    public var description: String { reason }
}

/// The bytes of a literal IPv4 or IPv6 address, for a certificate's subject alternative names.
func IPAddressBytes(_ text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    return nil
}
