"""A real IMAP server on loopback (Dovecot, Debian package `dovecot-imapd`) for tests; a pytest plugin.

``imap_server`` starts ``dovecot -F -c <config>`` with a throw-away configuration: IMAP only, on
127.0.0.1 and a free port, no TLS (``ssl = no``), one user ``compta`` / ``secret`` in a passwd-file,
``maildir`` storage. Each test gets its own server and an empty mailbox; the server is stopped afterwards.

As a normal user every Dovecot process runs as that user. As root Dovecot refuses to run its login
process as root and to give root's uid to a mailbox, so the login process runs as ``dovenull`` (or
``nobody``) and the mailbox belongs to ``nobody``, in a folder of its own under the system temp folder.
Unix sockets live in a short temporary folder too (their paths must stay under 108 bytes).

The dovecot binary is $DOVECOT, else found on $PATH or in /usr/sbin. Without it the tests that use the
fixture are skipped, except on CI (CI=true), where they fail: CI must not pass without the server.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from imapclient import IMAPClient

USER, PASSWORD = "compta", "secret"


def dovecot_binary() -> str | None:
    configured = os.environ.get("DOVECOT")
    if configured:
        return configured
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _system_user(*names: str) -> pwd.struct_passwd:
    for name in names:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError(f"none of the users {', '.join(names)} exists: Dovecot cannot run as root without one")


def write_config(folder: Path, runtime: Path, mail_home: Path, port: int) -> Path:
    """The configuration file (in `folder`) of a minimal Dovecot serving one passwd-file user over IMAP."""
    # In `runtime`, which Dovecot's unprivileged auth process can reach (tmp_path's parents are private).
    users = runtime / "users"
    users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    if os.geteuid() == 0:
        runtime.chmod(0o755)
        login = _system_user("dovenull", "nobody")
        internal = _system_user("dovecot", "nobody")
        mail = _system_user("nobody")
        mail_home.chmod(0o755)
        os.chown(mail_home, mail.pw_uid, mail.pw_gid)
        login_user, internal_user = login.pw_name, internal.pw_name
        internal_group = grp.getgrgid(internal.pw_gid).gr_name
        uid, gid = mail.pw_uid, mail.pw_gid
    else:
        me = pwd.getpwuid(os.getuid())
        login_user = internal_user = me.pw_name
        internal_group = grp.getgrgid(os.getgid()).gr_name
        uid, gid = os.getuid(), os.getgid()
    config = folder / "dovecot.conf"
    config.write_text(
        f"""# Throw-away Dovecot for the tests (tests/fixtures_imap.py).
protocols = imap
listen = 127.0.0.1
base_dir = {runtime}/run
state_dir = {runtime}/state
instance_name = relance-test-{port}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 1
log_path = {folder}/dovecot.log
mail_location = maildir:{mail_home}/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail_home}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    return config


class DovecotServer:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.host = "127.0.0.1"
        self.port = port
        self.log = log

    def url(self, user: str = USER, password: str = PASSWORD, folder: str = "INBOX") -> str:
        """A RELANCE_IMAP_URL for this server."""
        credentials = f"{quote(user, safe='')}:{quote(password, safe='')}"
        return f"imap://{credentials}@{self.host}:{self.port}/{folder}?timeout=5"

    def client(self) -> IMAPClient:
        """A logged-in client (the caller logs out)."""
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=5)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes | str, folder: str = "INBOX", flags: tuple[bytes, ...] = ()) -> None:
        data = raw.encode() if isinstance(raw, str) else raw
        client = self.client()
        try:
            client.append(folder, data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), flags=flags)
        finally:
            client.logout()

    def create_folder(self, *parts: str) -> str:
        """Creates a folder from its hierarchy parts (joined with the server's delimiter); its name."""
        client = self.client()
        try:
            delimiter = client.namespace().personal[0][1] or "/"
            name = delimiter.join(parts)
            client.create_folder(name)
            return name
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> list[set[bytes]]:
        """The flags of every message in `folder`, in UID order."""
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            fetched = client.fetch(client.search(["ALL"]), ["FLAGS"])
            return [set(fetched[uid][b"FLAGS"]) for uid in sorted(fetched)]
        finally:
            client.logout()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


@pytest.fixture
def imap_server(tmp_path: Path) -> Iterator[DovecotServer]:
    binary = dovecot_binary()
    if binary is None:
        reason = (
            "dovecot is missing: install it (as root: apt-get install -y dovecot-imapd) or set DOVECOT "
            "to its path"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the IMAP tests", pytrace=False)
        pytest.skip(reason)
    folder = tmp_path / "dovecot"
    folder.mkdir()
    runtime = Path(tempfile.mkdtemp(prefix="rdv-"))
    mail_home = Path(tempfile.mkdtemp(prefix="rdv-mail-"))
    server: DovecotServer | None = None
    last_error = ""
    try:
        for _attempt in range(3):  # the free port may be taken meanwhile by another process
            port = _free_port()
            config = write_config(folder, runtime, mail_home, port)
            process = subprocess.Popen(
                [binary, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            if _wait_ready(process, port):
                server = DovecotServer(process, port, folder / "dovecot.log")
                break
            DovecotServer(process, port, folder / "dovecot.log").stop()
            output = ""
            if process.stdout:
                output = process.stdout.read().decode(errors="replace")
                process.stdout.close()
            log = (
                (folder / "dovecot.log").read_text(errors="replace")
                if (folder / "dovecot.log").exists()
                else ""
            )
            last_error = f"{output}\n{log}".strip()
        if server is None:
            pytest.fail(f"dovecot did not start: {last_error}", pytrace=False)
        yield server
    finally:
        if server is not None:
            server.stop()
            if server.process.stdout:
                server.process.stdout.close()
        shutil.rmtree(runtime, ignore_errors=True)
        shutil.rmtree(mail_home, ignore_errors=True)
