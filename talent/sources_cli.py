"""`talent sources serve --faults …` and `talent sources faults`: the sample site with the job-board
faults a hostile tester found switched on, to reproduce each by hand (docs/fault-matrix.md).

Kept out of talent/cli.py (which only registers these options) so the CLI file stays small.

    talent sources faults                                   # what each fault does
    talent sources serve --port 8808 --faults truncate-listing,soft-404
    TALENT_SOURCE_BASE_URL=http://127.0.0.1:8808 talent extract job-board rencai   # watch it fail loudly
"""

from __future__ import annotations

import argparse


def _fault_list(text: str) -> list[str]:
    from sample_sources.faults import parse_faults

    try:
        return parse_faults(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_fault_options(serve: argparse.ArgumentParser) -> None:
    """The fault options of `talent sources serve`."""
    serve.add_argument(
        "--faults",
        type=_fault_list,
        default=[],
        metavar="NAME,…",
        help="break the board answers on purpose (`talent sources faults` lists the names)",
    )
    serve.add_argument(
        "--offsite-url",
        help="where redirect-offsite sends the API (default: this server as http://localhost:PORT, "
        "another origin)",
    )
    serve.add_argument(
        "--drip-seconds", type=float, default=1.0, help="seconds between bytes for slow-drip (default 1)"
    )


def faults_from_args(args: argparse.Namespace):
    """The `Faults` for `serve_forever`, or None when no fault was asked for."""
    names = getattr(args, "faults", None)
    if not names:
        return None
    from sample_sources.faults import Faults

    offsite = args.offsite_url
    if offsite is None:
        # The same server under another host name is another origin for a browser and for requests.
        host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else "127.0.0.1"
        offsite = f"http://{host}:{args.port}"
    print(
        f"injecting faults: {', '.join(names)}"
        + (f" (offsite {offsite})" if "redirect-offsite" in names else "")
    )
    return Faults(names, offsite_url=offsite, drip_seconds=args.drip_seconds)


def cmd_sources_faults(args: argparse.Namespace) -> int:
    from sample_sources.faults import FAULTS

    width = max(map(len, FAULTS))
    for name, what in FAULTS.items():
        print(f"{name:<{width}}  {what}")
    return 0


def add_faults_parser(sources_sub) -> None:
    """`talent sources faults`: list the faults `serve --faults` can inject."""
    faults = sources_sub.add_parser("faults", help="list the faults `sources serve --faults` can inject")
    faults.set_defaults(func=cmd_sources_faults)
