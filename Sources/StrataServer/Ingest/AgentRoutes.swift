import Hummingbird
import NIOCore
import NIOSSL
import StrataCatalog
import StrataCore

/// The agent API, `/api/agent/v1`: enrollment (the enrollment token is exchanged for a per-agent
/// credential bound to the agent's platform) and batch upload with durable acknowledgement.
struct AgentRoutes {
    let pipeline: IngestPipeline
    let catalog: any Catalog
    let audit: AuditTrail
    let maxBatchBytes: Int
    let maxJSONBytes: Int
    /// Issues client certificates for mutual TLS; nil when the server has no CA.
    let authority: CertificateAuthority?
    /// `off`, `optional` or `required`.
    let mutualTLS: String

    struct EnrollRequest: Decodable {
        var agentId: String
        var platformKey: String
        var csr: String?
        /// The live credential of the agent that reports the platform now, to hand the platform over without
        /// an admin's approval (a reinstalled agent that kept its former credential file).
        var platformCredential: String?
    }

    func register(on group: SecuredGroup) {
        group.post("enroll", .enrollmentToken) { request, context in try await enroll(request: request, context: context) }
        group.post("batches", .agentCredential) { request, context in try await upload(request: request, context: context) }
    }

    /// 201 with a new credential (`sag_…`) bound to the agent id and the platform whose natural key is
    /// `platformKey`; earlier credentials of the agent stop working. 403 for a revoked or foreign agent id.
    func enroll(request: Request, context: StrataRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await StrictJSON.decode(EnrollRequest.self, from: request, allowedFields: ["agentId", "platformKey", "csr", "platformCredential"],
                                               limit: maxJSONBytes, example: #"{"agentId": "0f3c…", "platformKey": "machine-id:…"}"#)
        guard (1...64).contains(body.agentId.count),
              body.agentId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw APIError.badData("agentId must be 1 to 64 letters, digits, '-' or '_'")
        }
        guard (1...512).contains(body.platformKey.utf8.count) else { throw APIError.badData("platformKey must be 1 to 512 bytes") }
        let platformID = StableID.resource(tenant: principal.tenantID, kind: .platform, key: body.platformKey).description
        var issued: (pem: String, fingerprint: String)?
        if let csr = body.csr {
            guard let authority else { throw APIError.badData("this server issues no client certificates: set tls to auto and mtls to optional or required") }
            do {
                issued = try authority.issueAgentCertificate(csrPEM: csr, agentID: body.agentId)
            } catch {
                throw APIError.badData(error.description)
            }
        }
        let credential = Secrets.newToken(prefix: "sag")
        let now = Time.nowMs()
        do {
            _ = try await catalog.enrollAgent(tenantID: principal.tenantID, agentID: body.agentId, platformID: platformID,
                                              tokenHash: Secrets.hashToken(credential),
                                              holderCredentialHash: body.platformCredential.map(Secrets.hashToken), nowMs: now)
        } catch EnrollmentError.awaitingApproval(let discoveryID) {
            await audit.record(principal, "agent.enroll", target: "agent:\(body.agentId)", outcome: "pending",
                               detail: "platform \(platformID) is bound to another credential; discovery \(discoveryID) awaits an admin",
                               remote: context.remoteAddress, nowMs: now)
            return Envelope.success(["pending": .bool(true), "discoveryId": .int(discoveryID),
                                     "message": .string(EnrollmentError.awaitingApproval(discoveryID: discoveryID).description)],
                                    status: .accepted)
        } catch let error as EnrollmentError {
            await audit.record(principal, "agent.enroll", target: "agent:\(body.agentId)", outcome: "denied", detail: error.description,
                               remote: context.remoteAddress, nowMs: now)
            throw APIError.forbidden(error.description)
        }
        if let issued {
            _ = try await catalog.createToken(NewToken(tenantID: principal.tenantID, userID: nil, kind: .certificate,
                                                       name: "certificate of agent \(body.agentId)", tokenHash: issued.fingerprint,
                                                       agentID: body.agentId, platformID: platformID,
                                                       expiresMs: now + 365 * 86_400_000), nowMs: now)
        }
        await audit.record(principal, "agent.enroll", target: "agent:\(body.agentId)",
                           detail: "platform \(platformID)" + (issued.map { ", client certificate sha256 \($0.fingerprint)" } ?? ""),
                           remote: context.remoteAddress, nowMs: now)
        var answer: [(String, JSON)] = [("credential", .string(credential)), ("agentId", .string(body.agentId)),
                                        ("platformId", .string(platformID))]
        if let issued, let authority {
            answer.append(("certificate", .string(issued.pem)))
            answer.append(("caCertificate", .string((try? authority.certificate.serializeAsPEM().pemString) ?? "")))
        }
        return Envelope.success(.object(answer), status: .created)
    }

