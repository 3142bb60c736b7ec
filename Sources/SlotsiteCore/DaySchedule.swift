/// A professional's free slots on one local date, in start order.
public struct DaySchedule: Hashable, Sendable {
    public let date: CivilDate
    public let slots: [ShownSlot]

    /// A slot with its start and end read on the professional's wall clock, kept as
    /// wall-clock seconds and offsets: pages write them as digits, and the calendar
    /// date of each is worked out only where one is shown.
    public struct ShownSlot: Hashable, Sendable {
        public let id: Int64
        /// Seconds after 1970-01-01T00:00 on the wall clock at the start, and at the end.
        public let startWall: Int64, endWall: Int64
        /// The offsets from UTC in force at the start and at the end, in seconds.
        public let startOffset: Int, endOffset: Int

        public var start: LocalDateTime { LocalDateTime(wall: startWall, offset: startOffset) }
        public var end: LocalDateTime { LocalDateTime(wall: endWall, offset: endOffset) }
    }

    /// Groups `slots` by local date in `zone`: days ascending, slots by start, then id.
    public static func group(_ slots: [Slot], in zone: Zone) -> [DaySchedule] {
        let inOrder: (Slot, Slot) -> Bool = { ($0.range.start, $0.id) < ($1.range.start, $1.id) }
        // The store hands them over in order already; sorting is for the rest.
        let sorted = zip(slots, slots.dropFirst()).allSatisfy { !inOrder($1, $0) } ? slots : slots.sorted(by: inOrder)
        var days: [DaySchedule] = []
        var current: [ShownSlot] = []
        var currentDay: Int64?
        for slot in sorted {
            let startOffset = zone.offset(at: slot.range.start), endOffset = zone.offset(at: slot.range.end)
            let startWall = slot.range.start + Int64(startOffset)
            let day = startWall >= 0 ? startWall / 86_400 : (startWall - 86_399) / 86_400
            if day != currentDay, let done = currentDay {
                days.append(DaySchedule(date: CivilDate(daysSinceEpoch: done), slots: current))
                current.removeAll(keepingCapacity: true)
            }
            currentDay = day
            current.append(ShownSlot(id: slot.id, startWall: startWall, endWall: slot.range.end + Int64(endOffset),
                                     startOffset: startOffset, endOffset: endOffset))
        }
        if let done = currentDay { days.append(DaySchedule(date: CivilDate(daysSinceEpoch: done), slots: current)) }
        return days
    }
}
