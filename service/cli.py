"""``motion-outcome serve``: run the HTTP service with uvicorn.

Flags default to the settings (``MOTION_OUTCOME_*`` variables), and the resulting settings are
handed to the server processes through the environment, so every worker builds the same app and
loads the model once, in its own lifespan.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

from service.settings import Settings

FLAGS = ("model", "host", "port", "workers", "api_keys", "max_text_chars", "max_batch_documents",
         "max_batch_chars", "max_request_bytes", "micro_batch", "log_level")


def register(commands: argparse._SubParsersAction) -> None:
    fields = Settings.model_fields
    p = commands.add_parser("serve", help="serve predictions over HTTP (FastAPI + uvicorn)",
                            description="Every flag has a MOTION_OUTCOME_<FLAG> environment variable; the flag wins.")
    types = {"port": int, "workers": int, "max_text_chars": int, "max_batch_documents": int,
             "max_batch_chars": int, "max_request_bytes": int, "micro_batch": int}
    for name in FLAGS:
        if name == "api_keys":  # a secret: from the environment only, never on a command line
            continue
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=types.get(name, str), default=None,
                       help=f"{fields[name].description} (default: {_default(name)}; env MOTION_OUTCOME_{name.upper()})")
    p.set_defaults(run=run_serve)


def _default(name: str):
    field = Settings.model_fields[name]
    return field.get_default(call_default_factory=True)


def settings_from_args(args: argparse.Namespace) -> Settings:
    from pydantic import ValidationError

    given = {name: getattr(args, name) for name in FLAGS if getattr(args, name, None) is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"error: invalid service settings: {problems}") from None


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from model.artifact import check_compatible, read_metadata

    settings = settings_from_args(args)
    # Fail here, with the dispatcher's plain 'error: ...', before any worker starts.
    check_compatible(read_metadata(settings.model), str(settings.model))
    os.environ.update(settings.to_env())
    if settings.workers > 1:
        from service.metrics import MULTIPROC_ENV
        os.environ.setdefault(MULTIPROC_ENV, tempfile.mkdtemp(prefix="motion-outcome-metrics-"))
    print(f"[motion-outcome] serving {settings.model} on http://{settings.host}:{settings.port} "
          f"with {settings.workers} worker(s); docs at /docs", file=sys.stderr, flush=True)
    uvicorn.run("service.app:create_app", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level=settings.log_level.lower(), access_log=False)
    return 0
