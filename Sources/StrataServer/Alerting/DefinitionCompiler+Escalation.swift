import StrataAlerting
import StrataAPI

extension DefinitionCompiler {
    /// The most targets one escalation step may tell.
    static let maxEscalationTargets = 16

    /// A definition's escalation chain: at most `EscalationPolicy.maxSteps` steps, each with an `after`, 1 to
    /// `maxEscalationTargets` targets validated like `notify`'s, and `times` (1–100) sends `repeat` apart.
    static func escalation(_ steps: [API.EscalationStep]?) throws(DefinitionError) -> EscalationPolicy {
        guard let steps else { return EscalationPolicy() }
        guard steps.count <= EscalationPolicy.maxSteps else {
            throw DefinitionError(field: "escalation", message: "at most \(EscalationPolicy.maxSteps) steps, not \(steps.count)")
        }
        var compiled: [EscalationStep] = []
        for (index, step) in steps.enumerated() {
            let field = "escalation[\(index)]"
            guard let after = try duration(step.after, field: "\(field).after") else { continue }
            let repeatMs = try duration(step.repeatEvery, field: "\(field).repeat")
            let times = step.times ?? 1
            guard (1...EscalationPolicy.maxTimes).contains(times) else {
                throw DefinitionError(field: "\(field).times", message: "must be 1 to \(EscalationPolicy.maxTimes) sends, not \(times)")
            }
            if times > 1, repeatMs == nil {
                throw DefinitionError(field: "\(field).repeat", message: "is needed when times is more than 1: how long between sends, such as 10m")
            }
            if repeatMs != nil, times == 1 {
                throw DefinitionError(field: "\(field).times", message: "is needed with repeat: how many sends in all (2 to \(EscalationPolicy.maxTimes))")
            }
            guard (1...maxEscalationTargets).contains(step.notify.count) else {
                throw DefinitionError(field: "\(field).notify", message: "needs 1 to \(maxEscalationTargets) targets")
            }
            for (targetIndex, target) in step.notify.enumerated() { try validate(target, field: "\(field).notify[\(targetIndex)]") }
            compiled.append(EscalationStep(afterMs: after, repeatMs: repeatMs ?? 0, times: times))
        }
        return EscalationPolicy(steps: compiled)
    }
}
