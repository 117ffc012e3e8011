"""Run moto's server in this process with hubfix's fidelity patches, fault injection and the request recorder on."""

from __future__ import annotations

import os
import signal
import sys
import tempfile


def build_app(patches: bool = True, seed: int | None = None):
    """moto's WSGI app (patched) wrapped in the fault injector."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    if patches:
        from tests.simulator import patches as hubfix_patches

        hubfix_patches.apply_all()
    from tests.simulator.faults import FaultInjector

    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    return FaultInjector(app, seed=seed)


def serve(port: int, host: str = "127.0.0.1", record_file: str | None = None, patches: bool = True, seed: int | None = None) -> None:
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the simulator only listens on loopback")
    record_file = record_file or os.path.join(tempfile.gettempdir(), f"hubfix-sim-{port}.jsonl")
    # The recorder reads these when moto is imported: set them first.
    os.environ["MOTO_RECORDER_FILEPATH"] = record_file
    os.environ["MOTO_ENABLE_RECORDING"] = "1"
    os.environ.setdefault("MOTO_PORT", str(port))
    open(record_file, "w").close()

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import run_simple

    app = build_app(patches=patches, seed=seed)
    signal.signal(signal.SIGTERM, lambda *_unused: sys.exit(0))
    print(f"hubfix simulator: http://{host}:{port} (recording to {record_file})", flush=True)
    run_simple(host, port, app, threaded=True, request_handler=MotoRequestHandler)
