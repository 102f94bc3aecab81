import logging

import pytest

from bot import log


@pytest.mark.parametrize(
    "text",
    [
        "mail marie.dupont+job@exemple.be now",
        "call +32 470 12 34 56",
        "bel 0470/12.34.56",
        "appelle le 06 12 34 56 78",
        "référence K7P2-QX9M",
        "annuler k7p2 qx9m svp",
        "mijn code is k7p2qx9m",
    ],
)
def test_personal_data_is_masked(text: str) -> None:
    masked = log.mask(text)
    assert masked != text
    assert not any(part in masked.upper() for part in ("DUPONT", "470", "12 34 56", "K7P2", "QX9M"))


def test_ids_and_dates_are_kept() -> None:
    assert log.mask("session 42 on 2026-12-09 at 09:30") == "session 42 on 2026-12-09 at 09:30"


def test_words_of_eight_letters_are_not_taken_for_references() -> None:
    assert log.mask("vacature in Kortrijk, dans quel quartier") == (
        "vacature in Kortrijk, dans quel quartier"
    )


def test_filter_masks_arguments_of_a_record(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.masking")
    caplog.handler.addFilter(log.MaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("booked for %s", "jan.peeters@voorbeeld.be")
    assert "jan.peeters" not in caplog.text and "***@***" in caplog.text
