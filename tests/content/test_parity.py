"""French and Dutch side by side: a missing translation fails here, before any training."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.messages import catalog
from bot.training import data as training_data

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fr", "nl")
MIN_EXAMPLES = 20
MAX_RATIO = 1.8
ANNOTATION = re.compile(r"\[[^\]]+\]\((\w+)(?::[^)]*)?\)|\[[^\]]+\]\{\"entity\": \"(\w+)\"")


def _nlu(folder: Path) -> dict[str, list[str]]:
    return training_data.examples_in(folder)


def _nlu_files(folder: Path, pattern: str) -> dict[str, list[str]]:
    return training_data.examples_in(folder, pattern)


def _domain() -> dict:
    merged: dict = {"responses": {}, "intents": []}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text())
        merged["responses"].update(data.get("responses") or {})
        merged["intents"].extend(data.get("intents") or [])
    return merged


def test_both_languages_have_the_same_training_files() -> None:
    names = [
        sorted(p.name for p in (ROOT / "data" / f"nlu_{lang}").glob("*.yml")) for lang in LANGUAGES
    ]
    assert names[0] == names[1] and names[0]


def test_both_languages_train_the_same_intents_in_comparable_numbers() -> None:
    fr, nl = (_nlu(ROOT / "data" / f"nlu_{lang}") for lang in LANGUAGES)
    assert set(fr) == set(nl)
    for intent in fr:
        counts = len(fr[intent]), len(nl[intent])
        assert min(counts) >= MIN_EXAMPLES, (intent, counts)
        assert max(counts) / min(counts) <= MAX_RATIO, (intent, counts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_training_sentence_is_taught_as_two_intents(lang: str) -> None:
    # "laat maar zitten" under both deny and stop left "laat maar" between the two, and the
    # fallback took it: the search form asked its question again instead of stopping.
    intents_of: dict[str, set[str]] = {}
    for intent, lines in _nlu(ROOT / "data" / f"nlu_{lang}").items():
        for line in lines:
            intents_of.setdefault(" ".join(line.lower().split()), set()).add(intent)
    assert {line: i for line, i in intents_of.items() if len(i) > 1} == {}


def test_every_domain_intent_is_trained_in_both_languages() -> None:
    # faq/taxes, faq/wages... are the retrieval intent faq of the domain.
    trained = {intent.split("/")[0] for intent in _nlu(ROOT / "data" / "nlu_fr")}
    untrained = {"other_language"}  # set by ForeignLanguageClassifier, never learnt
    domain_intents = {i if isinstance(i, str) else next(iter(i)) for i in _domain()["intents"]}
    assert domain_intents - untrained == trained


def test_each_intent_uses_the_same_entity_types_in_both_languages() -> None:
    fr, nl = (_nlu(ROOT / "data" / f"nlu_{lang}") for lang in LANGUAGES)
    for intent in fr:
        types = [
            {m[0] or m[1] for line in side[intent] for m in ANNOTATION.findall(line)}
            for side in (fr, nl)
        ]
        assert types[0] == types[1], intent


# The intent contract of the product brief: analytics, console and tests rely on these names.
CONTRACT_INTENTS = {
    *"greet goodbye thank affirm deny bot_challenge help out_of_scope switch_language".split(),
    *"ask_human search_vacancies list_info_sessions book_info_session cancel_booking".split(),
    *(
        f"faq/{topic}"
        for topic in """frontier_worker taxes social_security health_insurance
        unemployment_benefits family_allowances pension diploma_recognition
        language_requirements commuting wages contracts job_search_services project job_dating
        training equal_opportunities cv_application working_conditions privacy""".split()
    ),
}


def test_held_out_set_covers_every_contract_intent_in_both_languages() -> None:
    for lang in LANGUAGES:
        heldout = _nlu_files(ROOT / "tests" / "nlu_heldout", f"*_{lang}.yml")
        assert set(heldout) == CONTRACT_INTENTS, lang
        assert min(len(lines) for lines in heldout.values()) >= 10, lang


def test_development_set_covers_every_trained_intent_in_both_languages() -> None:
    trained = set(_nlu(ROOT / "data" / "nlu_fr"))
    for lang in LANGUAGES:
        dev = _nlu_files(ROOT / "tests" / "nlu_dev", f"*_{lang}.yml")
        assert set(dev) <= trained, lang


@pytest.mark.parametrize("folder", ["nlu_heldout", "nlu_dev"])
def test_evaluation_sentences_are_not_training_sentences(folder: str) -> None:
    training = {
        line.lower()
        for lang in LANGUAGES
        for lines in _nlu(ROOT / "data" / f"nlu_{lang}").values()
        for line in lines
    }
    evaluation = {
        line.lower()
        for lang in LANGUAGES
        for lines in _nlu(ROOT / "tests" / folder).values()
        for line in lines
    }
    assert training.isdisjoint(evaluation), sorted(training & evaluation)[:5]


@pytest.mark.parametrize("name", sorted(_domain()["responses"]))
def test_every_response_has_one_french_and_one_dutch_variation(name: str) -> None:
    variations = _domain()["responses"][name]
    languages = []
    for variation in variations:
        conditions = variation.get("condition") or []
        languages += [c["value"] for c in conditions if c.get("name") == "language"]
        assert variation.get("text", "").strip(), name
    assert sorted(languages) == sorted(LANGUAGES), name
    assert len(variations) == len(LANGUAGES), name


def test_response_buttons_match_in_both_languages() -> None:
    for name, variations in _domain()["responses"].items():
        payloads = [[b["payload"] for b in v.get("buttons", [])] for v in variations]
        counts = {len(p) for p in payloads}
        assert len(counts) == 1, name


def _keys(node: object, prefix: str = "") -> set[str]:
    if not isinstance(node, dict):
        return {prefix}
    return set().union(
        *(_keys(value, f"{prefix}.{key}" if prefix else key) for key, value in node.items())
    )


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    fr, nl = catalog("fr"), catalog("nl")
    assert _keys(fr) == _keys(nl)
    for key in _keys(fr):
        values = []
        for side in (fr, nl):
            node = side
            for part in key.split("."):
                node = node[part]
            values.append(set(re.findall(r"{(\w+)}", str(node))))
        assert values[0] == values[1], key


class _UniqueKeys(yaml.SafeLoader):
    """A loader that refuses a key written twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = [self.construct_object(key, deep=deep) for key, _value in node.value]
        twice = {key for key in keys if keys.count(key) > 1}
        assert not twice, f"line {node.start_mark.line + 1}: {sorted(twice)} written twice"
        return super().construct_mapping(node, deep=deep)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogs_write_each_key_once(lang: str) -> None:
    # A second "data:" under console.models replaced the first: a page showed a dict.
    yaml.load((ROOT / "bot" / "resources" / f"{lang}.yml").read_text("utf-8"), _UniqueKeys)


