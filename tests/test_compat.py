"""The compatibility module: each private read has a public fallback giving the same answer, and
no other module of the package touches a private Flask or Werkzeug name."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

import flask_crossorigin
from flask_crossorigin import _compat

PACKAGE = Path(flask_crossorigin.__file__).parent


@pytest.mark.parametrize("name", sorted(_compat.IMPLEMENTATIONS))
def test_current_request_both_ways(name: str) -> None:
    lookup = _compat.IMPLEMENTATIONS[name].current_request
    app, other = Flask("a"), Flask("b")
    assert lookup(app) is None  # no context at all
    with app.app_context():
        assert lookup(app) is None  # an app context without a request
    with app.test_request_context("/x?y=1") as ctx:
        assert lookup(app) is ctx.request
        assert lookup(other) is None  # another app's request is not ours
        with other.test_request_context("/z"):
            assert lookup(app) is None
            assert lookup(other).path == "/z"  # type: ignore[union-attr]
        assert lookup(app) is ctx.request


@pytest.mark.parametrize("name", sorted(_compat.IMPLEMENTATIONS))
def test_current_app_and_request_both_ways(name: str) -> None:
    both = _compat.IMPLEMENTATIONS[name].current_app_and_request
    app = Flask("a")
    with pytest.raises(RuntimeError):  # Flask's own "working outside of ..." error
        both()
    with app.test_request_context("/x") as ctx:
        assert both() == (app, ctx.request)


def test_the_private_lookups_exist_on_this_flask() -> None:
    # Flask 2.3 to 3.2 all have one of the two context variables; if a
    # release drops them, the package still works (public fallback) but this test says the fast
    # path is gone.
    private = _compat.IMPLEMENTATIONS["private"]
    assert _compat.current_request is private.current_request
    assert _compat.current_app_and_request is private.current_app_and_request


#: A private Flask/Werkzeug name: imported (``from flask.x import _y``), or reached as an
#: attribute known to be private (``._got_first_request``, ``._list``, ``_cv_...``).
PRIVATE = re.compile(
    r"from (flask|werkzeug)[\w.]* import [^\n]*\b_[a-z]|"
    r"\b(flask|werkzeug)\.[\w.]*\._[a-z]|"
    r"\._got_first_request|\._list\b|\b_cv_(request|app)\b|\brequest_ctx\b|"
    r"\.(before|after)_request_funcs|\.handle_(user_)?exception\s*="
)


def test_no_module_but_compat_touches_private_flask_names() -> None:
    offenders = {
        path.name: PRIVATE.findall(path.read_text())
        for path in PACKAGE.glob("*.py")
        if path.name != "_compat.py" and PRIVATE.search(path.read_text())
    }
    assert offenders == {}


def test_the_grep_would_catch_one() -> None:
    assert PRIVATE.search("from flask.globals import _cv_request")
    assert PRIVATE.search("items = headers._list")
    assert PRIVATE.search("app.handle_exception = wrapped")
    assert not PRIVATE.search("from flask import Flask, request")


SCRIPT = """
import warnings
warnings.simplefilter("error", DeprecationWarning)
warnings.simplefilter("error", PendingDeprecationWarning)
import asyncio
from flask import Blueprint, Flask, abort
from flask_crossorigin import CORS, cross_origin
from flask_crossorigin import diagnosis

app = Flask("w")
app.config["PROPAGATE_EXCEPTIONS"] = False
bp = Blueprint("bp", "w")
CORS(bp, origins="https://b.test")

@bp.get("/b")
def b():
    return "b"

app.register_blueprint(bp, url_prefix="/bp")
CORS(app, resources={r"/api/*": {"origins": "https://a.test"}})

@app.route("/api/x", methods=["GET", "POST"])
def x():
    return "x"

@app.get("/api/abort")
def aborting():
    abort(409)

@app.get("/api/crash")
def crash():
    raise RuntimeError("boom")

@app.post("/api/d")
@cross_origin(origins="https://d.test", supports_credentials=True)
def d():
    return "d"

@app.get("/api/async")
@cross_origin(origins="https://d.test")
async def a():
    await asyncio.sleep(0)
    return "a"

c = app.test_client()
o = {"Origin": "https://a.test"}
assert c.get("/api/x", headers=o).headers["Access-Control-Allow-Origin"] == "https://a.test"
assert c.get("/api/abort", headers=o).status_code == 409
assert c.get("/api/crash", headers=o).status_code == 500
assert c.get("/api/nowhere", headers=o).status_code == 404
assert c.delete("/api/x", headers=o).status_code == 405
p = {"Origin": "https://d.test", "Access-Control-Request-Method": "POST"}
assert c.options("/api/d", headers=p).status_code == 204
assert c.options("/api/x").status_code == 200
assert c.options("/api/d").status_code == 200
assert c.get("/api/async", headers={"Origin": "https://d.test"}).get_data() == b"a"
assert c.get("/bp/b", headers={"Origin": "https://b.test"}).headers["Access-Control-Allow-Origin"]
report = diagnosis.check(app, "/api/d", origin="https://d.test", method="POST", credentials=True)
assert report.verdict.allowed, report.text()
assert diagnosis.routes(app)

alone = Flask("alone")

@alone.route("/v", methods=["GET", "PUT"])
@cross_origin(origins="https://d.test")
def v():
    return "v"

c = alone.test_client()
assert c.options("/v", headers={"Origin": "https://d.test",
    "Access-Control-Request-Method": "PUT"}).status_code == 204
assert c.get("/v", headers={"Origin": "https://d.test"}).headers["Access-Control-Allow-Origin"]
assert c.options("/v").status_code == 200
print("ok")
"""


def test_no_deprecation_warning_from_our_use_of_flask() -> None:
    # In a fresh interpreter, so that no earlier import has already triggered (and hidden) one.
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
