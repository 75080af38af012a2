"""ConfigError's fields and codes, and one set-up reporting every problem of its configuration.

Each code of ``errors.CODES`` is raised by a configuration below, is documented in
docs/errors.md, and is unique; the messages themselves are tested in test_options.py and
test_config_suggestions.py.
"""

from __future__ import annotations

import ast
import datetime
import re
import warnings
from pathlib import Path

import pytest
from flask import Flask

from flask_crossorigin import CORS, ConfigError, cross_origin
from flask_crossorigin.errors import CODES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "flask_crossorigin"
DOCS = ROOT / "docs" / "errors.md"


async def _async_check(origin: str) -> bool:
    return origin == "https://a.test"


#: One configuration breaking each rule, with the option the error must name.
TRIGGERS: dict[str, tuple[dict[str, object], str]] = {
    "cors.E001": ({"origins": 5}, "origins"),
    "cors.E002": ({"origins": ["https://a.test", 5]}, "origins"),
    "cors.E003": ({"origins": [re.compile(b"https://a")]}, "origins"),
    "cors.E004": ({"origins": [""]}, "origins"),
    "cors.E005": ({"origins": "https://a.test,https://b.test"}, "origins"),
    "cors.E006": ({"origins": ["https://a .test"]}, "origins"),
    "cors.E007": ({"origins": ["localhost:3000"]}, "origins"),
    "cors.E008": ({"origins": ["1http://a.test"]}, "origins"),
    "cors.E009": ({"origins": ["https://user@a.test"]}, "origins"),
    "cors.E010": ({"origins": ["https://a.test/"]}, "origins"),
    "cors.E011": ({"origins": ["http://localhost:port"]}, "origins"),
    "cors.E012": ({"origins": ["https://:8080"]}, "origins"),
    "cors.E013": ({"origins": ["https://a..test"]}, "origins"),
    "cors.E014": ({"origins": ["http://localhost*"]}, "origins"),
    "cors.E015": ({"origins": ["https://*example.com"]}, "origins"),
    "cors.E016": ({"origins": [r"https://a\.test(["]}, "origins"),
    "cors.E017": ({"origins": [_async_check]}, "origins"),  # security issue item 5
    "cors.E020": ({"origins": "*", "supports_credentials": True}, "origins"),
    "cors.E021": (
        {"origins": ["https://a.test"], "supports_credentials": True, "expose_headers": "*"},
        "expose_headers",
    ),
    "cors.E030": ({"debug": "yes"}, "debug"),
    "cors.E040": ({"methods": 5}, "methods"),
    "cors.E041": ({"allow_headers": ["application/json"]}, "allow_headers"),
    "cors.E042": ({"methods": ["GET POST"]}, "methods"),
    "cors.E043": ({"allow_headers": "X-Custom-*"}, "allow_headers"),
    "cors.E050": ({"max_age": datetime.timedelta(seconds=1.5)}, "max_age"),
    "cors.E051": ({"max_age": "soon"}, "max_age"),
    "cors.E052": ({"max_age": -1}, "max_age"),
    "cors.E053": ({"max_age": 10**6}, "max_age"),
    "cors.E060": ({"resources": 5}, "resources"),
    "cors.E061": ({"resources": [5]}, "resources"),
    "cors.E062": ({"resources": {"/x": 5}}, "resources"),
}


