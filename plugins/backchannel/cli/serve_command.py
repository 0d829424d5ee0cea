"""`backchannel serve`: the built site and the receiver on one address."""

from __future__ import annotations

import argparse
from typing import Any

from backchannel.settings import Resolved


def cmd_serve(args: argparse.Namespace, settings: Resolved) -> int:
    """Serve output/ and the receiver with uvicorn until interrupted."""
    import uvicorn

    from backchannel.receiver.server import create_app

    app = create_app(settings, output=args.output)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def add_commands(subparsers: Any) -> None:
    """Add `serve`."""
    p = subparsers.add_parser("serve", help="serve the built site and the receiver")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--output", default=None, help="built site folder (default: OUTPUT_PATH)")
    p.set_defaults(func=cmd_serve)
