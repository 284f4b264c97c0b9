import StrataCore

/// The VM failover policy (docs/control.md "VM failover") as a pure function of one group's state: which VMs' hosts
/// are unreachable, when their grace period ends, whether the old host counts as fenced, where each VM may start,
/// and the events of every step. The server's `FailoverService` loads a `FailoverView`, applies the steps and queues
/// the starts; everything here is tested without I/O.
///
/// **Fencing rule**: a VM's old host is fenced when its hypervisor has been unreachable (seen down by every
/// evaluation) for the whole grace period, the VM is listed running by no other hypervisor, and — with fencing
/// `host` — the agent of the host is silent too. Only a VM its host last listed running is restarted.
/// **Never twice**: a decision once `requested` is final for its chain; the start command's id derives from the
/// chain, so a restart re-queues the same command at most (the agent runs an id once).
public struct FailoverPolicy: Sendable {
    public var view: FailoverView
    public var nowMs: Int64

    /// A policy over `view` at `nowMs`.
    public init(view: FailoverView, nowMs: Int64) {
        self.view = view
        self.nowMs = nowMs
    }

    /// The steps of one evaluation, VMs in id order.
    public func evaluate() -> [FailoverStep] {
        var steps: [FailoverStep] = []
        var targets = FailoverTargets(view: view)
        let hosts = Dictionary((view.otherHomes + view.hosts).map { ($0.id, $0) }) { _, group in group }
        for vm in view.vms.sorted(by: { $0.id < $1.id }) {
            steps += evaluate(vm, decision: view.decisions[vm.id], hosts: hosts, targets: &targets)
        }
        return steps
    }

    func evaluate(_ vm: FailoverVM, decision: FailoverDecision?, hosts: [String: FailoverHost], targets: inout FailoverTargets) -> [FailoverStep] {
        if let decision, decision.state.isDecided {
            let (followed, kept) = followUp(vm, decision, hosts: hosts)
            var steps = followed
            // A decided chain ends when the VM's home is back or it fails again elsewhere: only then a new one starts.
            guard let home = vm.homeID, let host = hosts[home] else { return steps }
            if home == kept.fromHypervisorID, host.reachable, kept.state != .requested {
                return steps + [.forget(vmID: vm.id)]
            }
            guard home != kept.fromHypervisorID, !host.reachable, kept.state != .requested else { return steps }
            steps += watch(vm, nil, host: host, targets: &targets)
            return steps
        }
        guard let home = vm.homeID, let host = hosts[home] else { return [] }
        if host.reachable || decision.map({ $0.fromHypervisorID != home }) == true {
            guard let decision else { return [] }
            return [.forget(vmID: vm.id), event(decision, vm, "called off: \(host.name) is reachable again (or the VM moved); nothing was started")]
        }
        return watch(vm, decision, host: host, targets: &targets)
    }

    /// A VM whose home is unreachable: the grace period, fencing, eligibility and the target.
    func watch(_ vm: FailoverVM, _ stored: FailoverDecision?, host: FailoverHost, targets: inout FailoverTargets) -> [FailoverStep] {
        var steps: [FailoverStep] = []
        let settings = view.settings
        var decision: FailoverDecision
        if let stored {
            decision = stored
        } else {
            // Nothing to restart: it was not running there.
            guard vm.runningOn.contains(host.id) else { return [] }
            decision = FailoverDecision(id: StableID(parts: ["failover", vm.id, host.id, String(nowMs)]).description, vmID: vm.id, groupID: view.groupID,
                                        fromHypervisorID: host.id, state: .watching, downSinceMs: nowMs, updatedMs: nowMs)
            steps.append(.save(decision))
            steps.append(event(decision, vm, "considered: hypervisor \(host.name) is unreachable; grace period \(Self.seconds(settings.graceMs)) "
                + "(fencing: \(settings.fencing.rawValue))"))
        }
        let waited = nowMs.subtractingReportingOverflow(decision.downSinceMs)
        guard !waited.overflow, waited.partialValue >= settings.graceMs else { return steps }

        if let reason = unfenced(vm, host: host) ?? ineligible(vm) {
            return steps + block(&decision, vm, reason)
        }
        if decision.fencedMs == nil {
            decision.fencedMs = nowMs
            let silent = settings.fencing == .host ? ", and its host's agent is silent" : ""
            steps.append(event(decision, vm, "fenced: \(host.name) unreachable for \(Self.seconds(waited.partialValue)) (grace period "
                + "\(Self.seconds(settings.graceMs)))\(silent); the VM is listed running nowhere else"))
        }
        let choice = targets.choose(for: vm, excluding: host.id)
        guard let target = choice.target, let definition = vm.definition else {
            return steps + block(&decision, vm, "no surviving hypervisor can take it: " + choice.refusals.joined(separator: "; "))
        }
        targets.place(vm, on: target.id)
        decision.state = .requested
        decision.targetID = target.id
        decision.commandID = FailoverDecision.commandID(chain: decision.id)
        decision.note = nil
        decision.updatedMs = nowMs
        steps.append(.save(decision))
        steps.append(.closePlacement(vmID: vm.id, hypervisorID: host.id))
        steps.append(event(decision, vm, "target chosen: \(target.name), \(choice.summary)"))
        steps.append(event(decision, vm, "start requested on \(target.name): command \(decision.commandID ?? "")"))
        steps.append(.start(FailoverStart(chainID: decision.id, commandID: decision.commandID ?? "", vmID: vm.id, uuid: vm.uuid, targetID: target.id,
                                          definition: Self.flattened(definition))))
        return steps
    }

