#!/usr/bin/env python3
"""End-to-end test of mail: the built CGI under lighttpd writes messages to the outbox,
its background drain and `slotsite mail` hand them to Debian's msmtp as the sendmail
command, and msmtp delivers them over SMTP to a sink on loopback (aiosmtpd). Every
message received is parsed: headers, MIME structure, text, and the text/calendar part
by python's icalendar. Also the account recovery routes, and the faults: no mail
system, a failing one, a hanging one. Usage: mail.py BUILD_DIR."""
import email, email.policy, os, re, shutil, sqlite3, statistics, subprocess, sys, threading, time
from email.utils import parsedate_to_datetime

import icalendar
from aiosmtpd.controller import Controller

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, Client, Site, free_port  # noqa: E402

check = Checks()
CGI = "/cgi-bin/slotsite"
SENDER = "bookings@example.org"


class Sink:
    """An SMTP server on loopback that keeps every message it is given."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"

    def wait(self, count, timeout=15):
        """The messages once at least `count` have arrived (or what came by the timeout)."""
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if len(self.messages) >= count:
                    break
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)

    def take(self, count, timeout=15):
        """Waits for `count` new messages and removes them from the sink, parsed."""
        got = self.wait(count, timeout)
        with self.lock:
            self.messages = self.messages[len(got):]
        return [Received(*m) for m in got]


class Received:
    def __init__(self, mail_from, rcpt, raw):
        self.envelope_from, self.rcpt, self.raw = mail_from, rcpt, raw
        self.msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = self.msg.get_body(preferencelist=("plain",))
        self.text = text.get_content() if text else ""
        self.calendar = None
        for part in self.msg.walk():
            if part.get_content_type() == "text/calendar":
                self.method = part.get_param("method")
                self.calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))

    def header(self, name):
        return str(self.msg[name] or "")

    def event(self):
        return next(iter(self.calendar.walk("VEVENT")))


def headers_ascii(raw):
    head = raw.split(b"\r\n\r\n", 1)[0]
    return all(b < 0x80 for b in head) and b"\n" not in head.replace(b"\r\n", b"")


def configure(site, **keys):
    """Rewrites slotsite.yml with the test's keys."""
    path = os.path.join(site.dir, "slotsite.yml")
    lines = [l for l in open(path).read().splitlines() if l.split(":")[0] not in keys]
    lines += [f"{k}: {v}" for k, v in keys.items() if v is not None]
    open(path, "w").write("\n".join(lines) + "\n")


def mail(site, *args):
    return subprocess.run([site.slotsite, "mail", "--site", site.dir, *args], capture_output=True, text=True)


def timed_post(client, path, fields):
    t = time.perf_counter()
    r, body = client.post(path, fields)
    return r, body, time.perf_counter() - t


def add_slot(client, day, start, end):
    r, _ = client.post(CGI + "/slots", [("date", day), ("start", start), ("end", end)])
    assert r.status == 303, r.status


def free_slots(site, handle):
    html = open(os.path.join(site.output, "u", handle, "index.html")).read()
    return [int(x) for x in re.findall(r'data-slot="(\d+)"', html)]


def main():
    bin_dir = sys.argv[1] if len(sys.argv) > 1 else ".build/debug"
    sink = Sink()
    site = Site(bin_dir, users=0, title="Mail & Co").start()
    rc = os.path.join(site.work, "msmtprc")
    with open(rc, "w") as f:
        f.write(f"defaults\nauth off\ntls off\nlogfile {site.work}/msmtp.log\n"
                f"account default\nhost 127.0.0.1\nport {sink.port}\nfrom {SENDER}\n")
    os.chmod(rc, 0o600)
    msmtp = f"{shutil.which('msmtp') or '/usr/bin/msmtp'} -C {rc} -t -i"
    configure(site, mail_from=SENDER, sendmail=msmtp, reminder_hours=2)
    try:
        try:
            bookings(site, sink)
            recovery(site, sink)
            faults(site, sink, msmtp)
            two_drains(site, sink, msmtp)
        except Exception as e:
            import traceback
            traceback.print_exc()
            check(False, f"scenario raised {e!r}")
    finally:
        if check.failed:
            print(site.error_log()[-3000:])
            try:
                print(open(os.path.join(site.work, "msmtp.log")).read()[-2000:])
            except OSError:
                pass
        subprocess.run(["pkill", "-f", os.path.join(site.work, "hang")], capture_output=True)
        site.stop()
        sink.controller.stop()
    print(f"mail: {check.passed} passed, {check.failed} failed")
    sys.exit(1 if check.failed else 0)


