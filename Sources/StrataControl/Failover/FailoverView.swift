import StrataCore

/// A hypervisor as the failover policy sees it: reachable or not, its host's agent, its capacity and what runs on it.
public struct FailoverHost: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Its availability is `up` (its agent reaches it).
    public var reachable: Bool
    /// The agent of its host is silent (the platform is down).
    public var hostSilent: Bool
    /// Node memory and CPUs; nil when not reported.
    public var memoryBytes: Int64?
    public var cpus: Int64?
    /// Memory and vCPUs of the VMs running on it.
    public var usedMemoryBytes: Int64
    public var usedCPUs: Int64
    /// The VMs running on it (their home, up).
    public var vmIDs: Set<String>

    /// A host.
    public init(id: String, name: String, reachable: Bool, hostSilent: Bool = false, memoryBytes: Int64?, cpus: Int64?,
                usedMemoryBytes: Int64 = 0, usedCPUs: Int64 = 0, vmIDs: Set<String> = []) {
        self.id = id
        self.name = name
        self.reachable = reachable
        self.hostSilent = hostSilent
        self.memoryBytes = memoryBytes
        self.cpus = cpus
        self.usedMemoryBytes = usedMemoryBytes
        self.usedCPUs = usedCPUs
        self.vmIDs = vmIDs
    }
}

/// A restartable VM (a VM member of a group with failover) as the failover policy sees it.
public struct FailoverVM: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The libvirt UUID (the domain to start).
    public var uuid: String
    /// The hypervisor it belongs to (its parent), nil before its first report.
    public var homeID: String?
    /// The hypervisors whose open placement says it runs (its home's last listing included, also while unreachable).
    public var runningOn: Set<String>
    /// Its disks' source paths; nil when its agent did not report them.
    public var diskSources: [String]?
    /// The domain definition (XML) its home last reported; nil when none was.
    public var definition: String?
    public var memoryBytes: Int64
    public var vcpus: Int64

    /// A VM.
    public init(id: String, name: String, uuid: String, homeID: String?, runningOn: Set<String>, diskSources: [String]?, definition: String?,
                memoryBytes: Int64, vcpus: Int64) {
        self.id = id
        self.name = name
        self.uuid = uuid
        self.homeID = homeID
        self.runningOn = runningOn
        self.diskSources = diskSources
        self.definition = definition
        self.memoryBytes = memoryBytes
        self.vcpus = vcpus
    }
}

/// One group's state for an evaluation: its settings, its hosts (and the homes of its VMs), its VMs, their stored
/// decisions and the states of the decided start commands.
public struct FailoverView: Sendable {
    public var groupID: String
    public var settings: FailoverSettings
    /// The group's hypervisors: the possible targets.
    public var hosts: [FailoverHost]
    /// Hypervisors outside the group that are homes of its VMs (they can fail, they are never targets).
    public var otherHomes: [FailoverHost]
    public var vms: [FailoverVM]
    /// Stored decisions by VM id.
    public var decisions: [String: FailoverDecision]
    /// The states of the decisions' start commands by command id; a decided command missing here was never stored.
    public var commands: [String: CommandState]

    /// A view.
    public init(groupID: String, settings: FailoverSettings, hosts: [FailoverHost], otherHomes: [FailoverHost] = [], vms: [FailoverVM],
                decisions: [String: FailoverDecision], commands: [String: CommandState]) {
        self.groupID = groupID
        self.settings = settings
        self.hosts = hosts
        self.otherHomes = otherHomes
        self.vms = vms
        self.decisions = decisions
        self.commands = commands
    }
}

/// An event on a VM's timeline (kind `failover`), each naming its chain.
public struct FailoverEvent: Sendable, Equatable {
    public var vmID: String
    public var severity: EventSeverity
    public var message: String

    /// An event.
    public init(vmID: String, severity: EventSeverity = .info, message: String) {
        self.vmID = vmID
        self.severity = severity
        self.message = message
    }
}

/// What the server must do after an evaluation, in order: everything but `start` in one catalog transaction, then
/// the starts (so a decision is stored before its command is queued).
public enum FailoverStep: Sendable, Equatable {
    /// Store (insert or replace) a VM's decision.
    case save(FailoverDecision)
    /// Drop a VM's decision: its chain is over without a start.
    case forget(vmID: String)
    /// Record an event.
    case event(FailoverEvent)
    /// End the fenced host's open placement of the VM (its last listing there is stale), so the VM's placement
    /// history shows the old host, then the new.
    case closePlacement(vmID: String, hypervisorID: String)
    /// Queue the start on the target: the agent of its host defines the domain from `definition` and starts it.
    case start(FailoverStart)
}

/// A start to queue.
public struct FailoverStart: Sendable, Equatable {
    public var chainID: String
    public var commandID: String
    public var vmID: String
    public var uuid: String
    public var targetID: String
    public var definition: String

    /// A start.
    public init(chainID: String, commandID: String, vmID: String, uuid: String, targetID: String, definition: String) {
        self.chainID = chainID
        self.commandID = commandID
        self.vmID = vmID
        self.uuid = uuid
        self.targetID = targetID
        self.definition = definition
    }
}