def test_e2e_conversations_have_the_same_stories_in_both_languages() -> None:
    names = []
    for lang in LANGUAGES:
        stories = yaml.safe_load((ROOT / "tests" / "e2e" / f"conversations_{lang}.yml").read_text())
        names.append(sorted(s["story"] for s in stories["stories"]))
    assert names[0] == names[1] and names[0]


TEMPLATES = ROOT / "bot" / "web" / "templates"
_T_CALL = re.compile(r"""\bt\(\s*'([^']+)'""")
_JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
_TAG = re.compile(r"<[^>]+>", re.S)


def _lookup(node: object, key: str) -> object:
    for part in key.split("."):
        assert isinstance(node, dict) and part in node, key
        node = node[part]
    return node


def _templates() -> list[Path]:
    # The website's templates and the console's (templates/console/).
    return sorted(TEMPLATES.rglob("*.html"))


def test_console_templates_are_covered() -> None:
    assert TEMPLATES / "console" / "transcript.html" in _templates()


def test_web_templates_take_every_text_from_both_catalogs() -> None:
    keys = set()
    for path in _templates():
        for key in _T_CALL.findall(path.read_text()):
            # t('web.contacts.' ~ service.key ~ '.name'): the literal prefix must exist.
            keys.add(key.rstrip("."))
    assert keys
    for lang in LANGUAGES:
        for key in keys:
            _lookup(catalog(lang), key)


def test_web_templates_hold_no_text_of_their_own() -> None:
    for path in _templates():
        remains = _TAG.sub(" ", _JINJA.sub(" ", path.read_text()))
        words = re.findall(r"[^\W\d_]{2,}", remains)
        assert words == [], f"{path.name}: text outside the catalogs: {words[:5]}"


def test_web_catalog_lists_have_the_same_length_in_both_languages() -> None:
    def lists(node: object, prefix: str = "") -> dict[str, int]:
        if isinstance(node, list):
            return {prefix: len(node)}
        if isinstance(node, dict):
            found: dict[str, int] = {}
            for key, value in node.items():
                found.update(lists(value, f"{prefix}.{key}"))
            return found
        return {}

    for part in ("web", "console"):
        assert lists(catalog("fr")[part]) == lists(catalog("nl")[part]), part
