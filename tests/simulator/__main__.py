"""CLI: python -m tests.simulator {serve,seed,calls,patches}."""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.simulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the simulator in the foreground on 127.0.0.1:PORT")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--record-file", help="request log (JSON lines); default: $TMPDIR/hubfix-sim-PORT.jsonl")
    p.add_argument("--no-patches", action="store_true", help="plain moto, for comparing against the patches")

    p = sub.add_parser("seed", help="create an estate of resources in a running simulator")
    p.add_argument("--estate", default="demo")
    p.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"), required=not os.environ.get("AWS_ENDPOINT_URL"))
    p.add_argument("--json", action="store_true", help="print what was created as JSON")

    p = sub.add_parser("calls", help="the operations recorded, mutating ones marked")
    p.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"))
    p.add_argument("--file", help="read a recorder file instead of asking the server")
    p.add_argument("--json", action="store_true")
    p.add_argument("--reset", action="store_true", help="clear the log after reading it")

    sub.add_parser("patches", help="list the fidelity patches and the AWS behaviour each reproduces")

    args = parser.parse_args(argv)
    if args.command == "serve":
        from tests.simulator.server import serve

        serve(args.port, record_file=args.record_file, patches=not args.no_patches)
        return 0
    if args.command == "seed":
        from tests.simulator.seed import seed

        created = seed(args.estate, args.endpoint)
        if args.json:
            print(json.dumps(created, indent=2, default=str))
        else:
            for key, value in created.items():
                print(f"{key}: {len(value) if isinstance(value, (list, dict)) else value}")
        return 0
    if args.command == "calls":
        return _calls(args)
    if args.command == "patches":
        from tests.simulator import patches

        for p in patches.describe():
            print(f"- {p['name']} ({p['module']}): {p['aws_behaviour']}")
        return 0
    return 2


def _calls(args) -> int:
    from tests.simulator import Simulator
    from tests.simulator.calls import parse_recording, summarize

    if args.file:
        with open(args.file) as f:
            calls = parse_recording(f.read())
    else:
        if not args.endpoint:
            print("calls: give --endpoint URL (or set AWS_ENDPOINT_URL) or --file", file=sys.stderr)
            return 2
        sim = Simulator.__new__(Simulator)
        sim.endpoint = args.endpoint.rstrip("/")
        calls = sim.calls()
        if args.reset:
            sim.reset_recording()
    if args.json:
        print(json.dumps([dict(service=c.service, region=c.region, operation=c.operation, mutating=c.mutating, dry_run=c.dry_run) for c in calls], indent=2))
        return 0
    for c in calls:
        mark = "MUTATING" if c.mutating else ("dry-run " if c.dry_run else "read    ")
        print(f"{mark} {c.service:12} {c.region:15} {c.operation}")
    counts = summarize(calls)
    n_mut = sum(1 for c in calls if c.mutating)
    print(f"{len(calls)} calls, {n_mut} mutating, {len(counts)} distinct operations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
