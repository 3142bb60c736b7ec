#!/usr/bin/env python3
"""End-to-end test: the built slotsite and slotsite-cgi under a real lighttpd on
127.0.0.1, driving every route of SPEC over HTTP and checking the public pages after
each change. Usage: e2e.py BUILD_DIR. Prints 'N passed, N failed' and exits non-zero
on any failure."""
import os, re, sqlite3, sys, time, unicodedata
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, Client, Site, run_suite  # noqa: E402

check = Checks()


def slot_ids(html):
    return [int(x) for x in re.findall(r'<li class="slot" data-slot="(\d+)">', html)]


def main():
    site = Site(sys.argv[1] if len(sys.argv) > 1 else ".build/debug").start()
    # When requests have settled, public/ equals a fresh full build (run_suite checks).
    run_suite("e2e", site, check, lambda s: scenario(s.dir, s.port, s.origin), security, newcomer)


def scenario(site, port, origin):
    cgi = "/cgi-bin/slotsite"
    db = lambda: sqlite3.connect(os.path.join(site, "data", "slotsite.db"))
    ada, bob, eve = Client(port), Client(port), Client(port)

    # Static site and plain pages.
    r, html = ada.get("/")
    check(r.status == 200 and "E2E" in html, "directory page served")
    for path in ("/register", "/login"):
        r, html = ada.get(cgi + path)
        check(r.status == 200 and "<form" in html, f"GET {path} is a form")
        check(r.getheader("Content-Type") == "text/html; charset=utf-8", f"GET {path} content type")
        check("frame-ancestors 'none'" in (r.getheader("Content-Security-Policy") or ""), "CSP header")
        check(r.getheader("X-Content-Type-Options") == "nosniff", "nosniff header")
        check(r.getheader("Referrer-Policy") == "same-origin", "Referrer-Policy header")
    r, _ = ada.request("HEAD", cgi + "/login")
    check(r.status == 200, "HEAD /login")

    # Registration: CSRF rule first.
    reg = [("handle", "ada-e2e"), ("name", "Ada <E2E>"), ("email", "ada@e2e.example"), ("password", "correct horse"), ("offer", "1")]
    for headers, what in [({}, "no headers"), ({"Origin": "http://evil.example"}, "foreign Origin"),
                          ({"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site cross-site"),
                          ({"Sec-Fetch-Site": "same-site"}, "Sec-Fetch-Site same-site"),
                          ({"Origin": "null"}, "Origin null"),
                          ({"Origin": origin + ".evil.example"}, "look-alike Origin"),
                          ({"Referer": "http://evil.example/" + origin}, "foreign Referer")]:
        r, _ = ada.post(cgi + "/register", reg, headers=headers)
        check(r.status == 403, f"register with {what} → 403 (got {r.status})")
    check(db().execute("SELECT count(*) FROM users WHERE handle='ada-e2e'").fetchone()[0] == 0, "refused POST changed nothing")
    r, html = ada.post(cgi + "/register", [("handle", "Ada!"), ("name", ""), ("email", "nope"), ("password", "short")])
    check(r.status == 400, "invalid registration → 400")
    check(html.count('class="field-error"') == 4, "each field's problem named")
    r, _ = ada.post(cgi + "/register", reg, headers={"Origin": origin})
    check(r.status == 303 and r.getheader("Location") == cgi + "/account?done=registered", "register → 303 /account")
    cookie = r.getheader("Set-Cookie") or ""
    check(re.match(r"slotsite_session=[A-Za-z0-9_-]{43}; ", cookie) is not None, "session cookie set, 256 bits")
    for attr in ("HttpOnly", "SameSite=Strict", f"Path={cgi}"):
        check(attr in cookie, f"cookie has {attr}")
    check("Secure" not in cookie, "no Secure on http")
    r, html = ada.get("/u/ada-e2e/")
    check(r.status == 200 and "Ada &lt;E2E&gt;" in html and "<E2E>" not in html, "profile published, name escaped")
    check("ada-e2e" in ada.get("/sitemap.xml")[1], "sitemap lists the new profile")
    r, _ = bob.post(cgi + "/register", [("handle", "ada-e2e"), ("name", "B"), ("email", "b@e2e.example"), ("password", "password1")])
    check(r.status == 409, "taken handle → 409")
    r, _ = bob.post(cgi + "/register", [("handle", "bob-e2e"), ("name", "B"), ("email", "ADA@e2e.example"), ("password", "password1")])
    check(r.status == 409, "taken email (any case) → 409")
    r, _ = bob.post(cgi + "/register", [("handle", "bob-e2e"), ("name", "Bob"), ("email", "bob@e2e.example"), ("password", "password1"),
                                        ("offer", "1")],
                    headers={"Referer": origin + "/u/ada-e2e/"})
    check(r.status == 303, "register with a Referer under base_url")
    r, _ = eve.post(cgi + "/register", [("handle", "eve-e2e"), ("name", "Eve"), ("email", "eve@e2e.example"), ("password", "password1")])
    check(r.status == 303 and r.getheader("Location") == cgi + "/account?done=registered-private", "a client registers to book")
    check(ada.get("/u/eve-e2e/")[0].status == 404, "a client who registers to book has no public page")
    check("eve-e2e" not in ada.get("/")[1] and "eve-e2e" not in ada.get("/sitemap.xml")[1], "nor a directory entry or sitemap line")
    check("Your account is private" in eve.get(cgi + "/account")[1], "the account page says the account is private")

    # Request framing.
    r, _ = ada.request("PUT", cgi + "/login")
    check(r.status == 405, "PUT → 405")
    r, _ = ada.request("DELETE", cgi + "/account")
    check(r.status == 405, "DELETE → 405")
    r, _ = ada.post(cgi + "/slots", [("date", "2030-01-01")], headers={"Sec-Fetch-Site": "same-origin", "Content-Type": "text/plain"})
    check(r.status == 415, "text/plain body → 415")
    r, _ = ada.post(cgi + "/slots", [("date", "x" * 70000)])
    check(r.status == 413, "70 KB body → 413")
    r, _ = ada.get(cgi + "/nowhere")
    check(r.status == 404, "unknown path → 404")
    r, _ = ada.post(cgi + "/slots", [("date", "2030-01-01"), ("date", "2030-01-02"), ("start", "09:00"), ("end", "10:00")])
    check(r.status == 400, "repeated field → 400")
    r, _ = ada.post(cgi + "/slots", [("date", "2030-01-01"), ("start", "09:00"), ("end", "10:00"), ("admin", "1")])
    check(r.status == 400, "unknown field → 400")
    r, _ = ada.request("POST", cgi + "/slots", body="date=%G1", headers={"Sec-Fetch-Site": "same-origin",
                       "Content-Type": "application/x-www-form-urlencoded"}, raw=True)
    check(r.status == 400, "bad percent-encoding → 400")

    # Login, logout, session.
    r, _ = Client(port).get(cgi + "/account")
    check(r.status == 303 and r.getheader("Location", "").endswith(cgi + "/login?next=" + cgi + "/account"), "account needs login")
    anon = Client(port)
    r1, wrong = anon.post(cgi + "/login", [("login", "ada-e2e"), ("password", "wrong password")])
    r2, unknown = anon.post(cgi + "/login", [("login", "nobody-here"), ("password", "wrong password")])
    check(r1.status == 401 and r2.status == 401, "wrong password and unknown user → 401")
    strip = lambda h: re.sub(r'value="[^"]*"', "", h)
    check(strip(wrong) == strip(unknown), "one generic 401 page")
    r, _ = anon.post(cgi + "/login", [("login", "ADA@e2e.example"), ("password", "correct horse"), ("next", "/u/ada-e2e/")])
    check(r.status == 303 and r.getheader("Location") == "/u/ada-e2e/", "login by email → 303 next")
    first = anon.cookie
    r, _ = anon.post(cgi + "/login", [("login", "ada-e2e"), ("password", "correct horse"), ("next", "//evil.example/")])
    check(r.status == 303 and r.getheader("Location") == cgi + "/account", "foreign next ignored")
    check(anon.cookie != first, "a new session at every login")
    r, _ = anon.post(cgi + "/logout")
    check(r.status == 303 and r.getheader("Location") == "/", "logout → site root")
    old = Client(port)
    old.cookie = first
    check(old.get(cgi + "/account")[0].status == 200, "an earlier session still works")
    old.cookie = anon.cookie or "slotsite_session=" + "A" * 43
    check(Client(port).get(cgi + "/account", headers={"Cookie": "slotsite_session=" + "A" * 43})[0].status == 303, "never-issued cookie refused")
    r, _ = anon.get(cgi + "/account")
    check(r.status == 303, "logged-out session refused")

    # Profile.
    r, _ = ada.post(cgi + "/account/profile", [("name", "Ada Lovelace"), ("bio", "**Maths** <script>alert(1)</script> [x](javascript:alert(1))"),
                                            ("skills", "Maths, poetry, maths"), ("timezone", "America/New_York")])
    check(r.status == 303, "profile update → 303")
    r, html = ada.get("/u/ada-e2e/")
    check("<strong>Maths</strong>" in html and "<script>alert" not in html and "javascript:" not in html, "bio rendered safely")
    check(html.count("<li>Maths</li>") == 1 and "<li>poetry</li>" in html, "skills deduplicated")
    check("America/New_York" in html, "timezone shown")
    r, _ = ada.post(cgi + "/account/profile", [("name", "Ada"), ("bio", ""), ("skills", ""), ("timezone", "Mars/Olympus")])
    check(r.status == 400, "bad timezone → 400")

    # Slots: in the professional's zone, ordered, no overlap.
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 3 * 86400))
    for start, end in (("11:00", "11:45"), ("09:00", "09:45"), ("10:00", "10:30")):
        r, _ = ada.post(cgi + "/slots", [("date", tomorrow), ("start", start), ("end", end)])
        check(r.status == 303, f"create slot {start} → 303")
    r, html = ada.get("/u/ada-e2e/")
    times = re.findall(r'<button><time datetime="([^"]+)">', html)
    check(len(times) == 3 and times == sorted(times), "new slots shown in order")
    check(all(t.endswith("-05:00") for t in times), "times carry the local offset")
    r, _ = ada.post(cgi + "/slots", [("date", tomorrow), ("start", "09:30"), ("end", "10:15")])
    check(r.status == 409, "overlap → 409")
    r, _ = ada.post(cgi + "/slots", [("date", tomorrow), ("start", "09:45"), ("end", "10:00")])
    check(r.status == 303, "touching slot is fine")
    r, _ = ada.post(cgi + "/slots", [("date", "2020-01-01"), ("start", "09:00"), ("end", "10:00")])
    check(r.status == 400, "past slot → 400")
    r, _ = ada.post(cgi + "/slots", [("date", "2031-03-09"), ("start", "02:30"), ("end", "03:30")])
    check(r.status == 400, "DST gap in New York → 400")
    r, _ = ada.post(cgi + "/slots", [("date", "2027-02-29"), ("start", "09:00"), ("end", "10:00")])
    check(r.status == 400, "2027-02-29 → 400")
    r, _ = ada.post(cgi + "/slots", [("date", tomorrow), ("start", "24:00"), ("end", "10:00")])
    check(r.status == 400, "24:00 → 400")
    ids = slot_ids(ada.get("/u/ada-e2e/")[1])
    check(len(ids) == 4, "four slots published")

    # Delete.
    r, _ = bob.post(cgi + f"/slots/{ids[0]}/delete")
    check(r.status == 403, "delete another's slot → 403")
    r, _ = ada.post(cgi + "/slots/999999/delete")
    check(r.status == 404, "delete missing slot → 404")
    r, _ = ada.post(cgi + f"/slots/{ids[-1]}/delete")
    check(r.status == 303, "delete own slot → 303")
    check(ids[-1] not in slot_ids(ada.get("/u/ada-e2e/")[1]), "deleted slot gone from the page")
    ids = ids[:-1]

    # Book.
    r, _ = ada.post(cgi + "/book", [("slot", str(ids[0]))])
    check(r.status == 403, "book own slot → 403")
    r, _ = bob.post(cgi + "/book", [("slot", "999999")])
    check(r.status == 404, "book missing slot → 404")
    r, _ = bob.post(cgi + "/book", [("slot", "1e3")])
    check(r.status == 400, "malformed slot id → 400")
    r, _ = Client(port).post(cgi + "/book", [("slot", str(ids[0]))], headers={"Sec-Fetch-Site": "same-origin", "Referer": origin + "/u/ada-e2e/"})
    check(r.status == 303 and "/login?next=/u/ada-e2e/" in r.getheader("Location", ""), "book when logged out → login, back to the profile")
    r, _ = bob.post(cgi + "/book", [("slot", str(ids[0])), ("note", "See you <b>then</b>")])
    check(r.status == 303, "book → 303")
    check(ids[0] not in slot_ids(ada.get("/u/ada-e2e/")[1]), "booked slot gone from the page")
    r, _ = eve.post(cgi + "/book", [("slot", str(ids[0]))])
    check(r.status == 409, "double booking → 409")
    r, _ = ada.post(cgi + f"/slots/{ids[0]}/delete")
    check(r.status == 409, "delete booked slot → 409")
    with db() as c:
        ada_id = c.execute("SELECT id FROM users WHERE handle='ada-e2e'").fetchone()[0]
        c.execute("INSERT INTO slots (user_id, starts_at, ends_at) VALUES (?, ?, ?)", (ada_id, int(time.time()) - 60, int(time.time()) + 1800))
        started = c.execute("SELECT max(id) FROM slots").fetchone()[0]
    r, _ = bob.post(cgi + "/book", [("slot", str(started))])
    check(r.status == 410, "started slot → 410")
    with db() as c:
        c.execute("DELETE FROM slots WHERE id = ?", (started,))
    r, html = ada.get(cgi + "/account")
    check(r.status == 200 and "Bob" in html and "See you &lt;b&gt;then&lt;/b&gt;" in html, "professional sees client and escaped note")
    r, html = bob.get(cgi + "/account")
    check("Ada" in html and "/u/ada-e2e/" in html, "client sees the booking")
    check("Bob" not in ada.get("/u/ada-e2e/")[1], "who booked is never public")

    # Cancel.
    booking = db().execute("SELECT id FROM bookings WHERE slot_id = ? AND cancelled_at IS NULL", (ids[0],)).fetchone()[0]
    r, _ = eve.post(cgi + f"/bookings/{booking}/cancel")
    check(r.status == 403, "third party cancel → 403")
    r, _ = bob.post(cgi + "/bookings/999999/cancel")
    check(r.status == 404, "cancel missing booking → 404")
    r, _ = bob.post(cgi + f"/bookings/{booking}/cancel")
    check(r.status == 303, "client cancels → 303")
    check(ids[0] in slot_ids(ada.get("/u/ada-e2e/")[1]), "cancelled slot back on the page")
    r, _ = eve.post(cgi + "/book", [("slot", str(ids[0]))])
    check(r.status == 303, "freed slot can be booked again")
    booking = db().execute("SELECT id FROM bookings WHERE slot_id = ? AND cancelled_at IS NULL", (ids[0],)).fetchone()[0]
    r, _ = ada.post(cgi + f"/bookings/{booking}/cancel")
    check(r.status == 303, "professional cancels → 303")

    # Throttling: ten failures per account in 15 minutes, then 429.
    mallory = Client(port)
    statuses = [mallory.post(cgi + "/login", [("login", "eve-e2e"), ("password", f"guess {i}")])[0].status for i in range(10)]
    check(statuses == [401] * 10, "ten failures answered 401")
    r, _ = mallory.post(cgi + "/login", [("login", "eve-e2e"), ("password", "password1")])
    check(r.status == 429 and int(r.getheader("Retry-After", "0")) > 0, "eleventh attempt → 429 with Retry-After")

    # Logout of the last clients.
    r, _ = bob.post(cgi + "/logout")
    check(r.status == 303 and bob.get(cgi + "/account")[0].status == 303, "logout ends the session")


