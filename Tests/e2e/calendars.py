#!/usr/bin/env python3
"""End-to-end test of calendars under lighttpd: a profile's public slots.ics and the
private booking feed, subscribed to and parsed by python's icalendar while bookings are
made and cancelled; one booking as .ics for its parties only; ETag and 304; a new feed
address retiring the old; DST edges in three zones; and headless Chromium in another
time zone showing the visitor's own time beside the page's. Usage: calendars.py BUILD_DIR."""
import datetime, os, re, shutil, sqlite3, subprocess, sys, time

import icalendar

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, Client, Site, run_suite  # noqa: E402

check = Checks()
CGI = "/cgi-bin/slotsite"


def parse(body):
    return icalendar.Calendar.from_ical(body)


def events(cal):
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def lines_ok(raw):
    """CRLF everywhere and no line over 75 octets."""
    data = raw.encode() if isinstance(raw, str) else raw
    return data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"") and \
        all(len(l) <= 75 for l in data.split(b"\r\n"))


def feed_of(site, handle):
    with open(os.path.join(site.output, "u", handle, "slots.ics"), "rb") as f:
        return f.read()


def add_slot(client, day, start, end):
    r, html = client.post(CGI + "/slots", [("date", day), ("start", start), ("end", end)])
    return r.status


def main():
    site = Site(sys.argv[1] if len(sys.argv) > 1 else ".build/debug", users=0, title="Cal; Co, \\ Ltd").start()
    run_suite("calendars", site, check, feeds, dst_edges, browser)


