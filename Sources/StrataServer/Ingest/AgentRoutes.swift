import Hummingbird
import NIOCore
import StrataCore

/// The agent API, `/api/agent/v1`: batch upload with durable acknowledgement.
struct AgentRoutes {
    let pipeline: IngestPipeline
    let maxBatchBytes: Int

    func register(on group: RouterGroup<StrataRequestContext>) {
        group.post("batches") { request, context in
            try await upload(request: request, context: context)
        }
    }

    /// 200 with the stored sequence once durable; 409 for a sequence already stored; 400 for a body that
    /// does not decode; 413 above `maxBatchBytes`.
    func upload(request: Request, context: StrataRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBatchBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge("batch larger than \(maxBatchBytes) bytes; lower the agent's batch size")
        }
        let batch: AgentBatch
        do {
            batch = try BatchCodec.decode(Array(buffer.readableBytesView))
        } catch {
            throw APIError.badData("cannot decode agent batch: \(error)")
        }
        let result: IngestResult
        do {
            result = try await pipeline.ingest(batch, tenantID: principal.tenantID, nowMs: Time.nowMs())
        } catch let error as IngestError {
            throw APIError.forbidden(error.description)
        }
        switch result {
        case let .stored(samples, events):
            return Envelope.success(["sequence": .int(Int64(batch.sequence)), "samples": .int(Int64(samples)),
                                     "events": .int(Int64(events))])
        case .duplicate(let last):
            throw APIError.conflict("sequence \(batch.sequence) already stored (last stored: \(last)); the batch is acknowledged")
        }
    }
}