def security(site):
    """What a new user and an attacker found: throttling under parallel guesses from
    several addresses, text at its limits, folded e-mail addresses, private clients."""
    cgi, port = "/cgi-bin/slotsite", site.port
    Client(port).register("tara-sec")
    Client(port).register("uma-sec")

    def burst(source, login, n, password="wrong password"):
        """n parallel logins from `source`, each its own connection: the statuses."""
        def one(i):
            return Client(port, source).post(cgi + "/login", [("login", login), ("password", f"{password}")])[0].status
        with ThreadPoolExecutor(n) as pool:
            return list(pool.map(one, range(n)))

    # 100 parallel guesses from one address: as if one by one, ten password checks.
    statuses = burst("127.0.0.2", "tara-sec", 100)
    check(statuses.count(401) == 10 and statuses.count(429) == 90,
          f"100 parallel guesses from one address: 10 checked, 90 refused (401 x{statuses.count(401)}, 429 x{statuses.count(429)})")
    # The handle and the address, in any case, share the account's budget.
    r, _ = Client(port, "127.0.0.2").post(cgi + "/login", [("login", " TARA-SEC@EXAMPLE.ORG "), ("password", "x" * 9)])
    check(r.status == 429, "the e-mail address shares the handle's budget")
    r, _ = Client(port, "127.0.0.2").post(cgi + "/login", [("login", "tara-sec"), ("password", "password1")])
    check(r.status == 429, "the right password from the guessing address → 429")
    # Bursts from four more addresses: each gets at most one check once the account is over its limit.
    more = [burst(f"127.0.0.{a}", "tara-sec", 20) for a in (3, 4, 5, 6)]
    check(all(m.count(401) <= 1 and m.count(401) + m.count(429) == 20 for m in more),
          f"other guessing addresses get one check each at most ({[m.count(401) for m in more]})")
    owner = Client(port, "127.0.0.7")
    r, _ = owner.post(cgi + "/login", [("login", "Tara-Sec"), ("password", "password1")])
    check(r.status == 303, "the owner logs in from an address that has not failed")
    # An address that guesses across many accounts reaches its own limit (50).
    statuses = [Client(port, "127.0.0.8").post(cgi + "/login", [("login", f"nobody-{i}"), ("password", "wrong password")])[0].status
                for i in range(51)]
    check(statuses[:50] == [401] * 50 and statuses[50] == 429, "fifty failures from one address, then 429 for any login")
    r, _ = Client(port, "127.0.0.9").post(cgi + "/login", [("login", "uma-sec"), ("password", "password1")])
    check(r.status == 303, "another address is not affected")

    # Text at and past its limits, as a browser sends it: never a 500, stored as accepted.
    tara = Client(port, "127.0.0.7")
    tara.cookie = owner.cookie
    name = unicodedata.normalize("NFD", "Zoë Ångström-Ñúñez ") * 5
    name = name[:100].strip()
    bio = "\r\n\r\n".join(["Para 👩‍💻 with e\u0301 and emoji 👍🏽."] * 400)
    stored_bio = bio.replace("\r\n", "\n")
    bio = bio[:bio.index("\r\n", 9000)] if len(stored_bio) > 10000 else bio
    stored_bio = bio.replace("\r\n", "\n")
    r, _ = tara.post(cgi + "/account/profile", [("name", name), ("bio", bio), ("skills", "Ångström, 👩‍💻 coding"), ("timezone", "UTC")])
    check(r.status == 303, f"a CRLF bio of {len(stored_bio)} code points and a decomposed name of {len(name)} → 303 (got {r.status})")
    row = site.db().execute("SELECT name, bio FROM users WHERE handle='tara-sec'").fetchone()
    check(row == (name, stored_bio), "stored text is the accepted text, line breaks as LF")
    over = stored_bio + "é" * (10001 - len(stored_bio))
    r, html = tara.post(cgi + "/account/profile", [("name", name), ("bio", over), ("skills", ""), ("timezone", "UTC")])
    check(r.status == 400 and "bio" in html and "10,000" in html, f"a bio one code point over → 400 naming it (got {r.status})")
    r, html = tara.post(cgi + "/account/profile", [("name", name + "e\u0301"), ("bio", ""), ("skills", ""), ("timezone", "UTC")])
    check(r.status == 400 and 'class="field-error"' in html, f"a name over 100 code points → 400 (got {r.status})")
    uma = Client(port, "127.0.0.9")
    uma.cookie = None
    r, _ = uma.post(cgi + "/login", [("login", "uma-sec"), ("password", "password1")])
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 2 * 86400))
    r, _ = uma.post(cgi + "/slots", [("date", tomorrow), ("start", "10:00"), ("end", "10:45")])
    slot = slot_ids(uma.get("/u/uma-sec/")[1])[0]
    note = "Line one 👍🏽\r\nline two é\r\n" + "ñ" * 900
    r, html = tara.post(cgi + "/book", [("slot", str(slot)), ("note", note + "ñ" * 100)])
    check(r.status == 400 and "note" in html, f"a note over 1,000 code points → 400 naming it (got {r.status})")
    r, _ = tara.post(cgi + "/book", [("slot", str(slot)), ("note", note)])
    check(r.status == 303, f"a multi-line note → 303 (got {r.status})")
    r, _ = tara.post(cgi + "/book", [("slot", str(slot)), ("note", note)])
    check(r.status == 303, "the same booking form sent twice → 303, not 'someone else booked it'")
    check(site.db().execute("SELECT note FROM bookings WHERE slot_id = ?", (slot,)).fetchone()[0] == note.replace("\r\n", "\n").strip(),
          "the note is stored as accepted")

    # E-mail addresses are one account under Unicode case folding.
    ida = Client(port)
    r, _ = ida.post(cgi + "/register", [("handle", "ida-sec"), ("name", "Ida"), ("email", "ida@bücher.example"), ("password", "password1")])
    check(r.status == 303, "register ida@bücher.example")
    r, _ = Client(port).post(cgi + "/register", [("handle", "ida-two"), ("name", "Ida"), ("email", "IDA@BÜCHER.EXAMPLE"), ("password", "password1")])
    check(r.status == 409, "IDA@BÜCHER.EXAMPLE is the same address → 409")
    r, _ = Client(port).post(cgi + "/login", [("login", unicodedata.normalize("NFD", "Ida@Bücher.Example")), ("password", "password1")])
    check(r.status == 303, "login by the address in another case and composition")

    # Private until they offer time; published and withdrawn from the account page.
    check(ida.get("/u/ida-sec/")[0].status == 404 and "ida-sec" not in ida.get("/")[1], "a client has no page or entry")
    r, _ = ida.post(cgi + "/account/listing", [("listed", "1")])
    check(r.status == 303 and ida.get("/u/ida-sec/")[0].status == 200 and "ida-sec" in ida.get("/")[1]
          and "/u/ida-sec/" in ida.get("/sitemap.xml")[1], "POST /account/listing listed=1 publishes page, entry and sitemap line")
    r, _ = ida.post(cgi + "/account/listing", [("listed", "0")])
    check(r.status == 303 and ida.get("/u/ida-sec/")[0].status == 404 and "ida-sec" not in ida.get("/")[1]
          and "/u/ida-sec/" not in ida.get("/sitemap.xml")[1], "listed=0 withdraws them")
    r, _ = ida.post(cgi + "/account/listing", [("listed", "2")])
    check(r.status == 400, "listed=2 → 400")
    check(site.error_log().count("slotsite-cgi:") == 0, "no fault logged by the CGI")


