#!/usr/bin/env python3
"""The core loop under the README's other deploy recipes: Apache with mod_cgid (what
Debian's `a2enmod cgi` picks) and nginx with fcgiwrap, each set up as the README says.
Register, add slots, book, a double booking, cancel, and requests refused before their
body is read (403, 405, 413, 415) that still carry a body: every answer must arrive
whole. Usage: servers.py BUILD_DIR. Prints 'N passed, N failed'."""
import http.client, os, re, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, Client, Site, program  # noqa: E402

check = Checks()
SKIPPED = []


def whole(port, method, path, body, headers):
    """Sends one request with `body` and reads the whole answer: (status, body), or
    (None, why) when it arrived cut or not at all."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as e:
        return None, repr(e)
    finally:
        conn.close()


def core_loop(site, name):
    cgi, port = "/cgi-bin/slotsite", site.port
    r, html = Client(port).get("/")
    check(r.status == 200 and "<!doctype html>" in html, f"{name}: the directory page is served")
    pro = Client(port).register(f"pro-{name}")
    client = Client(port).register(f"client-{name}", offer=False)
    other = Client(port).register(f"other-{name}", offer=False)
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 2 * 86400))
    for start, end in (("09:00", "09:45"), ("10:00", "10:45")):
        r, _ = pro.post(cgi + "/slots", [("date", day), ("start", start), ("end", end)])
        check(r.status == 303, f"{name}: add a slot → 303")
    page = Client(port).get(f"/u/pro-{name}/")[1]
    ids = re.findall(r'data-slot="(\d+)"', page)
    check(len(ids) == 2, f"{name}: the profile page shows both slots")
    r, _ = client.post(cgi + "/book", [("slot", ids[0]), ("note", "hello")])
    check(r.status == 303 and r.getheader("Location") == cgi + "/account?done=booked", f"{name}: book → 303")
    r, _ = other.post(cgi + "/book", [("slot", ids[0])])
    check(r.status == 409, f"{name}: a double booking → 409")
    check(f'data-slot="{ids[0]}"' not in Client(port).get(f"/u/pro-{name}/")[1], f"{name}: the booked slot left the page at once")
    r, html = client.get(cgi + "/account")
    booking = re.search(r'data-booking="(\d+)"', html)
    check(r.status == 200 and booking is not None, f"{name}: the client's account lists the booking")
    r, _ = client.post(cgi + f"/bookings/{booking.group(1)}/cancel")
    check(r.status == 303 and f'data-slot="{ids[0]}"' in Client(port).get(f"/u/pro-{name}/")[1], f"{name}: cancel → the slot is back")

    # Refused before the body is read; each answer must still arrive whole.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        ("403 cross-site with 60 KB", "POST", cgi + "/book", "slot=" + "1" * 60000, {**form, "Sec-Fetch-Site": "cross-site"}, 403),
        ("405 PUT with 60 KB", "PUT", cgi + "/book", "x" * 60000, form, 405),
        ("415 text/plain with 60 KB", "POST", cgi + "/book", "x" * 60000, {"Content-Type": "text/plain", "Sec-Fetch-Site": "same-origin"}, 415),
        ("413 with 70 KB", "POST", cgi + "/book", "x" * 70000, {**form, "Sec-Fetch-Site": "same-origin"}, 413),
    ]
    for what, method, path, body, headers, status in cases:
        answers = [whole(port, method, path, body.encode(), headers) for _ in range(10)]
        good = [a for a in answers if a[0] == status and a[1].rstrip().endswith("</html>")]
        check(len(good) == 10, f"{name}: {what}: 10 of 10 answers whole (got {[a[0] for a in answers]}, e.g. {answers[0][1][-80:]!r})")


def main():
    bin_dir = sys.argv[1] if len(sys.argv) > 1 else ".build/debug"
    for name, needs in (("apache", "apache2"), ("nginx", "nginx")):
        missing = [p for p in (needs, "fcgiwrap" if name == "nginx" else needs) if not os.path.exists(program(p))]
        if missing:
            # CI installs them (.ci/run); a developer without them is told what was not run.
            check(not os.environ.get("CI"), f"{name}: {missing} installed")
            SKIPPED.append(f"{name}: {', '.join(missing)} not installed (apt-get install apache2 nginx fcgiwrap)")
            continue
        site = Site(bin_dir, users=2, slots=4, title=name)
        try:
            site.start(name)
            core_loop(site, name)
        except Exception as e:
            import traceback
            traceback.print_exc()
            check(False, f"{name}: raised {e!r}")
        finally:
            if check.failed:
                print(site.error_log()[-3000:])
            site.stop()
    for what in SKIPPED:
        print(f"skipped: {what}")
    print(f"servers: {check.passed} passed, {check.failed} failed")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
