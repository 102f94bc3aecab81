"""What a message asks: what a form, status or body is, or the topic a follow-up names."""

from __future__ import annotations

import pytest

from bot.knowledge import KnowledgeError, questions
from bot.knowledge.questions import definition_asked, is_short, topic_named


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Bonsoir, le A1 c'est quoi exactement ?", "a1"),
        ("mon employeur me parle d'une attestation A1, ça veut dire quoi ?", "a1"),
        ("Wat houdt een A1-attest eigenlijk in?", "a1"),
        ("S1 ?", "s1"),
        ("wat moet ik verstaan onder een S1 formulier, wat is dat?", "s1"),
        ("à quoi sert le formulaire U1 ?", "u1"),
        ("waarvoor dient een U1-formulier?", "u1"),
        ("le U2, qu'est ce que c'est ?", "u2"),
        ("qu'est-ce que c'est le 276 Front. ?", "form_276"),
        ("wat is formulier 276 Grens?", "form_276"),
        ("C4 ?", "c4"),
        ("que signifie être travailleur frontalier ?", "frontier_worker"),
        ("wat betekent het grensarbeidersstatuut?", "frontier_worker"),
        ("c'est quoi exactement un travailleur détaché ?", "posted_worker"),
        ("wat is detachering precies?", "posted_worker"),
        ("qu'est-ce qu'un numéro BIS ?", "bis_number"),
        ("wat is een rijksregisternummer?", "bis_number"),
        ("c'est qui France Travail ?", "france_travail"),
        ("qui est le Forem ?", "forem"),
        ("wat doet VDAB juist?", "vdab"),
        ("c'est quoi une mutualité en Belgique ?", "mutualite"),
        ("wat is een ziekenfonds?", "mutualite"),
        ("la CAF c'est quoi ?", "caf"),
        ("wat is het Groeipakket?", "groeipakket"),
        ("c'est quoi Famiris ?", "famiris"),
        ("wat is de RVA?", "onem"),
        # Another term named first, SMS and Flemish speech (the dialogue panel).
        ("chui frontalier, c quoi le formulaire A1 ?", "a1"),
        ("ik ben grensarbeider, wat is een S1?", "s1"),
        ("wa is da eigenlijk, een A1-formulier?", "a1"),
    ],
)
def test_a_question_about_what_something_is_finds_its_term(text: str, term: str) -> None:
    found = definition_asked(text)
    assert found is not None and found.key == term


@pytest.mark.parametrize(
    "text",
    [
        "quel niveau A1 en néerlandais faut-il pour travailler à Ypres ?",
        "is Nederlands op niveau A1 genoeg?",
        "je dois demander l'A1 à mon patron avant de partir ?",
        "ik heb mijn S1-formulier gekregen, moet ik het nog laten registreren?",
        "Le Forem peut-il m'aider à trouver un job ?",
        "mijn ziekenfonds wil een attest",
        "et la sécu ?",
        "je suis frontalier belge, c'est quoi mes droits pour le chômage ?",
        "ik ben grensarbeider, wat is het beste ziekenfonds voor mij?",
        "wat is het goedkoopste ziekenfonds?",
        "c'est quoi la meilleure mutualité ?",
        "c'est quoi les offres du VDAB à Courtrai ?",
        "wat zijn de vacatures van Le Forem in Doornik?",
    ],
)
def test_a_question_using_a_term_is_not_a_definition_question(text: str) -> None:
    assert definition_asked(text) is None


def test_every_term_is_written_in_both_languages_and_cites_its_topic_sources() -> None:
    terms = questions.glossary()
    assert len(terms) >= 15
    for term in terms.values():
        for language in ("fr", "nl"):
            assert 80 <= len(term.text[language]) <= 450, (term.key, language)
            assert all(url.startswith("https://") for url in term.source_urls(language))


def test_a_glossary_citing_an_unknown_source_is_refused() -> None:
    entry = {
        "names": ["x1"],
        "topic": "taxes",
        "sources": ["taxes.nowhere"],
        "fr": "Un texte.",
        "nl": "Een tekst.",
    }
    with pytest.raises(KnowledgeError, match="unknown source taxes.nowhere"):
        questions.parse_glossary({"terms": {"x1": entry}})


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("et la sécu ?", "social_security"),
        ("Et niveau impôts alors ?", "taxes"),
        ("et pour la mutuelle ?", "health_insurance"),
        ("en de kinderbijslag?", "family_allowances"),
        ("en mijn pensioen dan?", "pension"),
        ("hoe zit het met de belastingen?", "taxes"),
        ("mon contrat à Roulers se termine, et pour le chômage ?", "unemployment_benefits"),
    ],
)
def test_a_follow_up_names_its_topic(text: str, topic: str) -> None:
    assert topic_named(text) == topic


@pytest.mark.parametrize(
    ("text", "which_system"),
    [
        ("je cotise où pour ma retraite et ma santé si je travaille en Belgique ?", True),
        ("waar ben ik verzekerd voor ziekte en pensioen als ik in Rijsel werk?", True),
        ("je suis affilié où pour le chômage et les allocs ?", True),
        ("voor welke ziekteverzekering en werkloosheid draag ik bij in België?", True),
        ("à quel âge je touche ma retraite ?", False),  # one branch: that branch's answer
        ("combien de chômage et d'allocations familiales je vais toucher ?", False),
        ("waar moet ik verzekerd zijn voor mijn pensioen?", False),
    ],
)
def test_contributions_for_several_branches_ask_which_system_covers(
    text: str, which_system: bool
) -> None:
    assert questions.asks_which_system(text) is which_system


def test_short_messages_are_follow_ups_and_long_ones_are_not() -> None:
    assert is_short("et pour les allocs ?")
    assert not is_short(
        "j'habite à Tourcoing et je travaille à Menin depuis trois ans, et les impôts ?"
    )


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        # A definition question is the FAQ, whatever the classifier guessed.
        ("wat is een BIS-nummer?", "nlu_fallback", True),
        ("wat doet de RVA?", "help", True),
        ("c'est quoi le 276 frontalier ?", "faq", False),  # already the FAQ
        ("what is an A1 form?", "other_language", False),
        # An unclear short follow-up naming a topic is the FAQ...
        ("en de RSZ?", "nlu_fallback", True),
        ("et la sécu ?", "nlu_fallback", True),
        # ...or one read as giving a detail, when it is a question.
        ("en de RSZ?", "inform", True),
        ("et pour la mutuelle", "inform", True),
        ("mutualité chrétienne", "inform", False),  # an answer, not a question
        # ...but a sure guess, a long message or one naming no topic is kept.
        ("je cherche un contrat", "search_vacancy", False),
        ("euh ben voilà quoi", "nlu_fallback", False),
        (
            "et la sécu pour mon beau-frère qui habite très loin de la frontière ?",
            "nlu_fallback",
            False,
        ),
        ('/faq{"faq_topic": "taxes"}', "faq", False),
    ],
)
def test_the_faq_is_chosen_by_its_words_only_where_the_classifier_could_not_tell(
    text: str, intent: str, expected: bool
) -> None:
    from bot.nlu.faq_words import faq_by_words

    assert faq_by_words(text, intent) is expected