def bookings(site, sink):
    ada = Client(site.port).register("ada")
    bob = Client(site.port).register("bob", offer=False)
    # A name a header must encode, with quotes and a line separator it must not pass on.
    r, _ = bob.post(CGI + "/account/profile", [("name", 'Bö "the client" Ünal\u2028Bcc: x@evil.example'), ("bio", ""),
                                                ("skills", ""), ("timezone", "America/New_York")])
    check(r.status == 303, f"client profile saved ({r.status})")
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 2))
    add_slot(ada, tomorrow, "09:00", "09:45")
    add_slot(ada, tomorrow, "10:00", "10:45")
    slot = free_slots(site, "ada")[0]
    with sqlite3.connect(site.db_path) as c:
        start, end = c.execute("SELECT starts_at, ends_at FROM slots WHERE id = ?", (slot,)).fetchone()

    r, _, took = timed_post(bob, CGI + "/book", [("slot", str(slot)), ("note", "Room 4; bring notes, please\nand a pen \\ ok")])
    check(r.status == 303, f"booking answered 303 ({r.status}, {took * 1000:.0f} ms)")
    got = sink.take(2)
    check(len(got) == 2, f"the background drain delivered the booking to both parties ({len(got)})")
    by_to = {m.rcpt[0]: m for m in got}
    pro, client = by_to.get("ada@example.org"), by_to.get("bob@example.org")
    check(pro is not None and client is not None, f"one message to each party ({list(by_to)})")
    if not (pro and client):
        return
    with sqlite3.connect(site.db_path) as c:
        booking = c.execute("SELECT id FROM bookings WHERE slot_id = ?", (slot,)).fetchone()[0]
    for m, zone_hint in ((pro, "Europe/Berlin"), (client, "America/New_York")):
        check(headers_ascii(m.raw), "headers are ASCII only, CRLF-separated (RFC 2047 for the rest)")
        check(m.header("From") == f"Mail & Co <{SENDER}>" and m.envelope_from == SENDER, f"From ({m.header('From')})")
        check(parsedate_to_datetime(m.header("Date")) is not None, "Date parses")
        check(re.fullmatch(r"<[0-9]+\.[0-9]+\.booking@127\.0\.0\.1>", m.header("Message-ID")) is not None,
              f"Message-ID ({m.header('Message-ID')})")
        check(m.msg.get_content_type() == "multipart/mixed" and m.calendar is not None and m.method == "REQUEST",
              "multipart/mixed with a text/calendar; method=REQUEST part")
        check(zone_hint in m.text, f"times in the receiver's own zone ({zone_hint})")
        ev = m.event()
        check(str(ev["UID"]) == f"booking-{booking}@127.0.0.1" and int(ev["SEQUENCE"]) == 0, "UID and SEQUENCE 0")
        check(int(ev.decoded("DTSTART").timestamp()) == start and int(ev.decoded("DTEND").timestamp()) == end,
              "DTSTART and DTEND are the slot's instants")
        check(str(ev["DESCRIPTION"]) == "Room 4; bring notes, please\nand a pen \\ ok", "the note survives TEXT escaping")
        check(str(m.calendar["METHOD"]) == "REQUEST" and str(ev["STATUS"]) == "CONFIRMED", "METHOD:REQUEST, CONFIRMED")
    check(client.header("To").startswith('"Bö \\"the client\\" Ünal Bcc: x@evil.example"') or
          client.msg["To"].addresses[0].display_name == 'Bö "the client" Ünal Bcc: x@evil.example',
          f"the client's name is one encoded display name ({client.header('To')!r})")
    check(client.rcpt == ["bob@example.org"] and b"evil" not in b"".join(l for l in client.raw.split(b"\r\n\r\n")[0].split(b"\r\n")
                                                                          if l.lower().startswith(b"bcc")),
          "no header injected: the message goes to the client alone")
    berlin = time.strftime("%H:%M", time.gmtime(start + 3600))  # Berlin is UTC+1 in winter
    check(f"{berlin}" in pro.text and "Bö" in pro.text, "the professional's text names the client and the Berlin time")
    check("ada" in client.text.lower() and "/u/ada/" in client.text, "the client's text links the professional's page")

    # Cancellation by the professional: both hear, and who cancelled.
    r, _ = ada.post(CGI + f"/bookings/{booking}/cancel")
    check(r.status == 303, f"cancel answered 303 ({r.status})")
    got = {m.rcpt[0]: m for m in sink.take(2)}
    check(len(got) == 2, f"both parties hear of the cancellation ({list(got)})")
    if len(got) == 2:
        c = got["bob@example.org"]
        check("Ada cancelled" in c.text and "You cancelled" in got["ada@example.org"].text, "says who cancelled")
        ev = c.event()
        check(c.method == "CANCEL" and str(ev["UID"]) == f"booking-{booking}@127.0.0.1" and int(ev["SEQUENCE"]) == 1
              and str(ev["STATUS"]) == "CANCELLED", "METHOD:CANCEL, the same UID, a higher SEQUENCE")

    # Reminder: a booking made before the reminder window, due once the window opens.
    second = free_slots(site, "ada")[0]
    r, _ = bob.post(CGI + "/book", [("slot", str(second))])
    check(r.status == 303 and len(sink.take(2)) == 2, "second booking mailed")
    now = int(time.time())
    with sqlite3.connect(site.db_path) as c:
        # Time passes: the slot now starts in 90 minutes, and was booked three hours ago.
        c.execute("UPDATE slots SET starts_at = ?, ends_at = ? WHERE id = ?", (now + 5400, now + 8100, second))
        c.execute("UPDATE bookings SET created_at = ? WHERE slot_id = ?", (now - 10800, second))
    out = mail(site)
    got = sink.take(2)
    check(out.returncode == 0 and len(got) == 2 and all(m.header("Subject").startswith("Reminder:") for m in got),
          f"`slotsite mail` sends the reminder to both ({out.stdout.strip()}, {[m.header('Subject') for m in got]})")
    mail(site)
    check(sink.take(1, timeout=1) == [], "a reminder is sent once")

    # A client who wants no booking mail gets none; the professional still does.
    r, _ = bob.post(CGI + "/account/notifications", [("reminder_mail", "1")])
    check(r.status == 303, "notification settings saved")
    r, _ = bob.post(CGI + f"/bookings/{bookings_of(site, 'bob')[0]}/cancel")
    got = sink.take(2, timeout=3)
    check([m.rcpt[0] for m in got] == ["ada@example.org"], f"only the professional hears ({[m.rcpt for m in got]})")