def newcomer(site):
    """The newcomer's path: the command line's answers, a site opened as localhost,
    booking from a profile page while logged out, with a note."""
    import subprocess
    run = lambda *a: subprocess.run([site.slotsite, *a], capture_output=True, text=True)
    r = run("--version")
    check(r.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+\n", r.stdout) is not None, f"slotsite --version ({r.stdout!r})")
    r = run("seed", "--site", site.dir, "--users", "3", "--slots-per-user", "8", "--seed", "3")
    check(r.returncode == 1 and r.stderr.count("\n") == 1 and "seeded before" in r.stderr and "handleTaken" not in r.stderr,
          f"seed run twice: one clear line ({r.stderr.strip()!r})")
    typo = os.path.join(site.work, "typo")
    os.makedirs(typo)
    with open(os.path.join(typo, "slotsite.yml"), "w") as f:
        f.write("database: data/slotsite.bd\n")
    r = run("build", "--site", typo)
    check(r.returncode == 1 and "database" in r.stderr and "slotsite.yml" in r.stderr
          and not os.path.exists(os.path.join(typo, "data", "slotsite.bd")), f"a typo in database: names the key, creates nothing ({r.stderr.strip()!r})")

    cgi = "/cgi-bin/slotsite"
    pro = Client(site.port).register("nina-new")
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 2 * 86400))
    pro.post(cgi + "/slots", [("date", tomorrow), ("start", "14:00"), ("end", "14:45")])
    r, page = Client(site.port).get("/u/nina-new/")
    form = re.search(r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="slot" value="(\d+)">.*?</form>', page, re.S)
    check(form is not None and 'name="note"' in form.group(0), "the booking form has a note field")
    slot = form.group(2)
    # A visitor who opened the site as localhost, not logged in, picks the slot.
    visitor = Client(site.port)
    host = {"Host": f"localhost:{site.port}", "Sec-Fetch-Site": "same-origin", "Referer": f"http://localhost:{site.port}/u/nina-new/"}
    r, _ = visitor.post(form.group(1), [("slot", slot), ("note", "First time")], headers=host)
    location = r.getheader("Location", "")
    check(r.status == 303 and location.startswith(cgi + "/login?next=/u/nina-new/") and "127.0.0.1" not in location,
          f"logged out: to the login page, on the name the browser used ({location})")
    r, html = visitor.get(location, headers={"Host": f"localhost:{site.port}"})
    check("to book this slot" in html, "the login page says why")
    register = re.search(r'<a href="([^"]*/register[^"]*)">Register</a>', html)
    check(register is not None and "next=/u/nina-new/" in register.group(1), "its Register link keeps the way back")
    r, html = visitor.get(register.group(1).replace("&amp;", "&"))
    check('name="next" value="/u/nina-new/"' in html and 'name="offer"' in html, "the register form carries next and asks about offering")
    r, _ = visitor.post(cgi + "/register", [("handle", "otto-new"), ("name", "Otto"), ("email", "otto@new.example"),
                                            ("password", "password1"), ("next", "/u/nina-new/")], headers=host)
    check(r.status == 303 and r.getheader("Location") == "/u/nina-new/", "registered, back on the profile")
    r, _ = visitor.post(form.group(1), [("slot", slot), ("note", "First time")], headers=host)
    check(r.status == 303 and r.getheader("Location") == cgi + "/account?done=booked", "booked with a note, as localhost")
    r, html = pro.get(cgi + "/account")
    check("First time" in html and "Otto" in html, "the professional sees the note")
    check(visitor.get("/u/otto-new/")[0].status == 404, "the client stays private")
    demo(site)


def demo(site):
    """`slotsite demo` as a newcomer runs it: it says 'serving' only once it listens,
    works as localhost, logs requests, follows --port on a second run, and says so
    when its port is taken."""
    import socket, subprocess, threading
    from harness import free_port
    folder = os.path.join(site.work, "demo")

    def start(port):
        p = subprocess.Popen([site.slotsite, "demo", "--port", str(port), "--folder", folder],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []

        def read():
            for line in p.stdout:
                lines.append(line)
        threading.Thread(target=read, daemon=True).start()
        for _ in range(1200):
            if any(l.startswith("serving ") for l in lines) or p.poll() is not None:
                break
            time.sleep(0.05)
        return p, lines

    def stop(p):
        p.terminate()
        p.wait(timeout=10)

    port = free_port()
    p, lines = start(port)
    try:
        check(any(l.startswith("serving ") for l in lines), f"demo says it is serving ({lines[-3:]})")
        r, html = Client(port).get("/", headers={"Host": f"localhost:{port}"})
        check(r.status == 200 and "u/" in html, "demo answers as localhost")
        guest = Client(port)
        r, _ = guest.post("/cgi-bin/slotsite/register", [("handle", "lola-demo"), ("name", "Lola"), ("email", "lola@demo.example"),
                                                          ("password", "password1")],
                          headers={"Host": f"localhost:{port}", "Sec-Fetch-Site": "same-origin"})
        check(r.status == 303 and r.getheader("Location") == "/cgi-bin/slotsite/account?done=registered-private",
              "a form posted to the demo as localhost stays on localhost")
        time.sleep(0.2)
        check(any(re.match(r"POST /cgi-bin/slotsite/register 303 \d+ ms", l) for l in lines), "the demo logs each request")
    finally:
        stop(p)
    other = free_port()
    p, lines = start(other)
    try:
        check(Client(other).get("/")[0].status == 200, "demo --port follows a second run on another port")
        with open(os.path.join(folder, "slotsite.yml")) as f:
            check(f"base_url: http://127.0.0.1:{other}/" in f.read(), "the demo site's base_url follows the port")
    finally:
        stop(p)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    p, lines = start(taken.getsockname()[1])
    p.wait(timeout=60)
    err = p.stderr.read()
    check(p.returncode == 1 and not any(l.startswith("serving") for l in lines) and "cannot listen" in err,
          f"a taken port: an error, and no 'serving' ({err.strip()!r})")
    taken.close()


if __name__ == "__main__":
    main()