def set_up(**options: object) -> Flask:
    app = Flask(__name__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        CORS(app, **options)
    return app


def refusal(**options: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        set_up(**options)
    return info.value


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_each_rule_raises_its_code_naming_option_value_and_source(code: str) -> None:
    options, option = TRIGGERS[code]
    error = refusal(**options)
    assert (error.code, error.option) == (code, option), str(error)
    assert error.errors == (error,)
    assert isinstance(error, ValueError)
    # Today's message shape, with the code at the end.
    assert str(error) == f"{error.message} [{code}]"
    assert error.source in error.message
    assert error.source.startswith("CORS(")


def test_every_code_is_raised_by_a_configuration_above() -> None:
    assert set(TRIGGERS) == set(CODES)


def test_value_is_the_entry_at_fault_and_source_where_it_was_written() -> None:
    error = refusal(origins=["https://ok.test", "https://a.test/"])
    assert error.value == "https://a.test/"
    assert error.source == "CORS(origins=...)"
    app = Flask(__name__)
    app.config["CORS_MAX_AGE"] = "soon"
    with pytest.raises(ConfigError) as info:
        CORS(app)
    assert (info.value.option, info.value.value) == ("max_age", "soon")
    assert info.value.source == "app.config['CORS_MAX_AGE']"
    error = refusal(resources={"/api/*": {"origin": "localhost"}})
    assert (error.code, error.option, error.value) == ("cors.E007", "origins", "localhost")
    assert error.source == "CORS resources['/api/*'](origin=...)"


def test_one_cors_call_reports_every_problem_at_once() -> None:
    error = refusal(
        origins=["localhost", "https://ok.test", "https://a.test/"],
        methods=["GET", "GET POST"],
        max_age="soon",
        supports_credentials="yes",
        allow_headers=["application/json", "X-Custom-*"],
    )
    codes = [problem.code for problem in error.errors]
    assert sorted(codes) == sorted(
        ["cors.E007", "cors.E010", "cors.E042", "cors.E051", "cors.E030", "cors.E041", "cors.E043"]
    )
    message = str(error)
    assert message.startswith("7 problems in the CORS configuration:\n")
    for number, problem in enumerate(error.errors, start=1):
        assert f"\n  {number}. {problem}" in message
        assert problem.errors == (problem,)
    # The error raised carries the first problem's fields, so `except` code reading them works.
    first = error.errors[0]
    assert (error.code, error.option, error.source) == (first.code, first.option, first.source)


def test_every_resource_is_checked_and_a_shared_value_is_reported_once() -> None:
    app = Flask(__name__)
    app.config["CORS_MAX_AGE"] = -5
    with pytest.raises(ConfigError) as info:
        CORS(
            app,
            resources={
                "/a/*": {"origins": "a.test"},
                "/b/(": {"methods": 7},
                "/c/*": {},
            },
        )
    problems = [(p.code, p.source) for p in info.value.errors]
    assert problems == [
        ("cors.E007", "CORS resources['/a/*'](origins=...)"),
        ("cors.E052", "app.config['CORS_MAX_AGE']"),
        ("cors.E016", "CORS(resources=...)"),
        ("cors.E040", "CORS resources['/b/('](methods=...)"),
    ]


def test_credentials_problems_are_reported_with_the_others() -> None:
    error = refusal(origins="*", supports_credentials=True, expose_headers="*", max_age=-1)
    assert sorted(p.code for p in error.errors) == ["cors.E020", "cors.E021", "cors.E052"]


def test_one_decorator_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        cross_origin(origins=["https://a.test/", "b.test"], vary_header="no")
    assert [p.code for p in info.value.errors] == ["cors.E010", "cors.E007", "cors.E030"]
    assert [p.source for p in info.value.errors] == [
        "@cross_origin(origins=...)",
        "@cross_origin(origins=...)",
        "@cross_origin(vary_header=...)",
    ]


def test_an_unknown_code_is_a_bug_caught_at_once() -> None:
    with pytest.raises(ValueError, match="unknown ConfigError code"):
        ConfigError("x", code="cors.E999", option="origins", source="here")


# -- the registry of codes ------------------------------------------------------------------


def _codes_literal() -> list[str]:
    tree = ast.parse((PACKAGE / "errors.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "CODES":
            assert isinstance(node.value, ast.Dict)
            return [ast.literal_eval(key) for key in node.value.keys if key is not None]
    raise AssertionError("CODES not found in errors.py")


def test_codes_are_unique_and_well_formed() -> None:
    written = _codes_literal()
    assert len(written) == len(set(written)), "a code is written twice in CODES"
    assert all(re.fullmatch(r"cors\.E\d{3}", code) for code in written)
    assert len(set(CODES.values())) == len(CODES), "two codes share a meaning"


def test_codes_in_the_source_are_exactly_the_registered_ones() -> None:
    used = set()
    for path in PACKAGE.glob("*.py"):
        if path.name != "errors.py":
            used |= set(re.findall(r"\"(cors\.E\d{3})\"", path.read_text()))
    assert used == set(CODES)


def test_every_code_is_documented_with_its_meaning_and_fix() -> None:
    text = DOCS.read_text()
    documented = re.findall(r"^## `(cors\.E\d{3})`", text, flags=re.MULTILINE)
    assert len(documented) == len(set(documented))
    assert set(documented) == set(CODES)
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    for section in sections:
        assert "**Fix:**" in section, section.splitlines()[0]


def test_every_misspelt_option_name_is_reported_in_one_type_error() -> None:
    with pytest.raises(TypeError) as info:
        CORS(origin_s=["https://a.test"], maxage=5)
    message = str(info.value)
    assert message.startswith("CORS got 2 unknown options:\n")
    assert "'origin_s'. Did you mean 'origins'?" in message
    assert "'maxage'. Did you mean 'max_age'?" in message


def test_a_config_error_survives_pickling_with_its_fields() -> None:
    import pickle

    error = refusal(origins=["a.test"], max_age=-1)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert (copy.code, copy.option, copy.value, copy.source) == (
        error.code,
        error.option,
        error.value,
        error.source,
    )
    assert [str(p) for p in copy.errors] == [str(p) for p in error.errors]
    single = pickle.loads(pickle.dumps(error.errors[0]))
    assert single.errors == (single,)