def bookings_of(site, handle):
    with sqlite3.connect(site.db_path) as c:
        return [r[0] for r in c.execute("""SELECT b.id FROM bookings b JOIN users u ON u.id = b.client_id
                                           WHERE u.handle = ? AND b.cancelled_at IS NULL""", (handle,))]


def link_in(message, path):
    m = re.search(r"http://127\.0\.0\.1:\d+(" + re.escape(CGI + path) + r"\?token=[A-Za-z0-9_-]{43})", message.text)
    return m.group(1) if m else None


def recovery(site, sink):
    ada_phone = Client(site.port)
    r, _ = ada_phone.post(CGI + "/login", [("login", "ada"), ("password", "password1")])
    check(r.status == 303, "ada logs in on a second device")

    # Known and unknown addresses: the same status, Location and body.
    anon = Client(site.port, source="127.0.0.9")
    r1, b1 = anon.post(CGI + "/password/forgot", [("email", "ada@example.org")])
    r2, b2 = anon.post(CGI + "/password/forgot", [("email", "nobody@example.org")])
    check(r1.status == r2.status == 303 and r1.getheader("Location") == r2.getheader("Location") == CGI + "/password/forgot?sent=1"
          and b1 == b2, f"same answer for a known and an unknown address ({r1.status}, {r2.status})")
    got = sink.take(1)
    check(len(got) == 1 and got[0].rcpt == ["ada@example.org"], "one reset link, to the known address only")
    check(sink.take(1, timeout=2) == [], "nothing to the unknown address")
    link = link_in(got[0], "/password/reset") if got else None
    check(link is not None, "the message carries a reset link")
    if not link:
        return
    with sqlite3.connect(site.db_path) as c:
        token = link.split("token=")[1]
        check(c.execute("SELECT count(*) FROM account_tokens WHERE token_hash = ?", (token.encode(),)).fetchone()[0] == 0
              and c.execute("SELECT count(*) FROM outbox WHERE token IS NOT NULL AND sent_at IS NOT NULL").fetchone()[0] == 0,
              "the link's secret is stored hashed, and not kept once sent")
    r, html = anon.get(link)
    check(r.status == 200 and 'name="token"' in html and r.getheader("Referrer-Policy") == "no-referrer", "the link opens the form")
    r, _ = anon.post(CGI + "/password/reset", [("token", token), ("password", "short")])
    check(r.status == 400, f"a bad new password is a 400 ({r.status})")
    r, _ = anon.post(CGI + "/password/reset", [("token", token), ("password", "a new password")])
    check(r.status == 303 and anon.cookie, f"reset: 303 and logged in ({r.status})")
    r, _ = ada_phone.get(CGI + "/account")
    check(r.status == 303 and "/login" in r.getheader("Location", ""), "every other session ended")
    r, _ = anon.post(CGI + "/password/reset", [("token", token), ("password", "another one!")])
    check(r.status == 400, f"the link works once ({r.status})")
    r, _ = ada_phone.post(CGI + "/login", [("login", "ada"), ("password", "a new password")])
    check(r.status == 303, "the new password logs in")

    # Same timing, within noise: alternate known and unknown addresses from fresh client
    # addresses, so that no throttle is reached.
    for i in range(12):
        Client(site.port).register(f"timing{i}")
    samples = {True: [], False: []}
    for i in range(24):
        known = i % 2 == 0
        who = f"timing{i // 2}@example.org" if known else f"ghost{i}@example.org"
        c = Client(site.port, source=f"127.0.1.{i + 1}")
        r, _, took = timed_post(c, CGI + "/password/forgot", [("email", who)])
        samples[known].append(took)
    sink.take(12)
    k, u = statistics.median(samples[True]), statistics.median(samples[False])
    check(abs(k - u) <= max(0.005, 0.25 * max(k, u)), f"known {k * 1000:.1f} ms, unknown {u * 1000:.1f} ms: within noise")

    # Throttled per typed address, whoever asks.
    codes = [Client(site.port, source=f"127.0.2.{i + 1}").post(CGI + "/password/forgot", [("email", "bob@example.org")])[0]
             for i in range(4)]
    check([r.status for r in codes] == [303, 303, 303, 429] and codes[3].getheader("Retry-After"),
          f"the fourth request within the hour for one address is 429 ({[r.status for r in codes]})")
    sink.take(3)

    # Changing the address: a link to the new one, which replaces the old when opened.
    bob = Client(site.port)
    bob.post(CGI + "/login", [("login", "bob"), ("password", "password1")])
    r, html = bob.post(CGI + "/account/email", [("current", "wrong password"), ("email", "bob@new.example")])
    check(r.status == 400 and "current password is wrong" in html, f"a wrong current password is a 400 ({r.status})")
    r, _ = bob.post(CGI + "/account/email", [("current", "password1"), ("email", "ADA@example.org")])
    check(r.status == 409, f"an address another account has is a 409 ({r.status})")
    r, _ = bob.post(CGI + "/account/email", [("current", "password1"), ("email", "bob@new.example")])
    check(r.status == 303, f"address change asked ({r.status})")
    got = sink.take(1)
    check(len(got) == 1 and got[0].rcpt == ["bob@new.example"], "the confirmation goes to the new address")
    link = link_in(got[0], "/email/confirm") if got else None
    r, _ = bob.get(link or CGI + "/email/confirm?token=x")
    check(r.status == 303, f"opening the link changes the address ({r.status})")
    r, _ = bob.get(link or CGI + "/email/confirm?token=x")
    check(r.status == 400, f"the link works once ({r.status})")
    with sqlite3.connect(site.db_path) as c:
        check(c.execute("SELECT email FROM users WHERE handle = 'bob'").fetchone()[0] == "bob@new.example", "address changed")

    # Changing the password ends the other sessions, not this one.
    other = Client(site.port)
    other.post(CGI + "/login", [("login", "bob@new.example"), ("password", "password1")])
    r, _ = bob.post(CGI + "/account/password", [("current", "password1"), ("password", "a better one")])
    check(r.status == 303 and bob.get(CGI + "/account")[0].status == 200, "password changed, this session kept")
    check(other.get(CGI + "/account")[0].status == 303, "the other session ended")


