/// A professional's free slots on one local date, in start order.
public struct DaySchedule: Hashable, Sendable {
    public let date: CivilDate
    public let slots: [ShownSlot]

    /// A slot with its start and end read on the professional's wall clock.
    public struct ShownSlot: Hashable, Sendable {
        public let id: Int64
        public let start: LocalDateTime
        public let end: LocalDateTime
    }

    /// Groups `slots` by local date in `zone`: days ascending, slots by start, then id.
    public static func group(_ slots: [Slot], in zone: Zone) -> [DaySchedule] {
        let sorted = slots.sorted { ($0.range.start, $0.id) < ($1.range.start, $1.id) }
        var days: [DaySchedule] = []
        var current: [ShownSlot] = []
        var currentDate: CivilDate?
        for slot in sorted {
            let start = zone.local(slot.range.start)
            if start.date != currentDate, let date = currentDate {
                days.append(DaySchedule(date: date, slots: current))
                current = []
            }
            currentDate = start.date
            current.append(ShownSlot(id: slot.id, start: start, end: zone.local(slot.range.end)))
        }
        if let date = currentDate { days.append(DaySchedule(date: date, slots: current)) }
        return days
    }
}