    /// 200 with the stored sequence once durable; 409 for a sequence already stored; 400 for a body that
    /// does not decode; 403 for a batch of another agent or outside the agent's platform; 413 above `maxBatchBytes`.
    func upload(request: Request, context: StrataRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let buffer: ByteBuffer
        do {
            buffer = try await BodyReader.collect(request, limit: maxBatchBytes)
        } catch is BodyTooLarge {
            throw APIError.tooLarge("batch larger than \(maxBatchBytes) bytes; lower the agent's batch size")
        }
        let batch: AgentBatch
        do {
            batch = try BatchCodec.decode(Array(buffer.readableBytesView))
        } catch {
            throw APIError.badData("cannot decode agent batch: \(error)")
        }
        guard batch.agentID == principal.agentID else {
            throw APIError.forbidden("this credential belongs to agent \(principal.agentID ?? "-"), not \(batch.agentID)")
        }
        try await checkClientCertificate(context: context, agentID: batch.agentID)
        let result: IngestResult
        do {
            result = try await pipeline.ingest(batch, tenantID: principal.tenantID, platformID: principal.platformID, nowMs: Time.nowMs())
        } catch let error as IngestError {
            throw APIError.forbidden(error.description)
        }
        switch result {
        case let .stored(samples, events):
            var answer: [(String, JSON)] = [("sequence", .int(Int64(batch.sequence))), ("samples", .int(Int64(samples.stored))),
                                            ("duplicates", .int(Int64(samples.duplicates))), ("events", .int(Int64(events))),
                                            ("rejectedSamples", .int(Int64(samples.rejected)))]
            if let first = samples.firstRejection {
                // The batch is acknowledged (retrying cannot change these verdicts); the agent logs the refusal.
                answer.append(("rejections", [
                    "outOfBounds": .int(Int64(samples.outOfBounds)), "tooFarInFuture": .int(Int64(samples.tooFarInFuture)),
                    "outOfOrder": .int(Int64(samples.tooOld)), "conflicts": .int(Int64(samples.conflicts)),
                ]))
                answer.append(("warning", .string("\(samples.rejected) of the batch's samples were refused, first: \(first); "
                    + "a sample must be newer than the raw retention and at most 10 minutes ahead of the server's clock")))
            }
            return Envelope.success(.object(answer))
        case .duplicate(let last):
            throw APIError.conflict("sequence \(batch.sequence) already stored (last stored: \(last)); the batch is acknowledged")
        }
    }

    /// With mutual TLS on, a client certificate presented on the connection (NIOSSL already checked it
    /// chains to the server's CA) must be one issued to this agent and not revoked; with `required`, one
    /// must be presented. Checked on every batch, so a revocation applies to open connections too.
    func checkClientCertificate(context: StrataRequestContext, agentID: String) async throws {
        guard mutualTLS != "off" else { return }
        let certificate = try? await context.channel.nioSSL_peerCertificate().get()
        guard let certificate else {
            if mutualTLS == "required" {
                throw APIError.unauthorized("a client certificate is required (mtls: required); enroll with a csr to get one")
            }
            return
        }
        let fingerprint = CertificateAuthority.fingerprint(der: try certificate.toDERBytes())
        let match = try await catalog.credential(tokenHash: fingerprint, kinds: [.certificate], nowMs: Time.nowMs())
        guard let owner = match?.principal.agentID, owner == agentID else {
            throw APIError.unauthorized("the client certificate is revoked, expired or not agent \(agentID)'s")
        }
    }
}