def faults(site, sink, msmtp):
    ada = Client(site.port)
    ada.post(CGI + "/login", [("login", "ada"), ("password", "a new password")])
    bob = Client(site.port)
    bob.post(CGI + "/login", [("login", "bob"), ("password", "a better one")])
    bob.post(CGI + "/account/notifications", [("booking_mail", "1"), ("reminder_mail", "1")])
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 3))
    for h in range(8, 16):
        add_slot(ada, day, f"{h:02}:00", f"{h:02}:30")
    slots = free_slots(site, "ada")

    def book_and_cancel():
        slot = slots.pop(0)
        r, _, took = timed_post(bob, CGI + "/book", [("slot", str(slot))])
        return r.status, took

    base = sorted(book_and_cancel()[1] for _ in range(3))[1]
    sink.take(6)

    hang = os.path.join(site.work, "hang")
    with open(hang, "w") as f:
        f.write("#!/bin/sh\nexec sleep 600\n")
    os.chmod(hang, 0o755)
    for name, command in (("no mail system", "/nonexistent/sendmail -t -i"), ("a failing mail system", "/bin/false"),
                          ("a hanging mail system", hang)):
        configure(site, sendmail=command)
        status, took = book_and_cancel()
        check(status == 303 and took < max(1.0, 5 * base), f"{name}: the booking answers 303 at its usual speed "
              f"({took * 1000:.0f} ms, usual {base * 1000:.0f} ms)")
        if name == "a hanging mail system":
            t = time.perf_counter()
            r, _ = ada.get(CGI + "/account")
            check(r.status == 200 and time.perf_counter() - t < 2, "while it hangs, other requests are answered")
            t = time.perf_counter()
            out = mail(site, "--timeout", "2")
            took = time.perf_counter() - t
            check(took < 10 and "did not finish within 2 seconds" in out.stdout, f"a hanging mail system is timed out "
                  f"({took:.1f} s: {out.stdout.strip()})")
        else:
            time.sleep(0.5)
            mail(site)
        status = mail(site, "--status").stdout
        check(re.search(r"booking to (ada|bob)@example\.org, (due|failed)", status) is not None and
              {"no mail system": "cannot run /nonexistent/sendmail", "a failing mail system": "exited with status 1",
               "a hanging mail system": "did not finish"}[name] in status,
              f"{name}: `slotsite mail --status` shows what waits and why:\n{status}")
    subprocess.run(["pkill", "-f", hang], capture_output=True)
    # The mail system is back: what waited is sent when due (the test moves the clock on).
    configure(site, sendmail=msmtp)
    with sqlite3.connect(site.db_path) as c:
        waiting = c.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
        c.execute("UPDATE outbox SET due_at = 0, claimed_until = NULL WHERE sent_at IS NULL")
    out = mail(site)
    got = sink.take(waiting)
    check(waiting == 6 and len(got) == 6, f"after the faults, the 6 waiting messages arrive ({waiting} waited, {len(got)} came)")
    check("0 waiting, 0 failed" in mail(site, "--status").stdout, "nothing waits any more")


