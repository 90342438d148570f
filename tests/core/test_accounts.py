"""hostup.accounts: the named-accounts map, and its safety rules (no key ever repeated)."""

from __future__ import annotations

import json

import pytest

from hostup.accounts import Accounts, account_name_problem
from hostup.settings import Settings, SettingsError

DEFAULT = Settings(api_key="default-key-0123456789", endpoint="https://default.example")
AGENCY_KEY = "agency-key-9876543210abcdef"
HOW = "add {name} here"
MAP = {
    "agency": {"apiKey": AGENCY_KEY, "endpoint": "https://agency.example"},
    "plain": {"apiKey": "plain-key-555"},
}


EVERY_KEY = (AGENCY_KEY, "plain-key-555", "default-key-0123456789")


@pytest.mark.parametrize("raw", [MAP, json.dumps(MAP)])
def test_an_entry_gives_its_key_and_endpoint_else_the_defaults(raw: object) -> None:
    accounts = Accounts.resolve(DEFAULT, raw)
    agency = accounts.settings_for("agency", HOW)
    assert (agency.api_key, agency.endpoint) == (AGENCY_KEY, "https://agency.example")
    plain = accounts.settings_for("plain", HOW)
    assert (plain.api_key, plain.endpoint) == ("plain-key-555", DEFAULT.endpoint)
    assert plain.operation_timeout == DEFAULT.operation_timeout
    assert accounts.settings_for(None, HOW) is DEFAULT
    assert accounts.names() == ["agency", "plain"]


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_no_map_means_only_the_default(raw: object) -> None:
    accounts = Accounts.resolve(DEFAULT, raw, where="hostup:accounts")
    assert accounts.settings_for(None, HOW) is DEFAULT
    with pytest.raises(SettingsError, match=r"not in hostup:accounts \(configured: none\)"):
        accounts.settings_for("agency", HOW)


def test_an_unknown_account_names_what_there_is_and_how_to_add_it() -> None:
    accounts = Accounts.resolve(DEFAULT, MAP, where="hostup:accounts")
    problem = accounts.input_problem("client-b", HOW)
    assert problem == (
        "account 'client-b' is not in hostup:accounts (configured: agency, plain); "
        "add client-b here"
    )


def test_a_key_given_as_the_account_is_refused_without_repeating_it() -> None:
    accounts = Accounts.resolve(DEFAULT, MAP)
    for key in (AGENCY_KEY, DEFAULT.api_key):
        problem = accounts.input_problem(key, HOW)
        assert problem == "account must name an account, not hold an API key"
        with pytest.raises(SettingsError) as raised:
            accounts.settings_for(key, HOW)
        assert key not in str(raised.value)


@pytest.mark.parametrize(
    "raw",
    [
        "{not json " + AGENCY_KEY,
        json.dumps([AGENCY_KEY]),
        json.dumps(AGENCY_KEY),
    ],
)
def test_a_map_that_is_not_one_is_reported_without_quoting_it(raw: str) -> None:
    accounts = Accounts.resolve(DEFAULT, raw, where="hostup:accounts")
    assert accounts.settings_for(None, HOW) is DEFAULT  # an unused map harms nobody
    problem = accounts.input_problem("agency", HOW)
    assert problem is not None
    assert problem.startswith("hostup:accounts is not a map of accounts")
    assert AGENCY_KEY not in problem


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({"endpoint": "https://x.example"}, "hostup:accounts.agency has no apiKey"),
        ({"apiKey": "  "}, "has no apiKey"),
        ("just-a-string", "must be a map with apiKey and endpoint"),
        ({"apikey": AGENCY_KEY}, "has unknown keys apikey (takes apiKey, endpoint)"),
        ({"apiKey": "k", AGENCY_KEY: "x"}, "has unknown keys (not shown)"),
        ({"apiKey": "k", "endpoint": 3}, "endpoint that is not a string"),
    ],
)
def test_a_broken_entry_says_what_is_wrong_and_never_shows_a_value(entry: object, why: str) -> None:
    accounts = Accounts.resolve(DEFAULT, {"agency": entry}, where="hostup:accounts")
    problem = accounts.input_problem("agency", HOW)
    assert problem is not None
    assert why in problem
    assert AGENCY_KEY not in problem
    assert "just-a-string" not in problem


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("agency", True),
        ("client_b-2", True),
        ("A" * 63, True),
        ("A" * 64, False),
        ("", False),
        ("-lead", False),
        ("a.b", False),  # would split a `--path 'hostup:accounts.a.b.apiKey'`
        ("a b", False),
        ("ågency", False),
        (3, False),
    ],
)
def test_account_names(value: object, ok: bool) -> None:
    assert (account_name_problem(value) is None) is ok


def test_a_bad_name_is_refused_without_repeating_it() -> None:
    problem = account_name_problem("bad name " + AGENCY_KEY)
    assert problem is not None
    assert AGENCY_KEY not in problem


def test_repr_names_accounts_never_keys() -> None:
    text = repr(Accounts.resolve(DEFAULT, MAP))
    assert "agency" in text
    assert "plain" in text
    for key in EVERY_KEY:
        assert key not in text
