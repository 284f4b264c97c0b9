/// Prices for chargeback and showback: what one unit of each measured quantity costs. Units are binary: a GB is
/// 2^30 bytes. Read from YAML by the server (`currency`, `vcpuHour`, `memoryGBHour`, `storageGBDay`, `networkGB`,
/// `cpuCoreHourUsed`); a missing price is 0 (the quantity is still reported).
public struct RateCard: Sendable, Hashable, Codable {
    /// The currency's name, printed with the costs.
    public var currency: String
    /// Per allocated vCPU per hour.
    public var vcpuHour: Double
    /// Per allocated GB of memory per hour.
    public var memoryGBHour: Double
    /// Per allocated GB of storage per day.
    public var storageGBDay: Double
    /// Per GB sent and received.
    public var networkGB: Double
    /// Per core-hour of CPU actually used.
    public var cpuCoreHourUsed: Double

    /// Creates a rate card.
    public init(currency: String = "EUR", vcpuHour: Double = 0, memoryGBHour: Double = 0, storageGBDay: Double = 0,
                networkGB: Double = 0, cpuCoreHourUsed: Double = 0) {
        self.currency = currency
        self.vcpuHour = vcpuHour
        self.memoryGBHour = memoryGBHour
        self.storageGBDay = storageGBDay
        self.networkGB = networkGB
        self.cpuCoreHourUsed = cpuCoreHourUsed
    }

    enum CodingKeys: String, CodingKey {
        case currency, vcpuHour, memoryGBHour, storageGBDay, networkGB, cpuCoreHourUsed
    }

    /// Decodes a card; missing prices are 0; negative or non-finite prices are refused naming the field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currency = try container.decodeIfPresent(String.self, forKey: .currency) ?? "EUR"
        func price(_ key: CodingKeys) throws -> Double {
            let value = try container.decodeIfPresent(Double.self, forKey: key) ?? 0
            guard value.isFinite, value >= 0 else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                       debugDescription: "\(key.stringValue) must be a finite price of 0 or more, not \(value)")
            }
            return value
        }
        vcpuHour = try price(.vcpuHour)
        memoryGBHour = try price(.memoryGBHour)
        storageGBDay = try price(.storageGBDay)
        networkGB = try price(.networkGB)
        cpuCoreHourUsed = try price(.cpuCoreHourUsed)
    }
}
