"""eoffice: electronic documents and digital signatures for public agencies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from eoffice.config import instance_path_from_env, load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def templates_root() -> Path:
    """``templates/`` of the source tree, or the copy installed under ``share/eoffice``."""
    import sys

    for candidate in (PROJECT_ROOT / "templates", Path(sys.prefix) / "share/eoffice/templates"):
        if candidate.is_dir():
            return candidate
    raise RuntimeError("eoffice templates not found")


def create_app(config: dict[str, Any] | None = None, instance: str | Path | None = None) -> Flask:
    """Application factory: config layers, extensions, blueprints, access enforcement."""
    instance_path = instance_path_from_env(instance or (config or {}).get("INSTANCE_PATH"))
    instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(templates_root() / "web"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.update(load_config(instance_path, config))
    app.config["INSTANCE_PATH"] = str(instance_path)

    from eoffice import deployment_secret, extensions
    from eoffice.params import init_params
    from eoffice.web.multipart import Request
    from signing import fast_parse

    app.request_class = Request  # multipart bodies without two re.compile per request
    init_params(app)  # before any blueprint: bounded <int:…> in every route
    fast_parse.install()  # pyHanko reads hex strings in one slice (explicit, idempotent)
    extensions.init_app(app)
    deployment_secret.init_app(app)

    from eoffice.api import register_api
    from eoffice.features import register_features
    from eoffice.web import register_web

    register_web(app)
    register_api(app)
    register_features(app)
    return app
