#!/usr/bin/env python3
"""End-to-end test of working hours under lighttpd: a new professional sets up four
weeks of slots with a few form posts, the page shows exactly the slots the hours make,
a booking survives a rule change, a day off and the settings take effect, the notice
hides and refuses near slots, and a cron build a day later extends the horizon.
Usage: hours.py BUILD_DIR."""
import datetime, os, re, sqlite3, subprocess, sys
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, Client, Site, run_suite  # noqa: E402

check = Checks()
CGI = "/cgi-bin/slotsite"
ZONE = ZoneInfo("Europe/Berlin")


def shown(site, handle):
    """The slots a profile page shows: (slot id, local start 'YYYY-MM-DD HH:MM')."""
    html = open(os.path.join(site.output, "u", handle, "index.html")).read()
    out = []
    for sid, dt in re.findall(r'data-slot="(\d+)">\s*<form[^>]*>\s*<input[^>]*>\s*<button><time datetime="([^"]+)"', html):
        out.append((int(sid), dt[:16].replace("T", " ")))
    return out


def expected(now, weekdays, start_h, end_h, length, buffer, horizon, notice=0, off=()):
    """What the rules make, computed here independently with zoneinfo."""
    today = now.astimezone(ZONE).date()
    made = []
    for d in range(horizon):
        day = today + datetime.timedelta(days=d)
        if day.weekday() not in weekdays or day in off:
            continue
        minute = start_h * 60
        while minute + length <= end_h * 60:
            local = datetime.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=ZONE)
            if local.timestamp() >= now.timestamp() + notice * 3600:
                made.append(local.strftime("%Y-%m-%d %H:%M"))
            minute += length + buffer
    return made


def main():
    site = Site(sys.argv[1] if len(sys.argv) > 1 else ".build/debug", users=0).start()
    run_suite("hours", site, check, scenario)


