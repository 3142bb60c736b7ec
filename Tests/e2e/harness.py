"""Shared pieces of the end-to-end tests: a site folder, lighttpd on 127.0.0.1 running
the built CGI, an HTTP client that keeps its session, and checks that count."""
import filecmp, hashlib, http.client, os, shutil, socket, sqlite3, subprocess, tempfile, time
from urllib.parse import quote_plus


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def __call__(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", flush=True)
        return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Site:
    """A seeded site served by lighttpd with the real slotsite-cgi."""

    def __init__(self, bin_dir, users=3, slots=8, seed=3, title="E2E", output=None):
        self.bin = os.path.abspath(bin_dir)
        self.slotsite, self.cgi = os.path.join(self.bin, "slotsite"), os.path.join(self.bin, "slotsite-cgi")
        self.work = tempfile.mkdtemp(prefix="slotsite-e2e-")
        self.dir = os.path.join(self.work, "site")
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.run("init", self.dir)
        with open(os.path.join(self.dir, "slotsite.yml"), "w") as f:
            f.write(f"title: {title}\nbase_url: {self.origin}/\ntimezone: Europe/Berlin\n")
            if output:
                f.write(f"output: {output}\n")
        self.output = output or os.path.join(self.dir, "public")
        if users:
            self.run("seed", "--site", self.dir, "--users", str(users), "--slots-per-user", str(slots), "--seed", str(seed))
        self.run("build", "--site", self.dir)
        self.server = None

    @property
    def db_path(self):
        return os.path.join(self.dir, "data", "slotsite.db")

    def db(self):
        c = sqlite3.connect(self.db_path, timeout=30)
        c.execute("PRAGMA busy_timeout = 30000")
        return c

    def run(self, *args, stdin=None):
        return subprocess.run([self.slotsite, *args], input=stdin, capture_output=True, text=True, check=True).stdout

    def start(self):
        conf = os.path.join(self.work, "lighttpd.conf")
        with open(conf, "w") as f:
            f.write(f"""
server.modules = ("mod_indexfile", "mod_alias", "mod_setenv", "mod_cgi", "mod_staticfile")
server.document-root = "{self.output}"
server.bind = "127.0.0.1"
server.port = {self.port}
server.errorlog = "{self.work}/error.log"
server.max-connections = 512
# Pages are replaced by rename; do not serve a cached stat of the old file.
server.stat-cache-engine = "disable"
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html; charset=utf-8", ".css" => "text/css; charset=utf-8", ".xml" => "application/xml")
alias.url = ("/cgi-bin/slotsite" => "{self.cgi}")
$HTTP["url"] =~ "^/cgi-bin/slotsite(/|$)" {{ cgi.assign = ("" => "") }}
setenv.add-environment = ("SLOTSITE_SITE" => "{self.dir}")
""")
        # Debian installs lighttpd in /usr/sbin, which a user's PATH may lack.
        lighttpd = shutil.which("lighttpd") or shutil.which("lighttpd", path="/usr/sbin:/sbin") or "lighttpd"
        self.server = subprocess.Popen([lighttpd, "-D", "-f", conf])
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("lighttpd did not start")

    def stop(self, keep=False):
        if self.server:
            self.server.terminate()
            self.server.wait()
            self.server = None
        if keep or os.environ.get("KEEP_E2E"):
            print("kept", self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def error_log(self):
        try:
            return open(os.path.join(self.work, "error.log")).read()
        except OSError:
            return ""

    def client(self):
        return Client(self.port)

    def fresh_build_differences(self):
        """Builds a copy of the store from scratch and lists the files that differ."""
        copy = os.path.join(self.work, f"fresh-{time.time_ns()}")
        os.makedirs(os.path.join(copy, "data"))
        for name in ("templates", "content"):
            shutil.copytree(os.path.join(self.dir, name), os.path.join(copy, name))
        with open(os.path.join(self.dir, "slotsite.yml")) as f:
            config = "".join(line for line in f if not line.startswith("output:"))
        with open(os.path.join(copy, "slotsite.yml"), "w") as f:
            f.write(config)
        with self.db() as c:
            c.execute(f"VACUUM INTO '{copy}/data/slotsite.db'")
        with sqlite3.connect(os.path.join(copy, "data", "slotsite.db")) as c:
            c.execute("DELETE FROM pages")
        subprocess.run([self.slotsite, "build", "--site", copy], capture_output=True, check=True)
        diffs = []

        def walk(c, prefix=""):
            diffs.extend(prefix + x for x in c.left_only + c.right_only + c.diff_files + c.funny_files)
            for name, sub in c.subdirs.items():
                walk(sub, prefix + name + "/")
        walk(filecmp.dircmp(self.output, os.path.join(copy, "public")))
        shutil.rmtree(copy, ignore_errors=True)
        return diffs

    def digest(self):
        """A digest of the domain data: what a refused request must leave unchanged."""
        h = hashlib.sha256()
        with self.db() as c:
            for table in ("users", "skills", "slots", "bookings"):
                for row in c.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
                    h.update(repr(row).encode())
        return h.hexdigest()

    def invariant_violations(self):
        """Rows that break a promise; every query must return nothing."""
        queries = {
            "overlapping slots": """SELECT a.id, b.id FROM slots a JOIN slots b ON a.user_id = b.user_id AND a.id < b.id
                                    AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at""",
            "two active bookings of a slot": """SELECT slot_id FROM bookings WHERE cancelled_at IS NULL
                                                GROUP BY slot_id HAVING count(*) > 1""",
            "booked own slot": "SELECT b.id FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE b.client_id = s.user_id",
            "slot of bad length": "SELECT id FROM slots WHERE ends_at - starts_at NOT BETWEEN 300 AND 43200",
            "orphan booking": "SELECT b.id FROM bookings b LEFT JOIN slots s ON s.id = b.slot_id WHERE s.id IS NULL",
        }
        found = {}
        with self.db() as c:
            for name, sql in queries.items():
                rows = c.execute(sql).fetchall()
                if rows:
                    found[name] = rows[:5]
            integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                found["integrity_check"] = integrity
            fk = c.execute("PRAGMA foreign_key_check").fetchall()
            if fk:
                found["foreign_key_check"] = fk[:5]
        return found

    def torn_pages(self):
        """Pages in the output that are not whole, and temporary files left behind."""
        bad = []
        for root, _, files in os.walk(self.output):
            for name in files:
                path = os.path.join(root, name)
                if name.startswith(".slotsite-tmp-"):
                    bad.append(("temporary", path))
                elif name.endswith(".html"):
                    with open(path, "rb") as f:
                        data = f.read()
                    if not (data.startswith(b"<!doctype html>") and data.endswith(b"</html>\n")):
                        bad.append(("torn", path))
        return bad


class Client:
    """One browser: keeps its session cookie and sends same-origin headers."""

    def __init__(self, port, source="127.0.0.1"):
        """`source` is the loopback address requests come from (the CGI's REMOTE_ADDR)."""
        self.port, self.cookie, self.source = port, None, source

    def request(self, method, path, body=None, headers=None, raw=False):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
        h = {} if headers is None else dict(headers)
        if self.cookie and "Cookie" not in h:
            h["Cookie"] = self.cookie
        if body is not None and not raw:
            body = "&".join(f"{k}={quote_plus(v, safe='')}" for k, v in body)
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";")[0]
                self.cookie = None if pair.endswith("=") else pair
        conn.close()
        return r, data

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields=(), headers=None, **kw):
        h = {"Sec-Fetch-Site": "same-origin"} if headers is None else headers
        return self.request("POST", path, body=list(fields), headers=h, **kw)

    def register(self, handle, password="password1", offer=True):
        """Registers `handle`, a professional with a public page unless `offer` is False."""
        r, _ = self.post("/cgi-bin/slotsite/register", [("handle", handle), ("name", handle.title()),
                                                        ("email", f"{handle}@example.org"), ("password", password)]
                         + ([("offer", "1")] if offer else []))
        assert r.status == 303, (handle, r.status)
        return self