def two_drains(site, sink, msmtp):
    """Many messages, three drains at once: each message arrives once."""
    configure(site, mail_from=None)
    ada = Client(site.port)
    ada.post(CGI + "/login", [("login", "ada"), ("password", "a new password")])
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * 4))
    for h in range(0, 24):
        add_slot(ada, day, f"{h:02}:00", f"{h:02}:30")
    clients = [Client(site.port).register(f"many{i}", offer=False) for i in range(3)]
    slots = free_slots(site, "ada")[:24]
    for i, slot in enumerate(slots):
        r, _ = clients[i % 3].post(CGI + "/book", [("slot", str(slot))])
        assert r.status == 303
    out = mail(site)
    check("mail_from is not set" in out.stdout and sink.take(1, timeout=1) == [],
          "without mail_from nothing leaves and messages wait")
    configure(site, mail_from=SENDER)
    procs = [subprocess.Popen([site.slotsite, "mail", "--site", site.dir], stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate()[0] for p in procs]
    got = sink.take(48, timeout=30)
    ids = [m.header("Message-ID") for m in got]
    sent = sum(int(m.group(1)) for m in (re.search(r"(\d+) sent", o) for o in outs) if m)
    check(len(got) == 48 and len(set(ids)) == 48 and sent == 48,
          f"three drains at once: 48 messages, each once ({len(got)} came, {len(set(ids))} distinct, drains said {sent})")
    check(sink.take(1, timeout=2) == [], "no message twice")


if __name__ == "__main__":
    main()
