"""Run moto's server in this process with hubfix's fidelity patches applied and the request recorder on."""

from __future__ import annotations

import os
import tempfile


def serve(port: int, host: str = "127.0.0.1", record_file: str | None = None, patches: bool = True) -> None:
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the simulator only listens on loopback")
    record_file = record_file or os.path.join(tempfile.gettempdir(), f"hubfix-sim-{port}.jsonl")
    # The recorder reads these when moto is imported: set them first.
    os.environ["MOTO_RECORDER_FILEPATH"] = record_file
    os.environ["MOTO_ENABLE_RECORDING"] = "1"
    open(record_file, "w").close()

    from moto import server as moto_server

    if patches:
        from tests.simulator import patches as hubfix_patches

        hubfix_patches.apply_all()
    print(f"hubfix simulator: http://{host}:{port} (recording to {record_file})", flush=True)
    moto_server.main(["-H", host, "-p", str(port)])