def feeds(site):
    ada = Client(site.port).register("ada")
    ada.post(CGI + "/account/profile", [("name", "Ada, the \"Coach\"; Näme"), ("bio", ""), ("skills", ""),
                                        ("timezone", "Europe/Berlin")])
    bob = Client(site.port).register("bob", offer=False)
    eve = Client(site.port).register("eve", offer=False)
    day = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    for h in (9, 10, 11):
        add_slot(ada, day, f"{h:02}:00", f"{h:02}:45")
    html = open(os.path.join(site.output, "u", "ada", "index.html")).read()
    check('<link rel="alternate" type="text/calendar"' in html and "webcal://127.0.0.1" in html,
          "the profile links its feed (alternate link and a visible webcal subscription)")
    raw = feed_of(site, "ada")
    check(lines_ok(raw), "slots.ics: CRLF, lines folded at 75 octets")
    cal = parse(raw)
    # An X- property is not known to be TEXT by the parser: it keeps the escapes as written.
    check(cal["X-WR-CALNAME"].to_ical().decode().startswith('Ada\\, the "Coach"\\; Näme')
          and cal["REFRESH-INTERVAL"].dt == datetime.timedelta(hours=1) and cal["X-PUBLISHED-TTL"].to_ical() == b"PT1H",
          "calendar name (TEXT escaped) and hourly refresh")
    free = events(cal)
    with sqlite3.connect(site.db_path) as c:
        slots = c.execute("SELECT id, starts_at, ends_at FROM slots ORDER BY starts_at").fetchall()
    check(sorted(free) == sorted(f"slot-{s[0]}@127.0.0.1" for s in slots), f"one event per free slot ({sorted(free)})")
    first = free[f"slot-{slots[0][0]}@127.0.0.1"]
    check(int(first.decoded("DTSTART").timestamp()) == slots[0][1] and first.decoded("DTSTART").utcoffset() == datetime.timedelta(0),
          "DTSTART in UTC, the slot's instant")
    check(str(first.get("TRANSP")) == "TRANSPARENT", "free slots do not block the subscriber's time")

    # Subscribed over HTTP as a calendar would.
    r, body = Client(site.port).get("/u/ada/slots.ics")
    check(r.status == 200 and body.encode() == raw, "served as a static file")

    # A booking takes the slot off the public feed; cancelling puts it back.
    r, _ = bob.post(CGI + "/book", [("slot", str(slots[0][0])), ("note", "Line one\nline two; with, commas \\ and more")])
    check(r.status == 303, "bob books")
    check(f"slot-{slots[0][0]}@127.0.0.1" not in events(parse(feed_of(site, "ada"))), "booked: gone from the public feed")

    # The private feed: made on /account, shown there, subscribed to.
    r, page = bob.get(CGI + "/account")
    check("Make my calendar address" in page, "no address until one is made")
    r, _ = bob.post(CGI + "/account/calendar")
    r, page = bob.get(CGI + "/account")
    m = re.search(r'value="(http://127\.0\.0\.1:\d+' + re.escape(CGI) + r'/calendar/([A-Za-z0-9_-]{43})\.ics)"', page)
    check(m is not None and "webcal://" in page, "the account page shows the private address and a webcal link")
    if not m:
        return
    url = m.group(1).split(str(site.port), 1)[1]
    with sqlite3.connect(site.db_path) as c:
        stored = c.execute("SELECT token_hash FROM calendar_feeds").fetchone()[0]
    check(m.group(2).encode() not in stored and len(stored) == 32, "the secret is stored hashed")
    calendar_app = Client(site.port)  # no cookie, as a calendar application polls
    r, body = calendar_app.get(url)
    check(r.status == 200 and r.getheader("Content-Type", "").startswith("text/calendar") and r.getheader("ETag"),
          f"the feed answers text/calendar with an ETag ({r.status})")
    check(lines_ok(body), "private feed: CRLF, folded")
    with sqlite3.connect(site.db_path) as c:
        booking = c.execute("SELECT id FROM bookings").fetchone()[0]
    ev = events(parse(body)).get(f"booking-{booking}@127.0.0.1")
    check(ev is not None and str(ev["STATUS"]) == "CONFIRMED" and int(ev["SEQUENCE"]) == 0 and
          str(ev["DESCRIPTION"]) == "Line one\nline two; with, commas \\ and more", "the booking is in it, its note intact")
    etag = r.getheader("ETag")
    r, body304 = calendar_app.get(url, headers={"If-None-Match": etag})
    check(r.status == 304 and body304 == "", f"If-None-Match → 304 without a body ({r.status})")

    # Timing: a 304 poll against GET /login.
    def median(path, headers=None, n=40):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            calendar_app.get(path, headers=headers)
            times.append(time.perf_counter() - t)
        return sorted(times)[n // 2] * 1000
    poll, login = median(url, {"If-None-Match": etag}), median(CGI + "/login")
    print(f"  a 304 poll of the booking feed: {poll:.2f} ms; GET /login: {login:.2f} ms (medians of 40)")
    check(poll < 3 * login + 5, f"a 304 poll costs about as much as GET /login ({poll:.1f} against {login:.1f} ms)")

    # Cancelled: STATUS:CANCELLED, same UID, higher SEQUENCE; back on the public feed.
    r, _ = ada.post(CGI + f"/bookings/{booking}/cancel")
    r, body = calendar_app.get(url, headers={"If-None-Match": etag})
    check(r.status == 200 and r.getheader("ETag") != etag, "after a change the poll gets the new feed")
    ev = events(parse(body)).get(f"booking-{booking}@127.0.0.1")
    check(ev is not None and str(ev["STATUS"]) == "CANCELLED" and int(ev["SEQUENCE"]) == 1,
          "a cancellation keeps its UID with STATUS:CANCELLED and a higher SEQUENCE")
    check(f"slot-{slots[0][0]}@127.0.0.1" in events(parse(feed_of(site, "ada"))), "cancelled: back on the public feed")

    # The professional's feed lists it too, as theirs.
    ada.post(CGI + "/account/calendar")
    r, page = ada.get(CGI + "/account")
    ada_url = re.search(r'/calendar/[A-Za-z0-9_-]{43}\.ics', page).group(0)
    r, body = calendar_app.get(CGI + ada_url)
    ev = events(parse(body)).get(f"booking-{booking}@127.0.0.1")
    check(ev is not None and "Bob" in str(ev["SUMMARY"]), "the professional's feed has the booking, with the client")

    # A new address: the old one is a 404.
    r, _ = bob.post(CGI + "/account/calendar")
    check(r.status == 303, "a new address is made")
    check(calendar_app.get(url)[0].status == 404, "the old address → 404")
    r, page = bob.get(CGI + "/account")
    new = re.search(r'/calendar/[A-Za-z0-9_-]{43}\.ics', page).group(0)
    check(new != url.split(CGI)[1] and calendar_app.get(CGI + new)[0].status == 200, "the new one works")
    check(calendar_app.get(CGI + "/calendar/" + "A" * 43 + ".ics")[0].status == 404, "a made-up address → 404")

    # One booking as .ics, for its two parties only.
    r, _ = bob.post(CGI + "/book", [("slot", str(slots[1][0]))])
    with sqlite3.connect(site.db_path) as c:
        second = c.execute("SELECT id FROM bookings WHERE cancelled_at IS NULL").fetchone()[0]
    r, page = bob.get(CGI + "/account")
    check(f"{CGI}/bookings/{second}.ics" in page, "“Add to calendar” on the account page")
    for who, client in (("client", bob), ("professional", ada)):
        r, body = client.get(f"{CGI}/bookings/{second}.ics")
        check(r.status == 200 and "attachment" in r.getheader("Content-Disposition", "") and
              f"booking-{second}@127.0.0.1" in events(parse(body)), f"the {who} gets the booking as .ics")
    check(eve.get(f"{CGI}/bookings/{second}.ics")[0].status == 403, "anyone else → 403")
    check(Client(site.port).get(f"{CGI}/bookings/{second}.ics")[0].status == 303, "logged out → the login page")

    # Withdrawn: the page and its feed go at the next build.
    ada.post(CGI + "/account/listing", [("listed", "0")])
    check(not os.path.exists(os.path.join(site.output, "u", "ada", "slots.ics")), "the feed goes with the page")
    ada.post(CGI + "/account/listing", [("listed", "1")])
    check(os.path.exists(os.path.join(site.output, "u", "ada", "slots.ics")), "and comes back with it")


def dst_edges(site):
    """Slots at DST edges, entered in local time, come out of the feed at the right instants."""
    cases = [
        # zone, date, local start, end, expected UTC start
        ("Europe/Berlin", "2027-03-28", "01:30", "03:30", "2027-03-28T00:30:00"),   # across the spring gap (02:00 → 03:00)
        ("Europe/Berlin", "2027-10-31", "02:30", "03:15", "2027-10-31T00:30:00"),   # the fold: the earlier 02:30
        ("America/New_York", "2027-03-14", "01:30", "03:30", "2027-03-14T06:30:00"),
        ("America/New_York", "2027-11-07", "01:30", "02:00", "2027-11-07T05:30:00"),
        ("Australia/Lord_Howe", "2027-04-04", "01:45", "02:15", "2027-04-03T14:45:00"),  # the 30-minute fold
        ("Australia/Lord_Howe", "2027-10-03", "01:30", "02:45", "2027-10-02T15:00:00"),  # the 30-minute gap (02:00 → 02:30)
    ]
    for zone, day, start, end, utc in cases:
        handle = "dst-" + re.sub(r"[^a-z]", "", zone.lower())[:12] + day[5:7]
        c = Client(site.port).register(handle)
        c.post(CGI + "/account/profile", [("name", handle), ("bio", ""), ("skills", ""), ("timezone", zone)])
        status = add_slot(c, day, start, end)
        ev = list(parse(feed_of(site, handle)).walk("VEVENT"))
        got = ev[0].decoded("DTSTART").strftime("%Y-%m-%dT%H:%M:%S") if ev else None
        check(status == 303 and got == utc, f"{zone} {day} {start}: DTSTART {got} UTC, expected {utc}")
    c = Client(site.port).register("dst-gap")
    c.post(CGI + "/account/profile", [("name", "Gap"), ("bio", ""), ("skills", ""), ("timezone", "Australia/Lord_Howe")])
    check(add_slot(c, "2027-10-03", "02:10", "02:40") == 400, "a start in Lord Howe's 30-minute gap is a 400")


def browser(site):
    """Headless Chromium in New York shows both times; in Berlin, only the page's."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    check(chromium is not None, "chromium is installed (.ci/run installs Debian's)")
    if not chromium:
        return
    url = f"{site.origin}/u/ada/"

    def dom(zone):
        profile = os.path.join(site.work, "chromium-" + zone.replace("/", "-"))
        r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", url],
                           env={**os.environ, "TZ": zone}, capture_output=True, text=True, timeout=120)
        return r.stdout
    ny = dom("America/New_York")
    notes = re.findall(r'<small class="local-time">([^<]*)</small>', ny)
    check(len(notes) >= 1 and all("your time, America/New_York" in n for n in notes),
          f"in New York the page shows the visitor's time beside the professional's ({notes[:2]})")
    m = re.search(r'<time datetime="(\d{4}-\d\d-\d\dT(\d\d):(\d\d):00\+01:00)">\d\d:\d\d</time>–<time[^>]*>[^<]*</time>'
                  r'<small class="local-time"> \((?:[^)]* )?(\d\d):(\d\d)–', ny)
    if check(m is not None, "a slot's Berlin time is followed by its New York time"):
        berlin = int(m.group(2)) * 60 + int(m.group(3))
        local = int(m.group(4)) * 60 + int(m.group(5))
        check((berlin - local) % (24 * 60) == 6 * 60, f"six hours apart in winter ({m.group(2)}:{m.group(3)} → {m.group(4)}:{m.group(5)})")
    berlin = dom("Europe/Berlin")
    check('class="slot"' in berlin and 'class="local-time"' not in berlin, "in Berlin, the page's own zone, nothing is added")
    directory = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                f"--user-data-dir={os.path.join(site.work, 'chromium-dir')}", "--virtual-time-budget=3000",
                                "--dump-dom", site.origin + "/"],
                               env={**os.environ, "TZ": "America/New_York"}, capture_output=True, text=True, timeout=120).stdout
    check("(Europe/Berlin)" in directory and "your time" in directory,
          "the directory's next free slot names its zone, and the visitor's time is added")


if __name__ == "__main__":
    main()
