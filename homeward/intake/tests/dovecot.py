"""A real IMAP server for the tests: Debian's Dovecot (scripts/ensure-dovecot), as an instance
of its own, with its own configuration in a temporary directory, one passwd-file user, TLS
with a certificate made for the test, on a free port of 127.0.0.1. Run as root, its processes
use Dovecot's own unprivileged accounts; run as anyone else, they all run as that person."""

from __future__ import annotations

import contextlib
import grp
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "intake", "a-test-mailbox-password"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
"""


def self_signed(root: Path) -> Path:
    """A certificate for localhost and 127.0.0.1, made now; returns the file the client trusts."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (root / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    (root / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return root / "cert.pem"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dovecot:
    def __init__(self) -> None:
        # Not under pytest's own temporary directory: Dovecot's unprivileged processes must reach it.
        self.root = Path(tempfile.mkdtemp(prefix="homeward-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.ca_file = self_signed(self.root)
        self.process: subprocess.Popen[bytes] | None = None
        if os.geteuid() == 0:
            internal, login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
            mail_uid, mail_gid = internal.pw_uid, internal.pw_gid
            names = {"internal": "dovecot", "internal_group": grp.getgrgid(internal.pw_gid).gr_name,
                     "login": login.pw_name}
        else:
            me = pwd.getpwuid(os.getuid())
            mail_uid, mail_gid = me.pw_uid, me.pw_gid
            names = {"internal": me.pw_name, "internal_group": grp.getgrgid(me.pw_gid).gr_name, "login": me.pw_name}
        (self.root / "mail").mkdir()
        os.chown(self.root / "mail", mail_uid, mail_gid)
        (self.root / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{mail_uid}:{mail_gid}::{self.root}/mail/{USER}::\n")
        (self.root / "dovecot.conf").write_text(CONFIG.format(root=self.root, port=self.port, uid=mail_uid, **names))

    def start(self) -> None:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"dovecot stopped: {said}{self._log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self._log()}")

    def kill(self) -> None:
        """The server goes away at once: every process of the instance killed, no goodbye."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()
        self.process = None
        self._sockets_released()

    def _sockets_released(self) -> None:
        """Wait until no killed process still answers on the instance's sockets: the master is
        reaped at once, but its login and mail processes may take a moment longer to die, and a
        new master refuses to start while one answers ("Dovecot is already running?")."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not any(self._answers(path) for path in (self.root / "run").rglob("*") if path.is_socket()):
                return
            time.sleep(0.05)

    @staticmethod
    def _answers(path: Path) -> bool:
        with socket.socket(socket.AF_UNIX) as probe:
            probe.settimeout(0.2)
            try:
                probe.connect(str(path))
            except OSError:
                return False
            return True

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def _log(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text() if log.exists() else ""
