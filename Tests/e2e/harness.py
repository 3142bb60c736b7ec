"""Shared pieces of the end-to-end tests: a site folder, lighttpd on 127.0.0.1 running
the built CGI, an HTTP client that keeps its session, and checks that count."""
import filecmp, hashlib, http.client, os, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, time
from urllib.parse import quote_plus


def program(name):
    """A server program: Debian installs them in /usr/sbin, which a user's PATH may lack."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin") or name


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


def run_suite(name, site, check, *steps):
    """Runs each step against `site`, then checks that public/ equals a fresh full build,
    stops the site, prints 'name: N passed, N failed' and exits non-zero on a failure."""
    try:
        try:
            for step in steps:
                step(site)
        except Exception as e:
            import traceback
            traceback.print_exc()
            check(False, f"scenario raised {e!r}")
        diffs = site.fresh_build_differences()
        check(diffs == [], f"public/ equals a fresh full build (differs: {diffs[:5]})")
    finally:
        if check.failed:
            print(site.error_log()[-3000:])
        site.stop()
    print(f"{name}: {check.passed} passed, {check.failed} failed")
    sys.exit(1 if check.failed else 0)


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

    def start(self, server="lighttpd"):
        """Serves the site with `server`: lighttpd, apache (mod_cgid) or nginx (+ fcgiwrap),
        each set up as the README's deploy recipe says."""
        if server == "apache":
            return self.start_apache()
        if server == "nginx":
            return self.start_nginx()
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
        self.server = subprocess.Popen([program("lighttpd"), "-D", "-f", conf])
        return self.wait_listening("lighttpd")

    def wait_listening(self, name):
        for _ in range(200):
            if self.server.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.error_log()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{name} did not start")

    def served_by_another_user(self):
        """Apache will not run CGI programs as root: under root, they run as www-data,
        which must own the site folder, as the README's recipe says (chown -R)."""
        if os.geteuid() != 0:
            return None
        os.chmod(self.work, 0o755)
        subprocess.run(["chown", "-R", "www-data:www-data", self.dir, self.output], check=True)
        return "www-data"

    def start_apache(self):
        user = self.served_by_another_user()
        modules = "/usr/lib/apache2/modules"
        conf = os.path.join(self.work, "apache2.conf")
        with open(conf, "w") as f:
            f.write(f"""
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule env_module {modules}/mod_env.so
LoadModule cgid_module {modules}/mod_cgid.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule mime_module {modules}/mod_mime.so
{"User " + user + chr(10) + "Group " + user if user else ""}
ServerName 127.0.0.1
Listen 127.0.0.1:{self.port}
PidFile {self.work}/apache2.pid
DefaultRuntimeDir {self.work}
ScriptSock {self.work}/cgid.sock
ErrorLog {self.work}/error.log
TypesConfig /etc/mime.types
AddDefaultCharset utf-8
<VirtualHost 127.0.0.1:{self.port}>
    DocumentRoot {self.output}
    DirectoryIndex index.html
    <Directory {self.output}>
        Require all granted
    </Directory>
    ScriptAlias /cgi-bin/slotsite {self.cgi}
    <Location /cgi-bin/slotsite>
        SetEnv SLOTSITE_SITE {self.dir}
        Require all granted
    </Location>
</VirtualHost>
""")
        self.server = subprocess.Popen([program("apache2"), "-f", conf, "-DFOREGROUND"],
                                       env={**os.environ, "APACHE_RUN_DIR": self.work})
        return self.wait_listening("apache2")

    def start_nginx(self):
        root = os.geteuid() == 0
        sock = os.path.join(self.work, "fcgiwrap.sock")
        # Its own process group: fcgiwrap -c 4 forks four workers, stopped with it.
        self.fcgiwrap = subprocess.Popen([program("fcgiwrap"), "-c", "4", "-s", f"unix:{sock}"], start_new_session=True)
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        temp = os.path.join(self.work, "nginx-temp")
        os.makedirs(temp)
        conf = os.path.join(self.work, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""
daemon off;
{"user root;" if root else ""}
pid {self.work}/nginx.pid;
error_log {self.work}/error.log;
events {{ }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    fastcgi_temp_path {temp}/fastcgi;
    proxy_temp_path {temp}/proxy;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{self.port};
        root {self.output};
        index index.html;
        charset utf-8;
        open_file_cache off;
        client_max_body_size 64k;
        location /cgi-bin/slotsite {{
            fastcgi_split_path_info ^(/cgi-bin/slotsite)(.*)$;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME {self.cgi};
            fastcgi_param SCRIPT_NAME $fastcgi_script_name;
            fastcgi_param PATH_INFO $fastcgi_path_info;
            fastcgi_param SLOTSITE_SITE {self.dir};
            fastcgi_pass unix:{sock};
        }}
    }}
}}
""")
        self.server = subprocess.Popen([program("nginx"), "-c", conf, "-e", f"{self.work}/error.log"])
        return self.wait_listening("nginx")

    def stop(self, keep=False):
        if self.server:
            self.server.terminate()
            self.server.wait()
            self.server = None
        if getattr(self, "fcgiwrap", None):
            os.killpg(self.fcgiwrap.pid, signal.SIGTERM)
            self.fcgiwrap.wait()
            self.fcgiwrap = None
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
