// Renders one 40-slot profile page N times with the default theme: the Mustache
// render alone, no store, no Markdown, no files. Built by scripts/bench-render, timed
// there with hyperfine; per page = time / N.
import Glibc
import SlotsiteCore
import SlotsiteRender

@main
struct RenderBench {
    static func main() throws {
        let n = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 10_000
        let dir = CommandLine.arguments.dropFirst(2).first ?? "templates"
        let templates = Templates { name in
            let path = dir + "/" + name + ".mustache"
            guard let f = fopen(path, "r") else { return nil }
            defer { fclose(f) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let k = fread(&buffer, 1, buffer.count, f)
                if k == 0 { break }
                bytes += buffer[0..<k]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let zone = try Zone("Europe/Berlin")
        var slots: [Slot] = []
        let first = try zone.instant(of: CivilDate(iso: "2026-12-01")!, LocalTime(hour: 9, minute: 0)!)
        for j in 0..<40 {
            let start = first + Int64(j / 8) * 86_400 + Int64(j % 8) * 3600
            slots.append(Slot(id: Int64(1000 + j), userID: 1, range: TimeRange(start: start, end: start + 2700)))
        }
        let view = ProfileView(site: SiteView(title: "Slotsite", root: "/", cgi: "/cgi-bin/slotsite"), handle: "ada-lovelace-1",
                               name: "Ada Lovelace", bioHTML: "<h2>About Ada</h2>\n<p>I help people with <strong>Swift</strong>.</p>\n",
                               skills: ["Swift", "Design", "Coaching"], timezone: zone.identifier,
                               days: DaySchedule.group(slots, in: zone))
        var total = 0
        var page: [UInt8] = []
        for _ in 0..<n {
            page.removeAll(keepingCapacity: true)
            try templates.render("profile", .context(view), into: &page)
            total &+= page.count
        }
        print("rendered \(n) profile pages, \(total / max(n, 1)) bytes each")
    }
}
