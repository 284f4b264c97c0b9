extension API {
    /// What `POST /api/v1/import` did: counts only, so importing the same document again answers every change 0.
    public struct ImportResult: Codable, Sendable, Equatable {
        /// Resources new, changed, and as they were.
        public var resourcesCreated: Int
        public var resourcesUpdated: Int
        public var resourcesUnchanged: Int
        /// Relations and VM placements (home spans) added or changed.
        public var relationsChanged: Int
        public var placementsChanged: Int
        /// Series new to the inventory.
        public var seriesCreated: Int
        /// Samples stored now, and those already stored with the same value (a re-import).
        public var samplesWritten: Int
        public var samplesAlreadyPresent: Int
        /// Samples whose time is stored with another value: the stored value stays.
        public var samplesConflicting: Int
        /// Samples the store refused for their time (out of its bounds), with the first reason.
        public var samplesRejected: Int
        public var rejection: String?
        /// Past events stored now (a re-import adds none).
        public var eventsAdded: Int

        public init(resourcesCreated: Int, resourcesUpdated: Int, resourcesUnchanged: Int, relationsChanged: Int, placementsChanged: Int,
                    seriesCreated: Int, samplesWritten: Int, samplesAlreadyPresent: Int, samplesConflicting: Int, samplesRejected: Int,
                    rejection: String? = nil, eventsAdded: Int = 0) {
            self.resourcesCreated = resourcesCreated
            self.resourcesUpdated = resourcesUpdated
            self.resourcesUnchanged = resourcesUnchanged
            self.relationsChanged = relationsChanged
            self.placementsChanged = placementsChanged
            self.seriesCreated = seriesCreated
            self.samplesWritten = samplesWritten
            self.samplesAlreadyPresent = samplesAlreadyPresent
            self.samplesConflicting = samplesConflicting
            self.samplesRejected = samplesRejected
            self.rejection = rejection
            self.eventsAdded = eventsAdded
        }
    }
}
