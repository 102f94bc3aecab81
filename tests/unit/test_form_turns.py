"""What a message in the middle of a form is, and the details a message gives at once."""

from __future__ import annotations

import pytest

from bot import contact, knowledge
from bot.errors import InvalidName
from bot.form_turns import COMPLAINT, GREETING, SMALL_TALK, THANKS, is_question, kind_of


@pytest.mark.parametrize(
    ("said", "intent", "kind"),
    [("merci", None, THANKS), ("Merci beaucoup !", None, THANKS), ("bedankt", None, THANKS),
     ("dank je wel", None, THANKS), ("ok merci", None, THANKS), ("top, merci bien", None, THANKS),
     ("bonjour", None, GREETING), ("Goeiemorgen", None, GREETING),
     ("dat heb ik toch al gezegd", None, COMPLAINT), ("je vous l'ai déjà dit !", None, COMPLAINT),
     ("waarom vraag je dat nog eens?", None, COMPLAINT), ("ok", None, SMALL_TALK),
     ("euh", None, SMALL_TALK), ("ça va ?", None, SMALL_TALK),
     ("thx a lot", "thank", THANKS)],
)  # fmt: skip
def test_what_answers_nothing_but_keeps_the_form(said: str, intent: str | None, kind: str) -> None:
    assert kind_of(said, intent) == kind


@pytest.mark.parametrize(
    "said", ["Jan Peeters", "non", "plutôt le matin", "et les impôts alors ?", "0470 12 34 56",
             "laisse tomber", ""],
)  # fmt: skip
def test_answers_questions_and_stops_are_none_of_them(said: str) -> None:
    assert kind_of(said, "inform") is None


@pytest.mark.parametrize(
    ("said", "name", "email", "phone"),
    [("Ik wil me inschrijven. Mijn naam is Jan De Smet, e-mail jan.desmet@telenet.be, gsm "
      "0470 12 34 56", "Jan De Smet", "jan.desmet@telenet.be", "+32470123456"),
     ("Je m'appelle Léa Moreau-Dubois et mon mail c'est lea@gmail.com, tel 06 12 34 56 78",
      "Léa Moreau-Dubois", "lea@gmail.com", "+33612345678"),
     ("naam: Lien Van den Bossche", "Lien Van den Bossche", None, None),
     ("mon numéro 0470/12.34.56 et mon mail jan@skynet.be", None, "jan@skynet.be",
      "+32470123456"),
     ("Je voudrais m'inscrire au job dating, je suis Mehdi Haddad, mon mail "
      "mehdi@example.org", "Mehdi Haddad", "mehdi@example.org", None),
     ("ik ben Ruben De Smet, gsm 0485 11 22 33", "Ruben De Smet", None, "+32485112233"),
     ("je suis frontalier belge", None, None, None),
     ("ik ben lasser in Kortrijk", None, None, None),
     ("je m'appelle", None, None, None),
     ("deux adresses a@b.be et c@d.be", None, None, None)],
)  # fmt: skip
def test_details_are_found_wherever_they_stand(
    said: str, name: str | None, email: str | None, phone: str | None
) -> None:
    assert contact.find_name(said) == name
    assert contact.find_email(said) == email
    assert contact.find_phone(said) == phone


@pytest.mark.parametrize(
    ("said", "name"),
    [("Jan Peeters, jan@telenet.be, 0470 12 34 56", "Jan Peeters"),
     ("dat heb ik toch al gezegd: Els Vermeulen", "Els Vermeulen"),
     ("comme je l'ai dit, Jean de La Fontaine", "Jean de La Fontaine"),
     ("mijn naam is Bram Declercq en mijn gsm is 0470123456", "Bram Declercq")],
)  # fmt: skip
def test_the_name_asked_is_read_out_of_a_longer_answer(said: str, name: str) -> None:
    assert contact.read_name(said) == name


@pytest.mark.parametrize("said", ["plutôt le matin", "merci beaucoup", "c'est qui ?",
                                  "bonjour madame", "laisse tomber"])  # fmt: skip
def test_words_of_a_conversation_are_not_a_name(said: str) -> None:
    with pytest.raises(InvalidName) as refused:
        contact.read_name(said)
    assert refused.value.reason == "not_a_name"


@pytest.mark.parametrize(
    ("said", "question"),
    [("et les impôts alors ?", True), ("hoe zit het met mijn pensioen", True),
     ("combien je gagnerais", True), ("cariste", False), ("à Courtrai", False),
     ("ok", False)],
)  # fmt: skip
def test_questions_are_told_from_answers(said: str, question: bool) -> None:
    assert is_question(said) is question


@pytest.mark.parametrize(
    ("said", "topic"),
    [("et les impôts alors ?", "taxes"), ("en de kinderbijslag?", "family_allowances"),
     ("et les allocations familiales", "family_allowances"), ("et le chômage ?",
     "unemployment_benefits"), ("soudeur", None), ("magasinier à Lille", None)],
)  # fmt: skip
def test_the_topic_a_question_names(said: str, topic: str | None) -> None:
    assert knowledge.topic_in(said) == topic


@pytest.mark.parametrize("said", ["bonne journée", "au revoir", "tot ziens", "fijne dag",
                                  "à bientôt", "laat maar"])  # fmt: skip
def test_goodbyes_and_stops_are_not_names_whatever_the_intent_lets_through(said: str) -> None:
    with pytest.raises(InvalidName):
        contact.read_name(said)