def scenario(site):
    ada = Client(site.port)
    posts = 0

    def post(path, fields=()):
        nonlocal posts
        posts += 1
        return ada.post(CGI + path, fields)
    r, _ = post("/register", [("handle", "ada"), ("name", "Ada"), ("email", "ada@example.org"), ("password", "password1"),
                              ("offer", "1")])
    check(r.status == 303, "a new professional registers")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        r, _ = post("/availability/rules", [("weekday", day), ("start", "09:00"), ("end", "17:00")])
        check(r.status == 303, f"weekly hours for {day}")
    now = datetime.datetime.now(datetime.timezone.utc)
    want = expected(now, {0, 1, 2, 3, 4}, 9, 17, 45, 15, 28)
    got = [s[1] for s in shown(site, "ada")]
    check(posts <= 6 and len(want) >= 150 and got == want,
          f"{posts} posts: four weeks of slots on the page, exactly the expected ones ({len(got)} shown, {len(want)} expected)")
    r, page = ada.get(CGI + "/account")
    check(r.status == 200 and "Working hours" in page and page.count('class="rule"') == 5 and "The next 14 days" in page,
          "the account page lists the hours and previews the next 14 days")

    # Refusals change nothing.
    before = shown(site, "ada")
    for fields, status in (([("weekday", "mon"), ("start", "16:00"), ("end", "18:00")], 409),
                           ([("weekday", "funday"), ("start", "09:00"), ("end", "10:00")], 400),
                           ([("weekday", "sat"), ("start", "12:00"), ("end", "11:00")], 400)):
        r, body = ada.post(CGI + "/availability/rules", fields)
        check(r.status == status and "were not changed" in body, f"{fields} → {status} ({r.status})")
    r, _ = ada.post(CGI + "/availability/settings", [("length", "3"), ("buffer", "0"), ("notice", "0"), ("horizon", "28")])
    check(r.status == 400, f"a slot length of 3 minutes → 400 ({r.status})")
    check(shown(site, "ada") == before, "refused posts leave the slots alone")

    # A booking, then a rule change that drops that hour: the booked slot stays.
    bob = Client(site.port).register("bob", offer=False)
    target = next(s for s in shown(site, "ada") if s[1].endswith("16:00"))
    r, _ = bob.post(CGI + "/book", [("slot", str(target[0]))])
    check(r.status == 303, "bob books a rule-made slot")
    target_day = datetime.date.fromisoformat(target[1][:10])
    weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][target_day.weekday()]
    r, page = ada.get(CGI + "/account")
    rule_id = re.search(r'data-rule="(\d+)"><td>' + target_day.strftime("%A"), page).group(1)
    check(ada.post(CGI + f"/availability/rules/{rule_id}/delete")[0].status == 303, "the weekday's hours removed")
    check(ada.post(CGI + "/availability/rules", [("weekday", weekday), ("start", "09:00"), ("end", "12:00")])[0].status == 303,
          "and given shorter hours")
    with sqlite3.connect(site.db_path) as c:
        still = c.execute("""SELECT count(*) FROM bookings b JOIN slots s ON s.id = b.slot_id
                             WHERE s.id = ? AND b.cancelled_at IS NULL""", (target[0],)).fetchone()[0]
    check(still == 1, "the booked slot survived the rule change")
    days = {s[1][:10] for s in shown(site, "ada")}
    afternoon = [s for s in shown(site, "ada") if datetime.date.fromisoformat(s[1][:10]).weekday() == target_day.weekday()
                 and s[1][11:] >= "12:00"]
    check(afternoon == [], f"that weekday's afternoons are gone from the page ({afternoon[:3]})")
    check(len(days) >= 15, "the other days stay")

    # A day off, then settings: 30-minute slots, no buffer.
    off_day = min(datetime.date.fromisoformat(s[1][:10]) for s in shown(site, "ada")) + datetime.timedelta(days=7)
    while off_day.weekday() >= 5:
        off_day += datetime.timedelta(days=1)
    check(ada.post(CGI + "/availability/days", [("date", off_day.isoformat()), ("off", "1")])[0].status == 303, "a day off")
    check(not any(s[1].startswith(off_day.isoformat()) for s in shown(site, "ada")), "its slots are gone")
    check(ada.post(CGI + "/availability/days", [("date", off_day.isoformat()), ("start", "10:00"), ("end", "11:00")])[0].status == 409,
          "a day off takes no hours besides (409)")
    check(ada.post(CGI + "/availability/settings", [("length", "30"), ("buffer", "0"), ("notice", "0"), ("horizon", "14")])[0].status
          == 303, "settings: 30 minutes, no buffer, 14 days")
    now = datetime.datetime.now(datetime.timezone.utc)
    got = [s[1] for s in shown(site, "ada") if s[0] != target[0]]
    want = [w for w in expected(now, {0, 1, 2, 3, 4}, 9, 17, 30, 0, 14, off={off_day})
            if not (datetime.date.fromisoformat(w[:10]).weekday() == target_day.weekday() and w[11:] >= "12:00")]
    check(got == want, f"the page shows exactly the new layout ({len(got)} against {len(want)}: {sorted(set(got) ^ set(want))[:4]})")

    # Notice: 48 hours hide and refuse the near slots.
    check(ada.post(CGI + "/availability/settings", [("length", "30"), ("buffer", "0"), ("notice", "48"), ("horizon", "14")])[0].status
          == 303, "a notice of 48 hours")
    limit = now + datetime.timedelta(hours=48)
    near = [s for s in shown(site, "ada")
            if datetime.datetime.fromisoformat(s[1]).replace(tzinfo=ZONE) < limit]
    check(near == [], f"nothing within 48 hours is shown ({near[:3]})")
    # A slot by hand within the notice (one that does not cross midnight).
    begin = now.astimezone(ZONE) + datetime.timedelta(hours=3)
    if (begin + datetime.timedelta(minutes=30)).date() != begin.date():
        begin = (begin + datetime.timedelta(hours=1)).replace(minute=10)
    finish = begin + datetime.timedelta(minutes=30)
    r, _ = ada.post(CGI + "/slots", [("date", begin.strftime("%Y-%m-%d")), ("start", begin.strftime("%H:%M")),
                                     ("end", finish.strftime("%H:%M"))])
    with sqlite3.connect(site.db_path) as c:
        hand = c.execute("SELECT max(id) FROM slots WHERE rule_made = 0").fetchone()[0]
    check(r.status == 303 and hand is not None, f"a slot by hand within the notice is added ({r.status})")
    check(hand not in [s[0] for s in shown(site, "ada")], "but not shown")
    r, _ = bob.post(CGI + "/book", [("slot", str(hand))])
    check(r.status == 410, f"and cannot be booked: 410 ({r.status})")
    check(ada.post(CGI + "/availability/settings", [("length", "30"), ("buffer", "0"), ("notice", "0"), ("horizon", "14")])[0].status
          == 303, "notice back to 0")

    # A day later, as cron sees it: the horizon moves on by the build alone. The store is
    # set back as the day before left it (the last date not yet laid).
    with sqlite3.connect(site.db_path) as c:
        laid = c.execute("SELECT laid_through FROM users WHERE handle = 'ada'").fetchone()[0]
        last = datetime.date(1970, 1, 1) + datetime.timedelta(days=laid)
        while last.weekday() >= 5:
            laid -= 1
            last = datetime.date(1970, 1, 1) + datetime.timedelta(days=laid)
        c.execute("UPDATE users SET laid_through = ? WHERE handle = 'ada'", (laid - 1,))
        c.execute("""DELETE FROM slots WHERE rule_made = 1 AND user_id = (SELECT id FROM users WHERE handle = 'ada')
                     AND starts_at >= ? AND id NOT IN (SELECT slot_id FROM bookings WHERE cancelled_at IS NULL)""",
                  (int(datetime.datetime(last.year, last.month, last.day, tzinfo=ZONE).timestamp()),))
    subprocess.run([site.slotsite, "build", "--incremental", "--site", site.dir], check=True, capture_output=True)
    back = [s for s in shown(site, "ada") if s[1].startswith(last.isoformat())]
    check(len(back) == 16, f"the cron build lays the day the horizon reached ({len(back)} slots on {last})")
    out = subprocess.run([site.slotsite, "build", "--incremental", "--site", site.dir], check=True, capture_output=True, text=True).stdout
    check(re.search(r"\b0 written", out) is not None, f"and the next cron build has nothing to do ({out.strip()})")


if __name__ == "__main__":
    main()