    /// Why the old host is not fenced yet, or nil when it is.
    func unfenced(_ vm: FailoverVM, host: FailoverHost) -> String? {
        let elsewhere = vm.runningOn.subtracting([host.id]).sorted().map { id in
            (view.hosts + view.otherHomes).first { $0.id == id }?.name ?? id
        }
        if !elsewhere.isEmpty {
            return "not fenced: the VM is listed running by \(elsewhere.joined(separator: ", ")) (a move, not a failure)"
        }
        if view.settings.fencing == .host, !host.hostSilent {
            return "not fenced: the agent of \(host.name)'s host still reports (fencing: host needs it silent too)"
        }
        return nil
    }

    /// Why the VM cannot be started elsewhere, or nil when it can.
    func ineligible(_ vm: FailoverVM) -> String? {
        guard let sources = vm.diskSources else { return "not restartable elsewhere: its disks' sources were never reported" }
        guard view.settings.isShared(sources) else {
            let local = sources.filter { !view.settings.isShared([$0]) }
            return "not restartable elsewhere: disk \(local.joined(separator: ", ")) is not below a shared-storage prefix "
                + "(\(view.settings.sharedStorage.isEmpty ? "none set" : view.settings.sharedStorage.joined(separator: ", ")))"
        }
        guard vm.definition != nil else { return "not restartable elsewhere: its definition was never reported" }
        return nil
    }

    /// The decision blocked for `reason`; an event only when the reason changed.
    func block(_ decision: inout FailoverDecision, _ vm: FailoverVM, _ reason: String) -> [FailoverStep] {
        guard decision.state != .blocked || decision.note != reason else { return [] }
        decision.state = .blocked
        decision.note = reason
        decision.updatedMs = nowMs
        return [.save(decision), event(decision, vm, reason, severity: .warning)]
    }

    /// A decided chain: the start command's outcome, a start never queued, the VM back on its old host.
    func followUp(_ vm: FailoverVM, _ stored: FailoverDecision, hosts: [String: FailoverHost]) -> ([FailoverStep], FailoverDecision) {
        var decision = stored
        var steps: [FailoverStep] = []
        let target = decision.targetID.flatMap { hosts[$0]?.name ?? $0 } ?? "?"
        if decision.state == .requested, let commandID = decision.commandID {
            switch view.commands[commandID] {
            case nil:
                // Stored, never queued (the server stopped in between): queue it now, under the same id.
                if let targetID = decision.targetID, let definition = vm.definition {
                    steps.append(.start(FailoverStart(chainID: decision.id, commandID: commandID, vmID: vm.id, uuid: vm.uuid, targetID: targetID,
                                                      definition: Self.flattened(definition))))
                }
            case .succeeded?:
                decision.state = .started
                steps.append(event(decision, vm, "started on \(target)"))
            case let state? where state.isFinal:
                decision.state = .failed
                decision.note = "start \(state.rawValue)"
                steps.append(event(decision, vm, "start on \(target) \(state.rawValue): not retried; see command \(commandID)", severity: .error))
            default:
                break
            }
        }
        if !decision.reappeared, vm.runningOn.contains(decision.fromHypervisorID) {
            decision.reappeared = true
            let old = hosts[decision.fromHypervisorID]?.name ?? decision.fromHypervisorID
            steps.append(event(decision, vm, "the VM runs again on its old host \(old) after its start on \(target) was decided: "
                + "not started again; stop one of the copies", severity: .error))
        }
        if decision != stored {
            decision.updatedMs = nowMs
            steps.insert(.save(decision), at: 0)
        }
        return (steps, decision)
    }

    func event(_ decision: FailoverDecision, _ vm: FailoverVM, _ text: String, severity: EventSeverity = .info) -> FailoverStep {
        .event(FailoverEvent(vmID: vm.id, severity: severity, message: "failover \(decision.id) of vm \(vm.name): \(text)"))
    }

    /// A duration for people: whole seconds.
    static func seconds(_ ms: Int64) -> String { "\(ms / 1_000) s" }

    /// A definition as one command parameter: control characters (newlines, tabs) become spaces, which XML reads as
    /// the same whitespace between elements.
    public static func flattened(_ xml: String) -> String {
        String(String.UnicodeScalarView(xml.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? " " : $0 }))
    }
}
