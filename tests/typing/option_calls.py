"""Right and wrong calls, type-checked by tests/test_typing.py with ``mypy --strict``.

Each line that mypy must report ends with ``# wrong: <error code>``; every other line must pass.
The file is only type-checked, never run.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from flask import Blueprint, Flask

from flask_crossorigin import CORS, cross_origin
from flask_crossorigin.types import CORSOptions, CrossOriginOptions

app = Flask(__name__)
bp = Blueprint("bp", __name__)
ALLOWED = {"https://app.example.com"}


def allowed(origin: str) -> bool:
    return origin in ALLOWED


def view() -> str:
    return ""


# -- right: every documented form -------------------------------------------------------------
CORS(app)
CORS(bp, origins="*")
CORS(app, origins="https://app.example.com")
CORS(app, origins=["https://app.example.com", "https://*.example.com", "http://localhost:*"])
CORS(app, origins=("https://a.example.com", re.compile(r"https://(a|b)\.example\.com"), allowed))
CORS(app, origins={"https://a.example.com", "null"})
CORS(app, origins=re.compile(r"https://.*\.example\.com"))
CORS(app, origins=lambda origin: origin.endswith(".example.com"))
CORS(app, methods="GET, POST")
CORS(app, methods=["GET", "PATCH"])
CORS(app, methods="*")
CORS(app, allow_headers="*")
CORS(app, allow_headers=["Content-Type", re.compile(r"X-Custom-.*")])
CORS(app, allow_headers=re.compile(r"X-.*"))
CORS(app, expose_headers=None)
CORS(app, expose_headers="X-Total-Count, X-Page")
CORS(app, expose_headers=["X-Total-Count"])
CORS(app, supports_credentials=True, origins=["https://app.example.com"])
CORS(app, supports_credentials=None, send_wildcard=None, vary_header=None, debug=None)
CORS(app, automatic_options=False, intercept_exceptions=True, always_send=False)
CORS(app, allow_private_network=True, send_wildcard=True, vary_header=False, debug=False)
CORS(app, max_age=600)
CORS(app, max_age=datetime.timedelta(minutes=10))
CORS(app, max_age=None)
CORS(app, resources="/api/*")
CORS(app, resources=re.compile(r"/api/v[0-9]+/.*"))
CORS(app, resources=["/api/*", re.compile("/v2/.*")])
CORS(app, resources={r"/api/*": {"origins": "*"}, re.compile("/x"): {"max_age": 5}})
CORS(app, resources={r"/api/*": {"origins": ["https://a.test"], "supports_credentials": True}})
CORS(app, headers="X-Legacy", origin="https://app.example.com")
CORS(app, resources={"/old/*": {"headers": ["X-A"], "origin": "https://a.example.com"}})
CORS(app, supports_credentials=app.config.get("CORS_SUPPORTS_CREDENTIALS"))
CORS().init_app(app, origins="*", max_age=5)
CORS(origins="*").init_app(bp, resources={"/x": {}})
typed: CORSOptions = {"origins": ["https://app.example.com"], "max_age": 600}
CORS(app, **typed)
loose: dict[str, Any] = {"origins": "*"}
CORS(app, **loose)
per_view: dict[str, CrossOriginOptions] = {"/a/*": {"origins": "*"}}
CORS(app, resources=per_view)
cross_origin(view)
cross_origin()(view)
cross_origin(origins="*", max_age=5, supports_credentials=False)(view)
cross_origin(origins=[allowed], allow_headers=["Content-Type"], methods=["GET"])(view)
cross_origin(headers="X-Legacy", origin="https://app.example.com")(view)
CORS(app, log_refusals=True, resources={"/api/*": {"log_refusals": None}})
CORS(app, report_only=True, origins=["https://app.example.com"])
CORS().init_app(app, report_only=False)
cross_origin(log_refusals=True)(view)

# -- wrong: misspelt and mistyped ------------------------------------------------------------
CORS(app, origin_s=["https://app.example.com"])  # wrong: call-arg
CORS(app, max_age="soon")  # wrong: arg-type
CORS(app, max_age=1.5)  # wrong: arg-type
CORS(app, supports_credentials="yes")  # wrong: arg-type
CORS(app, debug=1)  # wrong: arg-type
CORS(app, origins=42)  # wrong: arg-type
CORS(app, methods=["GET", 1])  # wrong: list-item
CORS(app, allow_headers=[b"X-A"])  # wrong: list-item
CORS(app, expose_headers=7)  # wrong: arg-type
CORS(app, resources=42)  # wrong: arg-type
CORS(app, resources={"/api/*": {"origin_s": "*"}})  # wrong: typeddict-unknown-key
CORS(app, resources={"/api/*": {"max_age": "soon"}})  # wrong: typeddict-item
CORS(app, resources={"/api/*": {"resources": "/x"}})  # wrong: typeddict-unknown-key
CORS(app, headers=5)  # wrong: arg-type
CORS().init_app(app, supports_credentials="yes")  # wrong: arg-type
CORS().init_app(app, allow_header="X-A")  # wrong: call-arg
cross_origin(resources="/x")(view)  # wrong: call-overload
cross_origin(max_age="soon")(view)  # wrong: call-overload
cross_origin(supports_credentials="yes")(view)  # wrong: call-overload
CORS(app, report_only="yes")  # wrong: arg-type
CORS(app, log_refusals="on")  # wrong: arg-type
CORS(app, resources={"/api/*": {"report_only": True}})  # wrong: typeddict-unknown-key
cross_origin(report_only=True)(view)  # wrong: call-overload
