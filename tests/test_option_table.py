"""The table of options (``options.OPTIONS``) is the one declaration of an option.

An option left out of one of the places that follow from it would be half-added: a boolean
missing from a hand-written list was once silently ignored (``CORS(app, new_flag="yes")`` raised
nothing). So each check here is generated from the table: a new row is compared with the types,
the compiled :class:`Policy`, ``describe()``, its ``CORS_*`` config key, the names each entry
point accepts and the options reference, without a new test.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from flask_crossorigin import CORS, ConfigError, cross_origin
from flask_crossorigin.diagnosis import routes
from flask_crossorigin.options import (
    BOOLEAN_OPTIONS,
    CONFIG_KEYS,
    DECORATOR_OPTIONS,
    DEFAULT_RESOURCES,
    EXTENSION_OPTIONS,
    LEGACY_CONFIG_KEYS,
    LEGACY_OPTIONS,
    OPTIONS,
    POLICY_DEFAULTS,
    POLICY_OPTIONS,
    Kind,
    Option,
    build_policy,
    check_names,
    config_layer,
    merge,
    validate_values,
)
from flask_crossorigin.policy import Policy
from flask_crossorigin.types import CORSOptions, CrossOriginOptions

OPTIONS_DOC = Path(__file__).resolve().parents[1] / "docs" / "options.md"
BOOLEANS = [option for option in POLICY_OPTIONS if option.kind is Kind.BOOL]
OTHERS = [option for option in POLICY_OPTIONS if option.kind is not Kind.BOOL]
#: An origin other than '*', so that every boolean (supports_credentials too) can be turned on.
ORIGIN = "https://a.example"

#: How flask_crossorigin.types spells the type of each kind of option.
TYPED_AS = {
    Kind.BOOL: "bool | None",
    Kind.ORIGINS: "Origins",
    Kind.METHODS: "Methods",
    Kind.HEADERS: "AllowHeaders",
    Kind.EXPOSE: "str | Iterable[str] | None",
    Kind.MAX_AGE: "MaxAge",
    Kind.RESOURCES: "Resources",
}

#: For each kind but BOOL (and RESOURCES, not a policy's): a value other than the default, and
#: what describe() shows for it.
SAMPLES: dict[Kind, tuple[Any, object]] = {
    Kind.ORIGINS: ([ORIGIN], [ORIGIN]),
    Kind.METHODS: ("get, PROPFIND", ["GET", "PROPFIND"]),
    Kind.HEADERS: (["X-A"], ["X-A"]),
    Kind.EXPOSE: ("X-B, X-C", ["X-B", "X-C"]),
    Kind.MAX_AGE: ("600", 600),
}


def ids(option: Option) -> str:
    return option.name


def layer(where: str = "CORS", **options: Any) -> dict[str, tuple[Any, str]]:
    return check_names(options, allowed=EXTENSION_OPTIONS, where=where)


def annotations(typed: type) -> dict[str, str]:
    # Strings (the module uses `from __future__ import annotations`), wrapped in ForwardRef by
    # TypedDict; compared as written, so the test runs on Python 3.9 too.
    return {
        name: getattr(annotation, "__forward_arg__", annotation)
        for name, annotation in typed.__annotations__.items()
    }


# -- the table ------------------------------------------------------------------------------------


def test_each_row_is_complete() -> None:
    assert next(iter(OPTIONS)) == "resources"  # the docs' order; describe() follows the table
    for name, option in OPTIONS.items():
        assert option.name == name
        assert re.fullmatch(r"[a-z][a-z_]*[a-z]", name), name
        assert option.kind in TYPED_AS, f"{name}: type the new kind in TYPED_AS above"
        assert option.config_key == f"CORS_{name.upper()}"
        assert option.doc.strip() and "\n" not in option.doc and len(option.doc) <= 100, name
        if option.kind is Kind.BOOL:
            assert type(option.default) is bool, name
        else:
            assert option.show is not None


def test_a_row_says_how_it_is_checked_exactly_once() -> None:
    # A boolean is validated from its kind; any other kind needs its own validator.
    with pytest.raises(TypeError, match="takes no check"):
        Option("flag", False, Kind.BOOL, "A flag.", check=lambda value, label: value)
    with pytest.raises(TypeError, match="needs a check"):
        Option("age", None, Kind.MAX_AGE, "An age.")


def test_every_derived_name_comes_from_the_table() -> None:
    policy_names = [option.name for option in POLICY_OPTIONS]
    assert frozenset(OPTIONS) == EXTENSION_OPTIONS
    assert DECORATOR_OPTIONS == frozenset(policy_names) == frozenset(POLICY_DEFAULTS)
    # The one difference: resources is the extension's table, not a policy's option.
    assert {"resources"} == EXTENSION_OPTIONS - DECORATOR_OPTIONS
    assert [name for name, option in OPTIONS.items() if option.table_only] == ["resources"]
    assert list(POLICY_DEFAULTS) == policy_names
    assert all(POLICY_DEFAULTS[o.name] == o.default for o in POLICY_OPTIONS)
    assert DEFAULT_RESOURCES == OPTIONS["resources"].default == r"/*"
    assert frozenset(o.name for o in BOOLEANS) == BOOLEAN_OPTIONS
    assert dict(CONFIG_KEYS) == {option.config_key: name for name, option in OPTIONS.items()}
    # Legacy spellings are other names for table options, never options of their own.
    assert set(LEGACY_OPTIONS.values()) <= DECORATOR_OPTIONS
    assert not set(LEGACY_OPTIONS) & EXTENSION_OPTIONS
    assert set(LEGACY_CONFIG_KEYS.values()) <= EXTENSION_OPTIONS
    assert not set(LEGACY_CONFIG_KEYS) & set(CONFIG_KEYS)


@pytest.mark.parametrize(
    ("typed", "names"),
    [(CrossOriginOptions, DECORATOR_OPTIONS), (CORSOptions, EXTENSION_OPTIONS)],
    ids=["CrossOriginOptions", "CORSOptions"],
)
def test_the_types_have_each_option_typed_by_its_kind(typed: type, names: frozenset[str]) -> None:
    typed_names = annotations(typed)
    assert set(typed_names) - set(LEGACY_OPTIONS) == names
    for name in names:
        expected = TYPED_AS[OPTIONS[name].kind]
        assert typed_names[name] == expected, f"types.py: write {name}: {expected}"
    for legacy, modern in LEGACY_OPTIONS.items():
        assert typed_names[legacy] == typed_names[modern]


# -- the compiled policy and describe() ----------------------------------------------------------


def test_the_defaults_compile_into_plain_attributes_that_describe_shows() -> None:
    policy = build_policy({})
    described = policy.describe()
    assert list(described) == [option.name for option in POLICY_OPTIONS]
    for option in POLICY_OPTIONS:
        compiled = option.compile(option.default, "default")
        assert option.show(getattr(policy, option.name)) == option.show(compiled)
        assert described[option.name] == option.show(compiled)
        assert policy.sources[option.name] == "default"
        # Read on every request: an instance attribute, never a property or other descriptor.
        assert option.name in vars(policy)
        assert inspect.getattr_static(Policy, option.name, None) is None
        assert not option.name.startswith("_")
    assert "resources" not in described and "resources" not in vars(policy)


def test_the_policy_annotations_agree_with_the_table() -> None:
    # Policy types the options the package's code reads; those it types must match the table.
    typed = {name: str(annotation) for name, annotation in Policy.__annotations__.items()}
    for option in POLICY_OPTIONS:
        if option.name in typed and option.kind is Kind.BOOL:
            assert typed[option.name] == "bool", option.name
    for name, annotation in typed.items():
        if annotation == "bool":
            assert name in BOOLEAN_OPTIONS, f"Policy.{name} is typed bool but not a table boolean"


@pytest.mark.parametrize("option", BOOLEANS, ids=ids)
def test_each_boolean_reaches_the_policy_from_each_place(option: Option) -> None:
    flipped = not option.default
    places = {
        "CORS(...)": layer(**{option.name: flipped}),
        "@cross_origin(...)": check_names(
            {option.name: flipped}, allowed=DECORATOR_OPTIONS, where="@cross_origin"
        ),
        "app.config": config_layer({option.config_key: flipped}),
    }
    expected_source = {
        "CORS(...)": f"CORS({option.name}=...)",
        "@cross_origin(...)": f"@cross_origin({option.name}=...)",
        "app.config": f"app.config[{option.config_key!r}]",
    }
    for place, own in places.items():
        policy = build_policy(merge(layer(origins=[ORIGIN]), own))
        assert getattr(policy, option.name) is flipped, place
        assert policy.describe()[option.name] is flipped, place
        assert policy.sources[option.name] == expected_source[place]
        # No other boolean moved: each reaches its own field.
        for other in BOOLEANS:
            if other is not option:
                assert getattr(policy, other.name) is other.default, (place, other.name)


@pytest.mark.parametrize("option", BOOLEANS, ids=ids)
@pytest.mark.parametrize("wrong", ["yes", "false", 1])
def test_each_boolean_is_validated_from_its_kind(option: Option, wrong: object) -> None:
    for own, source in [
        (layer(**{option.name: wrong}), f"CORS({option.name}=...)"),
        (config_layer({option.config_key: wrong}), f"app.config[{option.config_key!r}]"),
    ]:
        for check in (build_policy, validate_values):
            with pytest.raises(ConfigError) as info:
                check(merge(own) if check is build_policy else own)
            error = info.value
            assert (error.code, error.option, error.value) == ("cors.E030", option.name, wrong)
            assert error.source == source
            assert f"{option.name}={wrong!r} must be True or False" in str(error)


@pytest.mark.parametrize("option", BOOLEANS, ids=ids)
def test_none_for_each_boolean_is_not_set(option: Option) -> None:
    assert layer(**{option.name: None}) == {}
    assert config_layer({option.config_key: None}) == {}


@pytest.mark.parametrize("option", OTHERS, ids=ids)
def test_each_other_option_reaches_the_policy(option: Option) -> None:
    assert option.kind in SAMPLES, f"add a sample value of the kind {option.kind} to SAMPLES"
    value, shown = SAMPLES[option.kind]
    for own, source in [
        (layer(**{option.name: value}), f"CORS({option.name}=...)"),
        (config_layer({option.config_key: value}), f"app.config[{option.config_key!r}]"),
    ]:
        policy = build_policy(merge(own))
        assert policy.describe()[option.name] == shown
        assert option.show(getattr(policy, option.name)) == shown
        assert policy.sources[option.name] == source
    assert shown != build_policy({}).describe()[option.name]


def test_booleans_are_checked_before_the_other_options() -> None:
    # A combined error carries its first problem's code, as it did before the table.
    with pytest.raises(ConfigError) as info:
        build_policy(merge(layer(origins=["localhost"], max_age=-1, debug="yes")))
    codes = [problem.code for problem in info.value.errors]
    assert codes == ["cors.E030", "cors.E007", "cors.E052"]
    assert info.value.code == "cors.E030"


# -- through Flask -------------------------------------------------------------------------------


def described(app: Flask, endpoint: str) -> dict[str, Any]:
    (row,) = [row for row in routes(app) if row["endpoint"] == endpoint]
    return {"policy": row["policy"], "sources": row["sources"]}


@pytest.mark.parametrize("option", BOOLEANS, ids=ids)
def test_each_boolean_through_the_extension_the_config_and_the_decorator(option: Option) -> None:
    flipped = not option.default

    def view() -> str:
        return ""

    app = Flask(__name__)
    app.add_url_rule("/x", "x", view)
    CORS(app, origins=[ORIGIN], **{option.name: flipped})
    assert described(app, "x")["policy"][option.name] is flipped

    app = Flask(__name__)
    app.add_url_rule("/x", "x", view)
    app.config[option.config_key] = flipped
    CORS(app, origins=[ORIGIN])
    shown = described(app, "x")
    assert shown["policy"][option.name] is flipped
    assert shown["sources"][option.name] == f"app.config[{option.config_key!r}]"

    app = Flask(__name__)
    app.add_url_rule("/x", "x", cross_origin(origins=[ORIGIN], **{option.name: flipped})(view))
    assert described(app, "x")["policy"][option.name] is flipped

    with pytest.raises(ConfigError, match=f"{option.name}='yes' must be True or False"):
        CORS(Flask(__name__), **{option.name: "yes"})
    with pytest.raises(ConfigError, match=f"{option.name}='yes' must be True or False"):
        cross_origin(**{option.name: "yes"})


# -- the options reference ------------------------------------------------------------------------


def test_the_options_reference_has_a_row_per_option() -> None:
    rows = re.findall(
        r"^\| `(\w+)` \| `(CORS_\w+)` \| .* \| (.*) \|$", OPTIONS_DOC.read_text(), re.MULTILINE
    )
    documented = {name: (key, default) for name, key, default in rows}
    assert list(documented) == list(OPTIONS), "docs/options.md: one row per option, table order"
    for name, option in OPTIONS.items():
        key, default = documented[name]
        assert key == option.config_key
        if option.kind is Kind.BOOL:
            assert default == f"`{option.default!r}`", name
