#!/usr/bin/env python3
"""Proves SPEC's promises against the built binaries: races under lighttpd, a
mutation storm, kill -9 during bookings and builds, a reader during page
replacements, a full disk, a corpus of bad input, login timing, and an update of
the time zone rules.

  promises.py BUILD_DIR [--long]

The default is the short version that the README's test command runs; --long is
what scripts/stress runs. Every loop is bounded by count and time. Prints
'N passed, N failed' and exits non-zero on any failure."""
import os, random, re, shutil, signal, sqlite3, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checks, Site  # noqa: E402

check = Checks()
CGI_PATH = "/cgi-bin/slotsite"
LONG = "--long" in sys.argv
figures = []


def note(line):
    figures.append(line)
    print(line, flush=True)


def day(offset):
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + offset * 86400))


def parallel(functions, timeout=120):
    """Runs the callables at once (released together) and returns their results."""
    results = [None] * len(functions)
    barrier = threading.Barrier(len(functions))

    def run(i):
        try:
            barrier.wait(timeout)
            results[i] = functions[i]()
        except Exception as e:  # a transport error is a result too
            results[i] = e
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(functions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


# MARK: Races under lighttpd

def races(site, rounds, contenders=50):
    pro = site.client().register("race-pro")
    clients = [site.client() for _ in range(contenders)]
    parallel([lambda c=c, i=i: c.register(f"racer-{i}") for i, c in enumerate(clients)], timeout=600)
    outcomes = {"303": 0, "409": 0, "other": 0}
    clean_rounds = 0
    deadline = time.time() + (900 if LONG else 120)
    for r in range(rounds):
        if time.time() > deadline:
            break
        start = 6 * 60 + (r % 160) * 6
        date = day(2 + r // 160)
        fields = [("date", date), ("start", f"{start // 60:02}:{start % 60:02}"), ("end", f"{(start + 5) // 60:02}:{(start + 5) % 60:02}")]
        assert pro.post(CGI_PATH + "/slots", fields)[0].status == 303
        with site.db() as c:
            slot = c.execute("SELECT max(id) FROM slots").fetchone()[0]
        statuses = [r[0].status if not isinstance(r, Exception) else repr(r)
                    for r in parallel([lambda c=c: c.post(CGI_PATH + "/book", [("slot", str(slot))]) for c in clients])]
        wins, losses = statuses.count(303), statuses.count(409)
        outcomes["303"] += wins
        outcomes["409"] += losses
        outcomes["other"] += len(statuses) - wins - losses
        if wins == 1 and losses == contenders - 1:
            clean_rounds += 1
        else:
            check(False, f"race round {r}: {sorted(set(map(str, statuses)))} wins={wins}")
        with site.db() as c:
            active = c.execute("SELECT count(*) FROM bookings WHERE slot_id = ? AND cancelled_at IS NULL", (slot,)).fetchone()[0]
        check(active == 1, f"round {r}: exactly one active booking in the store")
    check(clean_rounds > 0 and outcomes["other"] == 0, "every booking race: one 303, the rest 409, nothing else")
    note(f"booking races: {clean_rounds} rounds x {contenders} processes: {outcomes['303']} x 303, "
         f"{outcomes['409']} x 409, {outcomes['other']} other")
    page = pro.get("/u/race-pro/")[1]
    check("data-slot" not in page, "every raced slot is gone from the public page")

    # Overlapping creates: many shifted copies of one slot at once.
    maker = site.client().register("overlap-pro")
    fields = lambda k: [("date", day(4)), ("start", f"10:{k % 60:02}"), ("end", f"11:{k % 60:02}")]
    statuses = [r[0].status for r in parallel([lambda k=k: maker.post(CGI_PATH + "/slots", fields(k)) for k in range(contenders)])]
    check(statuses.count(303) >= 1 and statuses.count(303) + statuses.count(409) == contenders,
          f"overlapping creates answered 303 or 409 ({statuses.count(303)} created)")
    note(f"overlapping slot creates: {contenders} at once: {statuses.count(303)} x 303, {statuses.count(409)} x 409")
    check(site.invariant_violations() == {}, f"no overlapping slots after the race: {site.invariant_violations()}")


# MARK: Mutation storm

def storm(site, seconds, workers=8, max_requests=20000):
    people = [site.client().register(f"storm-{i}") for i in range(workers)]
    with site.db() as c:
        ids = {h: i for i, h in c.execute("SELECT id, handle FROM users WHERE handle LIKE 'storm-%'")}
    counts = {}
    lock = threading.Lock()
    stop = time.time() + seconds
    done = [0]

    def work(k):
        me = people[k]
        my_id = ids[f"storm-{k}"]
        rng = random.Random(k)
        while time.time() < stop and done[0] < max_requests:
            op = rng.random()
            with site.db() as c:
                if op < 0.3:
                    start = rng.randrange(6 * 60, 20 * 60, 5)
                    r = me.post(CGI_PATH + "/slots", [("date", day(2 + rng.randrange(5))), ("start", f"{start // 60:02}:{start % 60:02}"),
                                                       ("end", f"{(start + 30) // 60:02}:{(start + 30) % 60:02}")])
                elif op < 0.45:
                    row = c.execute("SELECT id FROM slots WHERE user_id = ? ORDER BY random() LIMIT 1", (my_id,)).fetchone()
                    r = me.post(CGI_PATH + f"/slots/{row[0] if row else 999999}/delete")
                elif op < 0.8:
                    row = c.execute("""SELECT s.id FROM slots s WHERE s.user_id != ? AND s.starts_at > strftime('%s') + 60
                                       ORDER BY random() LIMIT 1""", (my_id,)).fetchone()
                    r = me.post(CGI_PATH + "/book", [("slot", str(row[0] if row else 999999))])
                else:
                    row = c.execute("""SELECT b.id FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE b.cancelled_at IS NULL
                                       AND (b.client_id = ? OR s.user_id = ?) ORDER BY random() LIMIT 1""", (my_id, my_id)).fetchone()
                    r = me.post(CGI_PATH + f"/bookings/{row[0] if row else 999999}/cancel")
            status = r[0].status
            with lock:
                counts[status] = counts.get(status, 0) + 1
                done[0] += 1

    began = time.time()
    parallel([lambda k=k: work(k) for k in range(workers)], timeout=seconds + 120)
    took = time.time() - began
    allowed = {303, 400, 403, 404, 409, 410}
    check(set(counts) <= allowed, f"storm statuses only {sorted(allowed)}: {counts}")
    note(f"mutation storm: {sum(counts.values())} requests from {workers} clients in {took:.0f} s: "
         + ", ".join(f"{n} x {s}" for s, n in sorted(counts.items())))
    diffs = site.fresh_build_differences()
    check(diffs == [], f"after the storm public/ equals a fresh full build (differs: {diffs[:5]})")
    check(site.invariant_violations() == {}, f"invariants after the storm: {site.invariant_violations()}")


# MARK: The CGI run directly, as a web server would

def cgi_env(site, method, path, body=b"", cookie="", extra=None, length=None):
    env = {"SLOTSITE_SITE": site.dir, "REQUEST_METHOD": method, "PATH_INFO": path, "REMOTE_ADDR": "127.0.0.1",
           "HTTP_SEC_FETCH_SITE": "same-origin", "PATH": "/usr/bin:/bin"}
    if cookie:
        env["HTTP_COOKIE"] = cookie
    if method == "POST":
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        env["CONTENT_LENGTH"] = str(len(body)) if length is None else length
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def cgi(site, method, path, body=b"", cookie="", extra=None, length=None):
    p = subprocess.run([site.cgi], input=body, env=cgi_env(site, method, path, body, cookie, extra, length),
                       capture_output=True, timeout=60)
    head = p.stdout.split(b"\r\n\r\n")[0].decode("utf-8", "replace")
    m = re.match(r"Status: (\d+)", head)
    return (int(m.group(1)) if m else None), head, p.stdout, p.returncode, p.stderr.decode("utf-8", "replace")


def login_cookie(site, handle, password="password1"):
    body = f"login={handle}&password={password}".encode()
    status, head, *_ = cgi(site, "POST", "/login", body)
    assert status == 303, (handle, status)
    return re.search(r"(slotsite_session=[A-Za-z0-9_-]+)", head).group(1)


def traced_cgi(site, method, path, body, cookie):
    """Runs one request under strace; returns its status and, in order, what it did:
    ("sync", path) for each fsync or fdatasync, ("lock", path) for each exclusive flock
    and ("nice", value) for each setpriority of itself."""
    log = os.path.join(site.work, "strace-cgi")
    p = subprocess.run(["strace", "-f", "-qq", "-o", log, "-e", "trace=openat,fsync,fdatasync,flock,setpriority", site.cgi],
                       input=body, env=cgi_env(site, method, path, body, cookie), capture_output=True, timeout=60)
    fds, events = {}, []
    with open(log) as lines:
        for line in lines:  # "pid call(args) = result"; a pid's fd names its last open
            pid = line.split()[0]
            if m := re.search(r'openat\(AT_FDCWD, "([^"]+)".*\) = (\d+)$', line):
                fds[pid, m.group(2)] = m.group(1)
            elif m := re.search(r"\b(?:fsync|fdatasync)\((\d+)\) += 0", line):
                events.append(("sync", fds.get((pid, m.group(1)), "?")))
            elif m := re.search(r"flock\((\d+), LOCK_EX[^)]*\) += 0", line):
                events.append(("lock", fds.get((pid, m.group(1)), "?")))
            elif m := re.search(r"setpriority\(PRIO_PROCESS, 0, (-?\d+)\) += 0", line):
                events.append(("nice", m.group(1)))
    status = re.match(rb"Status: (\d+)", p.stdout)
    return (int(status.group(1)) if status else None), events


def crash_bookings(site, kills):
    site.client().register("crash-pro")
    site.client().register("crash-client")
    cookie = login_cookie(site, "crash-client")
    pro_cookie = login_cookie(site, "crash-pro")
    for k in range(kills):
        start = 6 * 60 + (k % 160) * 6
        cgi(site, "POST", "/slots", f"date={day(8 + k // 160)}&start={start // 60:02}:{start % 60:02}&end={start // 60:02}:{start % 60 + 5:02}".encode(),
            cookie=pro_cookie)
    with site.db() as c:
        pro = c.execute("SELECT id FROM users WHERE handle = 'crash-pro'").fetchone()[0]
        slots = [r[0] for r in c.execute("SELECT id FROM slots WHERE user_id = ? ORDER BY id", (pro,))]
    rng = random.Random(7)
    killed = finished = 0
    for slot in slots[:kills]:
        body = f"slot={slot}".encode()
        p = subprocess.Popen([site.cgi], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=cgi_env(site, "POST", "/book", body, cookie))
        p.stdin.write(body)
        p.stdin.close()
        time.sleep(rng.uniform(0, 0.012))
        p.send_signal(signal.SIGKILL)
        rc = p.wait()
        if rc == -signal.SIGKILL:
            killed += 1
        else:
            finished += 1
    violations = site.invariant_violations()
    check(violations == {}, f"after kill -9 during bookings: integrity and invariants hold ({violations})")
    with site.db() as c:
        booked = c.execute("SELECT count(*) FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE s.user_id = ?", (pro,)).fetchone()[0]
    torn = [b for b in site.torn_pages() if b[0] == "torn"]
    check(torn == [], f"no partial page after kill -9 during bookings: {torn[:3]}")
    out = site.run("build", "--site", site.dir)
    check(site.torn_pages() == [], "the next build leaves no temporary file")
    diffs = site.fresh_build_differences()
    check(diffs == [], f"after kills and a build, public/ equals a fresh build ({diffs[:3]})")
    note(f"kill -9 during bookings: {kills} runs, {killed} killed, {finished} finished first, {booked} bookings committed;"
         f" integrity ok; next build: {out.strip()}")


def wal_syncs(bin_dir):
    """SPEC: a booking answered 303 survives a crash (synchronous=FULL). The CGI syncs
    the store's WAL at each commit; the WAL's directory is synced once, after the file
    is made, and marked so (SyncedWAL.swift), not in every process's first commit. On a
    site of its own, so that no other connection keeps the WAL from going away."""
    site = Site(bin_dir, users=0, title="WAL").start()
    try:
        wal_bookings(site)
    finally:
        site.stop()


def wal_bookings(site):
    site.client().register("sync-pro")
    site.client().register("sync-client")
    cookie, pro_cookie = login_cookie(site, "sync-client"), login_cookie(site, "sync-pro")
    for k in range(3):
        cgi(site, "POST", "/slots", f"date={day(9)}&start={10 + k:02}:00&end={10 + k:02}:30".encode(), cookie=pro_cookie)
    with site.db() as c:
        slots = [r[0] for r in c.execute("SELECT s.id FROM slots s JOIN users u ON u.id = s.user_id"
                                         " WHERE u.handle = 'sync-pro' ORDER BY s.id")]
    c.close()
    data, wal, mark = os.path.dirname(site.db_path), site.db_path + "-wal", "user.slotsite.dir-synced"

    def traced_booking(slot):
        """Books `slot` under strace; returns the status and the paths synced."""
        status, events = traced_cgi(site, "POST", "/book", f"slot={slot}".encode(), cookie)
        return status, [what for call, what in events if call == "sync"]

    def marked():
        return os.path.exists(wal) and mark in os.listxattr(wal)

    try:
        os.listxattr(site.db_path)
    except OSError as e:  # no user attributes here: SQLite's own sync of the directory in every process
        status, synced = traced_booking(slots[0])
        check(status == 303 and wal in synced and data in synced,
              f"without extended attributes ({e}) a booking syncs the WAL and its directory ({status}, synced {synced})")
        note(f"wal syncs: the store's file system keeps no extended attributes ({e.strerror}); SQLite's directory sync kept")
        return
    if marked():
        os.removexattr(wal, mark)
    status, synced = traced_booking(slots[0])
    check(status == 303 and data in synced and marked(),
          f"an unmarked WAL: the booking syncs its directory, then marks it ({status}, synced {synced})")
    status, synced = traced_booking(slots[1])
    check(status == 303 and wal in synced and data not in synced,
          f"a marked WAL: the booking syncs the WAL at its commit, not the directory ({status}, synced {synced})")
    # Python's connection deletes the WAL when it closes last (the CGI's never do).
    for _ in range(50):
        c = sqlite3.connect(site.db_path)
        c.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        c.close()
        if not os.path.exists(wal):
            break
        time.sleep(0.1)
    check(not os.path.exists(wal), "the WAL is gone after the last connection closed")
    status, synced = traced_booking(slots[2])
    check(status == 303 and data in synced and marked(),
          f"a new WAL: the booking syncs its directory, then marks it ({status}, synced {synced})")
    with site.db() as c:
        booked = c.execute("SELECT count(*) FROM bookings WHERE cancelled_at IS NULL AND slot_id IN (?, ?, ?)", slots).fetchone()[0]
    c.close()
    check(booked == 3, f"the three bookings are in the store ({booked})")


def renders_yield(site):
    """Once a change has committed, its pages render at the lowest CPU priority (nice 19,
    StandardStreams.swift): under load the processes still on their way to the store's
    write lock, and the one holding it, get the cores first. The commit's sync of the WAL
    comes before it and the render lock after; a request that commits nothing, or is
    refused, keeps its priority."""
    for handle in ("nice-pro", "nice-client", "nice-other"):
        site.client().register(handle)
    pro, client, other = (login_cookie(site, h) for h in ("nice-pro", "nice-client", "nice-other"))
    cgi(site, "POST", "/slots", f"date={day(11)}&start=10:00&end=10:30".encode(), cookie=pro)
    with site.db() as c:
        slot = c.execute("SELECT s.id FROM slots s JOIN users u ON u.id = s.user_id WHERE u.handle = 'nice-pro'").fetchone()[0]
    c.close()

    status, events = traced_cgi(site, "POST", "/book", f"slot={slot}".encode(), client)
    commit = ("sync", site.db_path + "-wal")
    render = ("lock", site.db_path + ".render-lock")
    nices = [k for k, e in enumerate(events) if e[0] == "nice"]
    check(status == 303 and len(nices) == 1 and events[nices[0]] == ("nice", "19")
          and commit in events[:nices[0]] and render not in events[:nices[0]] and render in events[nices[0]:],
          f"a booking commits, then renders its pages at nice 19 under the render lock ({status}, {events})")
    status, events = traced_cgi(site, "POST", "/book", f"slot={slot}".encode(), other)
    check(status == 409 and not [e for e in events if e[0] == "nice"],
          f"a refused booking keeps its priority ({status}, {events})")
    status, events = traced_cgi(site, "GET", "/account", b"", client)
    check(status == 200 and not [e for e in events if e[0] == "nice"],
          f"a request that changes nothing keeps its priority ({status}, {events})")


def zone_update(bin_dir):
    """Pages show local times by the system's zone rules (TZif files under TZDIR). When
    an update of tzdata changes a zone's rules, the next cron build renders the pages
    again and the directory forgets the UTC offsets it kept: the output is a fresh
    build's by the new rules. Here a copy of the zone database is updated as dpkg would
    (files replaced by rename): Europe/Berlin takes Asia/Tokyo's rules."""
    tzdir = tempfile.mkdtemp(prefix="slotsite-tz-")
    shutil.rmtree(tzdir)
    shutil.copytree("/usr/share/zoneinfo", tzdir, symlinks=True, ignore=shutil.ignore_patterns("right", "posix"))
    before = os.environ.get("TZDIR")
    os.environ["TZDIR"] = tzdir  # for the site's command lines, the fresh build's too
    site = None
    try:
        site = Site(bin_dir, users=5, slots=4, title="Zones")
        env = {"TZDIR": tzdir}
        registered, *_ = cgi(site, "POST", "/register", b"handle=zone-pro&name=Zone+Pro&email=zone%40example.org&password=password1&offer=1",
                             extra=env)
        cookie = login_cookie(site, "zone-pro")
        added, *_ = cgi(site, "POST", "/slots", f"date={day(9)}&start=10:00&end=10:30".encode(), cookie=cookie, extra=env)
        with site.db() as c:
            pro, zone = c.execute("SELECT id, timezone FROM users WHERE handle = 'zone-pro'").fetchone()
        c.close()
        page = os.path.join(site.output, "u", "zone-pro", "index.html")

        def kept_offset():
            with sqlite3.connect(os.path.join(site.dir, "data", "build-ledger.db")) as ledger:
                row = ledger.execute("SELECT utc_offset FROM next_free WHERE user_id = ?", (pro,)).fetchone()
            ledger.close()
            return row and row[0]
        offset = kept_offset()
        check(registered == added == 303 and zone == "Europe/Berlin" and "T10:00:00+01:00" in open(page).read() and offset == 3600,
              f"before the update the slot shows at 10:00 +01:00 in {zone}, the directory keeps offset {offset}")
        for name, source in (("Europe/Berlin", os.path.join(tzdir, "Asia", "Tokyo")), ("tzdata.zi", None)):
            target = os.path.join(tzdir, name)
            data = open(source, "rb").read() if source else open(target, "rb").read() + b"# rules updated\n"
            with open(target + ".dpkg-new", "wb") as f:
                f.write(data)
            os.replace(target + ".dpkg-new", target)
        out = site.run("build", "--site", site.dir, "--incremental")
        text = open(page).read()
        offset = kept_offset()
        check("T18:00:00+09:00" in text and "+01:00" not in text and offset in (None, 32400),
              f"after the update the incremental build shows the slot by the new rules, 18:00 +09:00, and the"
              f" directory's offset is found again ({offset}; {out.strip()})")
        diffs = site.fresh_build_differences()
        check(diffs == [], f"after the update public/ equals a fresh build by the new rules (differs: {diffs[:5]})")
    finally:
        if before is None:
            os.environ.pop("TZDIR", None)
        else:
            os.environ["TZDIR"] = before
        if site:
            site.stop()
        shutil.rmtree(tzdir, ignore_errors=True)


def crash_builds(site, kills, what="builds"):
    """Each build has a third of the profiles to render again and is killed at a random
    moment within the time such a build took here, so most die mid-build."""
    rng = random.Random(11)

    def outdate(k):  # make a third of the profiles out of date, so the build has much to write
        with site.db() as c:
            c.execute("UPDATE users SET name = name || '.' WHERE id % 3 = ?", (k % 3,))

    outdate(2)
    started = time.monotonic()
    site.run("build", "--site", site.dir)
    window = time.monotonic() - started
    killed = 0
    for k in range(kills):
        outdate(k)
        p = subprocess.Popen([site.slotsite, "build", "--site", site.dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, window))
        p.send_signal(signal.SIGKILL)
        if p.wait() == -signal.SIGKILL:
            killed += 1
        torn = [b for b in site.torn_pages() if b[0] == "torn"]
        if not check(torn == [], f"no partial page after killing build {k}: {torn[:3]}"):
            break
    site.run("build", "--site", site.dir)
    check(site.torn_pages() == [], "the build after the kills leaves no temporary file")
    check(site.fresh_build_differences() == [], "after killed builds, a build equals a fresh one")
    check(site.invariant_violations() == {}, "store intact after killed builds")
    check(2 * killed >= kills, f"most builds were killed mid-build ({killed} of {kills}; one takes {window * 1000:.0f} ms)")
    note(f"kill -9 during {what}: {kills} runs, {killed} killed mid-build (a build takes {window * 1000:.0f} ms); no partial page seen")


def crash_threaded_builds(bin_dir, kills):
    """Killed builds of a site big enough (a third of 300 profiles out of date each time)
    that the store is read on one thread while worker threads render."""
    site = Site(bin_dir, users=300, slots=8, title="Threads")
    try:
        crash_builds(site, kills, what="builds on worker threads")
    finally:
        site.stop()


def torn_reader(site, replacements):
    site.client().register("reader-pro")
    client = site.client().register("reader-client")
    pro_cookie = login_cookie(site, "reader-pro")
    assert cgi(site, "POST", "/slots", f"date={day(20)}&start=10:00&end=10:30".encode(), cookie=pro_cookie)[0] == 303
    with site.db() as c:
        slot = c.execute("SELECT max(id) FROM slots").fetchone()[0]
    cookie = login_cookie(site, "reader-client")
    page = os.path.join(site.output, "u", "reader-pro", "index.html")
    stop = threading.Event()
    reads, torn, changed = [0], [0], [0]
    versions, pages = set(), set()

    def reader(pause):
        # One reads each page at once; the other is like a web server sending to a slow
        # client: part of the page, a pause longer than a booking takes, the rest. The
        # file it holds open must not change under it, though it stops being the page.
        while not stop.is_set():
            with open(page, "rb") as f:
                before = os.fstat(f.fileno())
                data = f.read(1024)
                if pause:
                    time.sleep(pause)
                data += f.read()
                after = os.fstat(f.fileno())
            reads[0] += 1
            if (before.st_mtime_ns, before.st_size) != (after.st_mtime_ns, after.st_size):
                changed[0] += 1
            if not (data.startswith(b"<!doctype html>") and data.endswith(b"</html>\n")):
                torn[0] += 1
            versions.add(b"data-slot" in data)
            pages.add(data)
    threads = [threading.Thread(target=reader, args=(pause,)) for pause in (0, 0.1)]
    for t in threads:
        t.start()
    deadline = time.time() + (600 if LONG else 60)
    done = 0
    while done < replacements and time.time() < deadline:
        status = cgi(site, "POST", "/book", f"slot={slot}".encode(), cookie=cookie)[0]
        with site.db() as c:
            booking = c.execute("SELECT id FROM bookings WHERE slot_id = ? AND cancelled_at IS NULL", (slot,)).fetchone()
        if booking:
            cgi(site, "POST", f"/bookings/{booking[0]}/cancel", cookie=cookie)
        done += 2 if status == 303 else 1
    stop.set()
    for t in threads:
        t.join()
    check(torn[0] == 0 and reads[0] > 0, f"a reader never sees a torn page ({torn[0]} torn of {reads[0]} reads)")
    check(versions == {True, False}, "the reader saw both versions of the page")
    check(len(pages) == 2, f"the reader saw only the page's two versions, whole ({len(pages)} distinct)")
    check(changed[0] == 0, f"no file changed while a reader had it open ({changed[0]} of {reads[0]} reads)")
    note(f"torn-page reader: {reads[0]} reads during {done} page replacements, {torn[0]} torn, {changed[0]} changed while open")


# MARK: A full disk while rendering

def disk_full(bin_dir):
    mount = os.path.join("/tmp", f"slotsite-tmpfs-{os.getpid()}")
    os.makedirs(mount, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount]).returncode != 0:
        check(False, "disk-full test needs root to mount a small tmpfs")
        return
    site = None
    try:
        site = Site(bin_dir, users=2, slots=4, output=mount)
        pro = site.run("user", "list", "--site", site.dir).split("\t")[0]
        page = os.path.join(mount, "u", pro, "index.html")
        before = open(page, "rb").read()
        assert cgi(site, "POST", "/register", b"handle=disk-client&name=D&email=d%40x.org&password=password1")[0] == 303
        cookie = login_cookie(site, "disk-client")
        with site.db() as c:
            slot = c.execute("SELECT s.id FROM slots s JOIN users u ON u.id = s.user_id WHERE u.handle = ? ORDER BY s.starts_at LIMIT 1",
                             (pro,)).fetchone()[0]
        st = os.statvfs(mount)
        filler = os.path.join(mount, "filler")
        with open(filler, "wb") as f:  # leave less room than a page needs
            try:
                f.write(b"\0" * (st.f_bavail * st.f_frsize))
            except OSError:
                pass
        status, head, out, rc, err = cgi(site, "POST", "/book", f"slot={slot}".encode(), cookie=cookie)
        check(status == 500 and rc == 0, f"a full disk while rendering answers 500 (got {status}, exit {rc})")
        check("No space" in err or "cannot" in err, "the details go to stderr")
        check(b"No space" not in out and b"/tmp/" not in out, "the page says nothing of the details")
        check(open(page, "rb").read() == before, "the old page stays intact")
        check([b for b in site.torn_pages() if b[0] == "temporary"] == [], "no temporary file left")
        check(site.invariant_violations() == {}, "the store stays consistent")
        with site.db() as c:
            check(c.execute("SELECT count(*) FROM bookings WHERE slot_id = ? AND cancelled_at IS NULL", (slot,)).fetchone()[0] == 1,
                  "the committed booking is kept")
        os.remove(filler)
        out = site.run("build", "--incremental", "--site", site.dir)
        check(f'data-slot="{slot}"'.encode() not in open(page, "rb").read(), f"the next incremental build brings the page up to date ({out.strip()})")
        note(f"full disk while rendering: 500, old page intact, no temporary file, booking kept; incremental build then: {out.strip()}")
    finally:
        if site:
            site.stop()
        subprocess.run(["umount", mount])
        os.rmdir(mount)


# MARK: Bad input

def corpus(site):
    site.client().register("corpus-user")
    site.client().register("corpus-other")
    me = login_cookie(site, "corpus-user")
    other = login_cookie(site, "corpus-other")
    assert cgi(site, "POST", "/slots", f"date={day(30)}&start=10:00&end=10:45".encode(), cookie=other)[0] == 303
    assert cgi(site, "POST", "/slots", f"date={day(30)}&start=11:00&end=11:45".encode(), cookie=other)[0] == 303
    with site.db() as c:
        theirs, deleted = [r[0] for r in c.execute(
            "SELECT s.id FROM slots s JOIN users u ON u.id = s.user_id WHERE u.handle = 'corpus-other' ORDER BY s.id")]
        now = int(time.time())
        uid = c.execute("SELECT id FROM users WHERE handle = 'corpus-other'").fetchone()[0]
        c.execute("INSERT INTO slots (user_id, starts_at, ends_at) VALUES (?, ?, ?)", (uid, now - 120, now + 1800))
        started = c.execute("SELECT max(id) FROM slots").fetchone()[0]
    assert cgi(site, "POST", f"/slots/{deleted}/delete", cookie=other)[0] == 303
    expired = "slotsite_session=" + "B" * 43
    big = 2 ** 63
    cases = [
        # (what, method, path, body, cookie, extra env, CONTENT_LENGTH override, expected statuses)
        ("length -1", "POST", "/book", b"slot=1", me, None, "-1", {400}),
        ("length +5", "POST", "/book", b"slot=1", me, None, "+5", {400}),
        ("length 5x", "POST", "/book", b"slot=1", me, None, "5x", {400}),
        ("length 1e3", "POST", "/book", b"slot=1", me, None, "1e3", {400}),
        ("length 10^20", "POST", "/book", b"slot=1", me, None, "100000000000000000000", {413}),
        ("length past Int.max", "POST", "/book", b"slot=1", me, None, "9999999499999999999", {413}),
        ("length absent", "POST", "/book", b"slot=1", me, {"CONTENT_LENGTH": None}, None, {400}),
        ("length lies high", "POST", "/book", b"slot=1", me, None, "500", {400}),
        ("length lies low", "POST", "/book", f"slot={theirs}".encode(), me, None, "5", {400}),
        ("%", "POST", "/book", b"slot=%", me, None, None, {400}),
        ("%G1", "POST", "/book", b"slot=%G1", me, None, None, {400}),
        ("%00", "POST", "/book", b"slot=%00", me, None, None, {400}),
        ("overlong UTF-8", "POST", "/book", f"slot={theirs}&note=%C0%AF".encode(), me, None, None, {400}),
        ("invalid UTF-8", "POST", "/book", f"slot={theirs}&note=%FF%FE".encode(), me, None, None, {400}),
        ("CR/LF in a login", "POST", "/login", b"login=x%0D%0ASet-Cookie:%20a%3Db&password=wrongwrong", "", None, None, {401}),
        ("1 MB field", "POST", "/book", b"slot=1&note=" + b"x" * 1_000_000, me, None, None, {413}),
        ("10^5 fields", "POST", "/book", b"&".join([b"a=1"] * 100_000), me, None, None, {413}),
        ("10^3 fields", "POST", "/book", b"&".join([b"a%d=1" % i for i in range(1_000)]), me, None, None, {400}),
        ("Origin null", "POST", "/book", f"slot={theirs}".encode(), me, {"HTTP_SEC_FETCH_SITE": None, "HTTP_ORIGIN": "null"}, None, {403}),
        ("look-alike Origin", "POST", "/book", f"slot={theirs}".encode(), me,
         {"HTTP_SEC_FETCH_SITE": None, "HTTP_ORIGIN": site.origin + ".evil.example"}, None, {403}),
        ("look-alike Origin 2", "POST", "/book", f"slot={theirs}".encode(), me,
         {"HTTP_SEC_FETCH_SITE": None, "HTTP_ORIGIN": site.origin.replace("127.0.0.1", "127.0.0.1.nip.io")}, None, {403}),
        ("Sec-Fetch-Site same-site", "POST", "/book", f"slot={theirs}".encode(), me, {"HTTP_SEC_FETCH_SITE": "same-site"}, None, {403}),
        ("Sec-Fetch-Site none", "POST", "/book", f"slot={theirs}".encode(), me, {"HTTP_SEC_FETCH_SITE": "none"}, None, {403}),
        ("no origin headers", "POST", "/book", f"slot={theirs}".encode(), me, {"HTTP_SEC_FETCH_SITE": None}, None, {403}),
        ("foreign Referer", "POST", "/book", f"slot={theirs}".encode(), me,
         {"HTTP_SEC_FETCH_SITE": None, "HTTP_REFERER": "http://evil.example/" + site.origin + "/"}, None, {403}),
        ("repeated field", "POST", "/book", f"slot={theirs}&slot={theirs}".encode(), me, None, None, {400}),
        ("unknown field", "POST", "/book", f"slot={theirs}&client_id=1".encode(), me, None, None, {400}),
        ("unknown field on register", "POST", "/register", b"handle=zzz-new&name=Z&email=z%40x.org&password=password1&admin=1", "", None, None, {400}),
        ("duplicated cookie", "POST", "/book", f"slot={theirs}".encode(), f"{me}; {me}", None, None, {303}),
        ("oversized cookie", "POST", "/book", f"slot={theirs}".encode(), me + "; pad=" + "x" * 10000, None, None, {303}),
        ("never-issued cookie", "POST", "/book", f"slot={theirs}".encode(), "slotsite_session=" + "A" * 43, None, None, {303}),
        ("expired or unknown cookie", "POST", "/book", f"slot={theirs}".encode(), expired, None, None, {303}),
        ("malformed cookie", "POST", "/book", f"slot={theirs}".encode(), "slotsite_session=../../etc", None, None, {303}),
        ("HTTP_PROXY set", "GET", "/login", b"", "", {"HTTP_PROXY": "http://127.0.0.1:9/"}, None, {200}),
        ("shell-looking headers", "GET", "/login", b"", "", {"HTTP_USER_AGENT": "() { :; }; /bin/false", "HTTP_X_X": "$(reboot)"}, None, {200}),
        ("handle ..", "POST", "/register", b"handle=..&name=X&email=x1%40x.org&password=password1", "", None, None, {400}),
        ("handle a/b", "POST", "/register", b"handle=a%2Fb&name=X&email=x2%40x.org&password=password1", "", None, None, {400}),
        ("handle reserved", "POST", "/register", b"handle=admin&name=X&email=x3%40x.org&password=password1", "", None, None, {400}),
        ("handle upper case", "POST", "/register", b"handle=Adam&name=X&email=x4%40x.org&password=password1", "", None, None, {400}),
        ("handle 300 bytes", "POST", "/register", b"handle=" + b"a" * 300 + b"&name=X&email=x5%40x.org&password=password1", "", None, None, {400}),
        ("handle NUL", "POST", "/register", b"handle=ab%00cd&name=X&email=x6%40x.org&password=password1", "", None, None, {400}),
        ("handle taken", "POST", "/register", b"handle=corpus-user&name=X&email=x7%40x.org&password=password1", "", None, None, {409}),
        ("password empty", "POST", "/register", b"handle=pw-a&name=X&email=pa%40x.org&password=", "", None, None, {400}),
        ("password 7", "POST", "/register", b"handle=pw-b&name=X&email=pb%40x.org&password=1234567", "", None, None, {400}),
        ("password 1025", "POST", "/register", b"handle=pw-c&name=X&email=pc%40x.org&password=" + b"p" * 1025, "", None, None, {400}),
        ("password NUL", "POST", "/register", b"handle=pw-d&name=X&email=pd%40x.org&password=abcd%00efgh", "", None, None, {400}),
        ("delete id 0", "POST", "/slots/0/delete", b"", me, None, None, {404}),
        ("delete id -1", "POST", "/slots/-1/delete", b"", me, None, None, {404}),
        ("delete id 2^63", "POST", f"/slots/{big}/delete", b"", me, None, None, {404}),
        ("delete id 1e3", "POST", "/slots/1e3/delete", b"", me, None, None, {404}),
        ("delete another's slot", "POST", f"/slots/{theirs}/delete", b"", me, None, None, {403}),
        ("delete a deleted slot", "POST", f"/slots/{deleted}/delete", b"", other, None, None, {404}),
        ("book id 0", "POST", "/book", b"slot=0", me, None, None, {400}),
        ("book id -1", "POST", "/book", b"slot=-1", me, None, None, {400}),
        ("book id 2^63", "POST", "/book", f"slot={big}".encode(), me, None, None, {400}),
        ("book id 1e3", "POST", "/book", b"slot=1e3", me, None, None, {400}),
        ("book own slot", "POST", "/book", f"slot={theirs}".encode(), other, None, None, {403}),
        ("book a deleted slot", "POST", "/book", f"slot={deleted}".encode(), me, None, None, {404}),
        ("book a started slot", "POST", "/book", f"slot={started}".encode(), me, None, None, {410}),
        ("cancel id 2^63", "POST", f"/bookings/{big}/cancel", b"", me, None, None, {404}),
        ("time 24:00", "POST", "/slots", f"date={day(31)}&start=24:00&end=24:30".encode(), me, None, None, {400}),
        ("date 2027-02-29", "POST", "/slots", b"date=2027-02-29&start=10:00&end=11:00", me, None, None, {400}),
        ("DST gap", "POST", "/slots", b"date=2031-03-30&start=02:30&end=03:30", me, None, None, {400}),
        ("in the past", "POST", "/slots", b"date=2020-01-01&start=10:00&end=11:00", me, None, None, {400}),
        ("overlap", "POST", "/slots", f"date={day(30)}&start=10:30&end=11:15".encode(), other, None, None, {409}),
        ("13 hours", "POST", "/slots", f"date={day(31)}&start=08:00&end=21:00".encode(), me, None, None, {400}),
        ("bad timezone", "POST", "/account/profile", b"name=X&bio=&skills=&timezone=Mars%2FBase", me, None, None, {400}),
        ("timezone path", "POST", "/account/profile", b"name=X&bio=&skills=&timezone=..%2F..%2Fetc%2Fpasswd", me, None, None, {400}),
        ("bio too long", "POST", "/account/profile", b"name=X&skills=&timezone=UTC&bio=" + b"x" * 10001, me, None, None, {400}),
        ("21 skills", "POST", "/account/profile", b"name=X&bio=&timezone=UTC&skills=" + b"%2C".join(b"s%d" % i for i in range(21)), me, None, None, {400}),
        ("PUT", "PUT", "/book", b"", me, None, None, {405}),
        ("text/plain", "POST", "/book", b"slot=1", me, {"CONTENT_TYPE": "text/plain"}, None, {415}),
        ("dot segments", "GET", "/slots/../account", b"", me, None, None, {404}),
    ]
    before = site.digest()
    bad = 0
    for what, method, path, body, cookie, extra, length, expected in cases:
        status, head, out, rc, err = cgi(site, method, path, body, cookie, extra, length)
        ok = status in expected and rc == 0 and head.startswith("Status: ")
        if status == 303:
            ok = ok and "/login?next=" in head
        ok = check(ok, f"corpus {what}: expected {sorted(expected)}, got {status} (exit {rc}) {err[:200]}")
        now_digest = site.digest()
        if not check(now_digest == before, f"corpus {what}: the store is unchanged"):
            before = now_digest
        bad += 0 if ok else 1
    note(f"bad-input corpus: {len(cases)} cases, {bad} wrong")

    # Accepted but dangerous input: stored as given, shown escaped or safe.
    xss = ("**hi** <script>alert(1)</script> [a](javascript:alert(1)) [b](JaVaScRiPt&#58;alert(1)) "
           "![c](data:text/html,x) <img src=x onerror=alert(1)> [d](vbscript:x)")
    from urllib.parse import quote_plus
    body = f"name={quote_plus('<b>Eve</b>')}&bio={quote_plus(xss)}&skills={quote_plus('<i>x</i>')}&timezone=UTC".encode()
    check(cgi(site, "POST", "/account/profile", body, cookie=me)[0] == 303, "XSS bio is accepted and stored")
    page = open(os.path.join(site.output, "u", "corpus-user", "index.html")).read().lower()
    # The theme's own script, from /assets/, is the one script a page may load.
    theme_script = '<script src="/assets/local-time.js" defer></script>'
    check(page.count(theme_script) == 1, "the theme's script is loaded once")
    page = page.replace(theme_script, "")
    check(all(v not in page for v in ("<script", "javascript:", "vbscript:", "data:text", "onerror=", "<b>eve", "<i>x")),
          "nothing typed reaches the page unescaped")
    for name, bio in [("brackets", "[" * 9000), ("emphasis", "*a" * 4900), ("quotes", "> " * 4900 + "x"), ("links", "[a](" * 2400)]:
        t = time.time()
        status = cgi(site, "POST", "/account/profile", f"name=X&bio={quote_plus(bio)}&skills=&timezone=UTC".encode(), cookie=me)[0]
        check(status == 303, f"pathological bio {name} accepted")
        note(f"pathological bio '{name}' ({len(bio)} chars): saved and page rendered in {1000 * (time.time() - t):.0f} ms (a whole CGI run)")
    # Passwords at the edges are kept exactly.
    for handle, pw in [("pw-long", "p" * 1024), ("pw-multi", "ü" * 40), ("pw-space", "  spaced out  ")]:
        status = cgi(site, "POST", "/register", f"handle={handle}&name=X&email={handle}%40x.org&password={quote_plus(pw)}".encode())[0]
        check(status == 303, f"password {handle} accepted")
        wrong = pw[:-1] if handle != "pw-space" else pw.strip()
        check(cgi(site, "POST", "/login", f"login={handle}&password={quote_plus(wrong)}".encode())[0] == 401, f"{handle}: a near miss fails")
        check(cgi(site, "POST", "/login", f"login={handle}&password={quote_plus(pw)}".encode())[0] == 303, f"{handle}: the exact password works")
    # DST overlap: accepted, the earlier instant.
    status = cgi(site, "POST", "/account/profile", b"name=X&bio=&skills=&timezone=Europe%2FBerlin", cookie=me)[0]
    status = cgi(site, "POST", "/slots", b"date=2031-10-26&start=02:30&end=03:30", cookie=me)[0]
    with site.db() as c:
        row = c.execute("SELECT starts_at, ends_at FROM slots s JOIN users u ON u.id = s.user_id WHERE u.handle = 'corpus-user'").fetchone()
    import datetime
    earlier = int(datetime.datetime(2031, 10, 26, 0, 30, tzinfo=datetime.timezone.utc).timestamp())  # 02:30 CEST
    check(status == 303 and row == (earlier, earlier + 7200), f"DST overlap takes the earlier instant ({status}, {row})")


# MARK: Login timing

def timing(site, samples):
    """A wrong password and an unknown login must take the same time. The two kinds
    alternate, so that load from elsewhere falls on both alike, and the medians may
    differ by 10% or by what their own spread explains, whichever is larger."""
    site.client().register("timing-user")
    times = {"wrong": [], "unknown": []}
    for i in range(samples):
        for kind in (("wrong", "unknown") if i % 2 == 0 else ("unknown", "wrong")):
            login = "timing-user" if kind == "wrong" else f"nobody-{i}"
            with site.db() as c:
                c.execute("DELETE FROM login_attempts")
            t = time.perf_counter()
            status, _, out, *_ = cgi(site, "POST", "/login", f"login={login}&password=not-the-password".encode())
            times[kind].append(time.perf_counter() - t)
            check(status == 401, f"{kind} login → 401")
    wrong, unknown = statistics.median(times["wrong"]), statistics.median(times["unknown"])

    def spread(xs):  # the standard error of a median, from the median absolute deviation
        m = statistics.median(xs)
        return 1.253 * 1.4826 * statistics.median(abs(x - m) for x in xs) / len(xs) ** 0.5
    tolerance = max(0.10 * wrong, 3 * (spread(times["wrong"]) ** 2 + spread(times["unknown"]) ** 2) ** 0.5)
    check(abs(wrong - unknown) < tolerance,
          f"median times within {tolerance * 1000:.1f} ms: wrong {wrong * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms")
    note(f"login timing ({samples} each): wrong password median {wrong * 1000:.1f} ms, unknown user {unknown * 1000:.1f} ms "
         f"({100 * (unknown - wrong) / wrong:+.1f}%, tolerance {100 * tolerance / wrong:.0f}%)")


def disk_full_unprivileged(bin_dir):
    """A normal user cannot mount a tmpfs, but may in a user and mount namespace of
    its own, where it is root: the same test runs there. Where the kernel allows no
    such namespace, the test is skipped and says so."""
    unshare = shutil.which("unshare") or "/usr/bin/unshare"
    probe = subprocess.run([unshare, "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        SKIPPED.append("full disk while rendering: needs root, or unprivileged user namespaces "
                       f"(unshare said: {probe.stderr.decode().strip()})")
        return
    r = subprocess.run([unshare, "--user", "--map-root-user", "--mount", sys.executable, os.path.abspath(__file__),
                        "--disk-full-only", bin_dir], capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    m = re.search(r"^disk-full: (\d+) passed, (\d+) failed$", r.stdout, re.M)
    check(m is not None and r.returncode == 0, f"the full-disk test ran in a user namespace (exit {r.returncode})")
    if m:
        check.passed += int(m.group(1))
        check.failed += int(m.group(2))


SKIPPED = []


def main():
    bin_dir = next((a for a in sys.argv[1:] if not a.startswith("--")), ".build/debug")
    if "--disk-full-only" in sys.argv:
        disk_full(bin_dir)
        print(f"disk-full: {check.passed} passed, {check.failed} failed")
        sys.exit(1 if check.failed else 0)
    site = Site(bin_dir, users=6, slots=16, title="Promises").start()
    try:
        for name, step in [("corpus", lambda: corpus(site)),
                           ("races", lambda: races(site, rounds=100 if LONG else 4)),
                           ("storm", lambda: storm(site, seconds=120 if LONG else 10)),
                           ("torn reader", lambda: torn_reader(site, replacements=5000 if LONG else 300)),
                           ("wal syncs", lambda: wal_syncs(bin_dir)),
                           ("zone update", lambda: zone_update(bin_dir)),
                           ("renders yield", lambda: renders_yield(site)),
                           ("crash bookings", lambda: crash_bookings(site, kills=300 if LONG else 30)),
                           ("crash builds", lambda: crash_builds(site, kills=200 if LONG else 15)),
                           ("crash threaded builds", lambda: crash_threaded_builds(bin_dir, kills=100 if LONG else 10)),
                           ("timing", lambda: timing(site, samples=60 if LONG else 24))]:
            began = time.time()
            try:
                step()
            except Exception as e:
                import traceback
                traceback.print_exc()
                check(False, f"{name} raised {e!r}")
            print(f"-- {name}: {time.time() - began:.1f} s", flush=True)
    finally:
        if check.failed:
            print(site.error_log()[-3000:])
        site.stop()
    try:
        if os.geteuid() == 0:
            disk_full(bin_dir)
        else:
            disk_full_unprivileged(bin_dir)
    except Exception as e:
        check(False, f"disk full raised {e!r}")
    print("\n".join(["", "figures:"] + figures))
    for what in SKIPPED:
        print(f"skipped: {what}")
    print(f"promises: {check.passed} passed, {check.failed} failed")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
