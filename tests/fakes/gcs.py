"""A real gcp-storage-emulator on 127.0.0.1 (a subprocess), and a service-account key made
for the test, so V4 URL signing runs for real and offline.

    with GcsEmulator(bucket="chatdesk-test") as gcs:
        os.environ["STORAGE_EMULATOR_HOST"] = gcs.host
        ...
        assert gcs.object_names() == ["chatdesk/<sha>.png"]
        status, body = gcs.fetch(signed_url)

The emulator does not check signatures; ``verify_v4_signature`` does, with the key's public
half, following Google's V4 signing spec.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fakes.ports import free_port

READY_LINE = "All services started"
START_TIMEOUT_S = 30.0
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class GcsEmulator:
    """gcp-storage-emulator started as a real process on a free port, bucket created."""

    def __init__(self, bucket: str = "chatdesk-test") -> None:
        self.bucket = bucket
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None
        self._lines: deque[str] = deque(maxlen=200)
        self._ready = threading.Event()
        self._pump_thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        """The value for STORAGE_EMULATOR_HOST."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GcsEmulator:
        for _attempt in range(5):  # another process may take the free port first
            if self._start_once(free_port()):
                return self
        raise RuntimeError("gcp-storage-emulator did not start:\n" + "\n".join(self._lines))

    def _start_once(self, port: int) -> bool:
        self.port = port
        self._ready.clear()
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gcp_storage_emulator",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--in-memory",
                "--default-bucket",
                self.bucket,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self._pump_thread = threading.Thread(target=self._pump, args=(self._proc,), daemon=True)
        self._pump_thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            self.close()
            raise RuntimeError("gcp-storage-emulator did not report ready in time")
        if self._proc.poll() is not None:  # it exited: the port was taken, or worse
            self.close()
            return False
        return True

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        """Read the emulator's log (so its pipe never fills); note when it is ready."""
        assert proc.stdout is not None
        for line in proc.stdout:
            self._lines.append(line.rstrip())
            if READY_LINE in line:
                self._ready.set()
        proc.wait()
        self._ready.set()  # ended: wake the starter

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if self._pump_thread is not None:
            self._pump_thread.join(10)
            self._pump_thread = None
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> GcsEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def log(self) -> str:
        return "\n".join(self._lines)

    # --- looking inside (the JSON API, no client library) --------------------------------

    def object_names(self, prefix: str = "") -> list[str]:
        query = urllib.parse.urlencode({"prefix": prefix})
        status, body = self.fetch(f"{self.host}/storage/v1/b/{self.bucket}/o?{query}")
        assert status == 200, body
        return sorted(item["name"] for item in json.loads(body).get("items", []))

    def object_metadata(self, name: str) -> dict[str, Any]:
        quoted = urllib.parse.quote(name, safe="")
        status, body = self.fetch(f"{self.host}/storage/v1/b/{self.bucket}/o/{quoted}")
        assert status == 200, body
        return dict(json.loads(body))

    def fetch(self, url: str) -> tuple[int, bytes]:
        """GET ``url`` (never through a proxy); returns status and body."""
        try:
            with _NO_PROXY.open(url, timeout=30) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as exc:
            return int(exc.code), bytes(exc.read())


# --- service-account keys ---------------------------------------------------------------------


def make_service_account(project: str = "chatdesk-test") -> tuple[dict[str, str], rsa.RSAPublicKey]:
    """A service-account JSON (as a dict) with a fresh 2048-bit RSA key, and its public key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": f"chatdesk-test@{project}.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return info, key.public_key()


def write_service_account(path: Path, project: str = "chatdesk-test") -> rsa.RSAPublicKey:
    """Write a new service-account key file to ``path``; returns its public key."""
    info, public = make_service_account(project)
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return public


def verify_v4_signature(url: str, public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """Check a V4 signed GET URL against ``public_key``; returns its query parameters.

    Raises ``cryptography.exceptions.InvalidSignature`` when the signature is wrong.
    """
    parts = urllib.parse.urlsplit(url)
    canonical_query, _, signature = parts.query.rpartition("&X-Goog-Signature=")
    params = dict(urllib.parse.parse_qsl(canonical_query))
    assert params["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert params["X-Goog-SignedHeaders"] == "host"
    scope = params["X-Goog-Credential"].split("/", 1)[1]
    canonical_request = "\n".join(
        ["GET", parts.path, canonical_query, f"host:{parts.netloc}\n", "host", "UNSIGNED-PAYLOAD"]
    )
    string_to_sign = "\n".join(
        [
            "GOOG4-RSA-SHA256",
            params["X-Goog-Date"],
            scope,
            hashlib.sha256(canonical_request.encode("ascii")).hexdigest(),
        ]
    )
    public_key.verify(
        binascii.unhexlify(signature),
        string_to_sign.encode("ascii"),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    return params
