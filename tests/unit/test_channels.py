"""Webhook checks, numbered choices and channel switches, without any server."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from bot.channels import facebook, telegram, twilio
from bot.channels.choices import ChoiceMemory, RecentIds, choice_number, numbered
from bot.channels.config import ChannelConfigError, enabled_channels
from bot.channels.signatures import (
    facebook_signature,
    facebook_signature_valid,
    telegram_secret_valid,
    twilio_signature,
    twilio_signature_valid,
)
from bot.channels.socketio import valid_session_id, website_parts
from bot.config import Secret, Settings
from bot.language.codes import reply_language

ROOT = Path(__file__).resolve().parents[2]
BODY = b'{"object":"page","entry":[{"id":"1","time":1,"messaging":[]}]}'


def test_facebook_signature_is_hmac_sha256_of_the_raw_body() -> None:
    expected = hmac.new(b"app-secret", BODY, hashlib.sha256).hexdigest()
    assert facebook_signature("app-secret", BODY) == f"sha256={expected}"
    assert facebook_signature_valid("app-secret", BODY, f"sha256={expected}")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        "sha1=" + hmac.new(b"app-secret", BODY, hashlib.sha1).hexdigest(),
        facebook_signature("other-secret", BODY),
        facebook_signature("app-secret", BODY + b" "),
        "sha256=é",
    ],
)
def test_facebook_rejects_missing_wrong_or_sha1_signatures(header: str | None) -> None:
    assert not facebook_signature_valid("app-secret", BODY, header)


def test_facebook_without_a_secret_accepts_nothing() -> None:
    assert not facebook_signature_valid("", BODY, facebook_signature("", BODY))


@pytest.mark.parametrize(
    "secret, header, valid",
    [
        ("s3cret", "s3cret", True),
        ("s3cret", "s3cre", False),
        ("s3cret", None, False),
        ("", "", False),
    ],
)
def test_telegram_secret_token(secret: str, header: str | None, valid: bool) -> None:
    assert telegram_secret_valid(secret, header) is valid


FORM = [
    ("SmsMessageSid", "SM1"),
    ("Body", "2"),
    ("From", "whatsapp:+32470123456"),
    ("To", "whatsapp:+14155238886"),
    ("MessageSid", "SM1"),
    ("NumMedia", "0"),
]


@pytest.mark.parametrize(
    "url",
    [
        "https://bot.example.org/webhooks/twilio/webhook",
        "https://bot.example.org:443/webhooks/twilio/webhook?lang=nl",
        "http://127.0.0.1:5005/webhooks/twilio/webhook",
    ],
)
def test_twilio_signature_matches_twilios_own_validator(url: str) -> None:
    signature = twilio_signature("auth-token", url, FORM)
    assert RequestValidator("auth-token").validate(url, dict(FORM), signature)
    assert twilio_signature_valid("auth-token", url, FORM, signature)


def test_twilio_signature_is_base64_hmac_sha1_of_url_and_sorted_params() -> None:
    url = "https://bot.example.org/webhooks/twilio/webhook"
    data = url + "".join(k + v for k, v in sorted(FORM))
    digest = hmac.new(b"auth-token", data.encode(), hashlib.sha1).digest()
    assert twilio_signature("auth-token", url, FORM) == base64.b64encode(digest).decode()


def test_twilio_signature_with_or_without_the_default_port() -> None:
    signed = twilio_signature("t", "https://bot.example.org/webhooks/twilio/webhook", FORM)
    assert twilio_signature_valid(
        "t", "https://bot.example.org:443/webhooks/twilio/webhook", FORM, signed
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda url, form, token: (url.replace("https", "http"), form, token),
        lambda url, form, token: (url, [*form, ("Extra", "1")], token),
        lambda url, form, token: (url, [(k, "3" if k == "Body" else v) for k, v in form], token),
        lambda url, form, token: (url, form, "other-token"),
    ],
)
def test_twilio_rejects_a_changed_url_body_or_token(change) -> None:
    url = "https://bot.example.org/webhooks/twilio/webhook"
    signature = twilio_signature("auth-token", url, FORM)
    other_url, other_form, token = change(url, FORM, "auth-token")
    assert not twilio_signature_valid(token, other_url, other_form, signature)


def test_twilio_without_a_signature_or_token_accepts_nothing() -> None:
    url = "https://bot.example.org/webhooks/twilio/webhook"
    assert not twilio_signature_valid("auth-token", url, FORM, None)
    assert not twilio_signature_valid("", url, FORM, twilio_signature("", url, FORM))


BUTTONS = [
    {"title": "J'habite en France, je travaille en Flandre", "payload": '/inform{"x": 1}'},
    {"title": "Autre situation", "payload": "/change_situation"},
]


def test_buttons_become_numbered_choices() -> None:
    assert numbered("Où habitez-vous ?", BUTTONS) == (
        "Où habitez-vous ?\n\n1. J'habite en France, je travaille en Flandre\n2. Autre situation"
    )


@pytest.mark.parametrize("reply, number", [("2", 2), (" 2 ", 2), ("2.", 2), ("2)", 2), ("12", 12)])
def test_a_reply_with_a_number_names_a_choice(reply: str, number: int) -> None:
    assert choice_number(reply) == number


@pytest.mark.parametrize("reply", ["2 enfants", "deux", "", "123", "-1"])
def test_other_replies_name_no_choice(reply: str) -> None:
    assert choice_number(reply) is None


def test_reply_two_maps_to_the_second_button_of_the_last_message_for_that_sender() -> None:
    memory = ChoiceMemory()
    memory.remember("whatsapp:+32470000001", BUTTONS)
    assert memory.resolve("whatsapp:+32470000001", "2") == "/change_situation"
    assert memory.resolve("whatsapp:+32470000002", "2") == "2"  # another sender
    assert memory.resolve("whatsapp:+32470000001", "3") == "3"  # no third button
    memory.remember("whatsapp:+32470000001", [])  # the last message had no buttons
    assert memory.resolve("whatsapp:+32470000001", "2") == "2"


def test_choice_memory_is_bounded() -> None:
    memory = ChoiceMemory(size=2)
    for sender in ("a", "b", "c"):
        memory.remember(sender, BUTTONS)
    assert memory.resolve("a", "1") == "1" and memory.resolve("c", "1") == BUTTONS[0]["payload"]


def test_recent_ids_see_a_redelivery_once_and_stay_bounded() -> None:
    recent = RecentIds(size=2)
    assert recent.first_time("1") and not recent.first_time("1")
    assert recent.first_time("2") and recent.first_time("3")
    assert recent.first_time("1")  # forgotten: the oldest went first


def test_telegram_update_text_and_button_clicks() -> None:
    message = {"update_id": 1, "message": {"message_id": 5, "chat": {"id": 42}, "text": "hallo"}}
    click = {
        "update_id": 2,
        "callback_query": {"id": "cb1", "data": "/ask_human", "message": {"chat": {"id": 42}}},
    }
    photo = {"update_id": 3, "message": {"message_id": 6, "chat": {"id": 42}, "photo": []}}
    assert telegram.read_update(message) == telegram.Incoming("42", "hallo")
    assert telegram.read_update(click) == telegram.Incoming("42", "/ask_human", "cb1")
    assert telegram.read_update(photo) is None


def test_facebook_events_of_a_batch() -> None:
    payload = {
        "object": "page",
        "entry": [
            {
                "messaging": [
                    {
                        "sender": {"id": "7"},
                        "timestamp": 1,
                        "message": {"mid": "m1", "text": "bonjour"},
                    },
                    {"sender": {"id": "7"}, "message": {"mid": "m2", "text": "x", "is_echo": True}},
                    {
                        "sender": {"id": "8"},
                        "message": {
                            "mid": "m3",
                            "text": "Oui",
                            "quick_reply": {"payload": "/affirm"},
                        },
                    },
                    {"sender": {"id": "9"}, "timestamp": 5, "postback": {"payload": "/help"}},
                    {"sender": {"id": "9"}, "delivery": {"mids": ["m1"]}},
                ]
            }
        ],
    }
    assert list(facebook.read_events(payload)) == [
        facebook.Incoming("m1", "7", "bonjour"),
        facebook.Incoming("m3", "8", "/affirm"),
        facebook.Incoming("9:5", "9", "/help"),
    ]
    assert list(facebook.read_events({"object": "instagram", "entry": []})) == []


def test_quick_replies_only_for_short_titles() -> None:
    assert facebook.fits_quick_replies([{"title": "Oui"}, {"title": "Non"}])
    assert not facebook.fits_quick_replies(BUTTONS)


def test_long_twilio_bodies_are_cut_between_words() -> None:
    pieces = twilio.split_body("mot " * 500, limit=100)
    assert all(len(piece) <= 100 for piece in pieces)
    assert " ".join(pieces).split() == ["mot"] * 500


CHANNEL_ENV = {
    "TELEGRAM_BOT_TOKEN": "123:abc",
    "TELEGRAM_WEBHOOK_SECRET": "tg-secret",
    "FACEBOOK_VERIFY_TOKEN": "verify",
    "FACEBOOK_APP_SECRET": "app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token",
    "TWILIO_ACCOUNT_SID": "AC1",
    "TWILIO_AUTH_TOKEN": "auth",
    "TWILIO_NUMBER": "whatsapp:+14155238886",
}


def test_messaging_channels_are_off_without_their_variables() -> None:
    enabled = enabled_channels(ROOT / "credentials.yml", {})
    assert list(enabled) == [
        "bot.channels.rest.RestInput",
        "bot.channels.health.HealthInput",
        "bot.channels.socketio.SocketIOInput",
    ]
    assert enabled["bot.channels.socketio.SocketIOInput"]["session_persistence"] is True


def test_channels_are_on_with_their_variables_and_secrets_stay_references() -> None:
    enabled = enabled_channels(ROOT / "credentials.yml", CHANNEL_ENV)
    assert [name.rsplit(".", 1)[-1] for name in enabled][3:] == [
        "TelegramInput",
        "FacebookInput",
        "TwilioInput",
    ]
    tg = enabled["bot.channels.telegram.TelegramInput"]
    assert tg["access_token"] == "${TELEGRAM_BOT_TOKEN}"  # Rasa reads it from the environment
    assert tg["api_url"] == "https://api.telegram.org"
    assert enabled["bot.channels.twilio.TwilioInput"]["webhook_url"] == ""


def test_an_api_url_can_point_at_a_local_fake_platform() -> None:
    env = {**CHANNEL_ENV, "TWILIO_API_URL": "http://127.0.0.1:9999"}
    enabled = enabled_channels(ROOT / "credentials.yml", env)
    assert enabled["bot.channels.twilio.TwilioInput"]["api_url"] == "http://127.0.0.1:9999"


def test_a_half_configured_channel_stops_the_start_with_the_missing_names() -> None:
    with pytest.raises(ChannelConfigError, match="TWILIO_ACCOUNT_SID, TWILIO_NUMBER"):
        enabled_channels(ROOT / "credentials.yml", {"TWILIO_AUTH_TOKEN": "x"})


@pytest.mark.parametrize(
    "session_id, valid",
    [
        ("0b0e7a8c-3f0e-4d43-9b2f-1d7f1c8e2a61", True),  # crypto.randomUUID()
        ("0b0e7a8c3f0e4d439b2f1d7f1c8e2a61", True),  # uuid4().hex
        ("1", False),
        ("test", False),
        ("x" * 31, False),
        ("../../etc/passwd-0123456789abcdef0123456789", False),
        (None, False),
        (12345678901234567890123456789012345, False),
    ],
)
def test_socketio_session_ids_must_be_long_enough_to_be_random(session_id, valid) -> None:
    assert valid_session_id(session_id) is valid


@pytest.mark.parametrize(
    ("channel", "credentials", "secret", "attribute"),
    [
        (facebook.FacebookInput, {"verify": "v", "page-access-token": "t"}, "secret", "fb_secret"),
        (telegram.TelegramInput, {"secret_token": "s"}, "access_token", "access_token"),
        (twilio.TwilioInput, {"account_sid": "AC1"}, "auth_token", "auth_token"),
    ],
)
def test_a_channel_without_its_secret_is_refused(
    channel: type, credentials: dict[str, str], secret: str, attribute: str
) -> None:
    from rasa.shared.exceptions import RasaException

    with pytest.raises(RasaException, match=f"use the {channel.name()} input channel"):
        channel.from_credentials(credentials)
    with pytest.raises(RasaException):
        channel.from_credentials(None)
    configured = channel.from_credentials({**credentials, secret: "the-secret"})
    assert getattr(configured, attribute) == "the-secret"


FRENCH = [{"type": "slot", "name": "language", "value": "fr"}]


def test_a_domain_response_is_in_the_language_of_its_condition() -> None:
    assert reply_language({"condition": FRENCH, "utter_action": "utter_greet"}) == "fr"
    assert reply_language({"language": "nl", "condition": FRENCH}) == "nl"  # said by an action
    assert reply_language({"handoff": True}) is None  # a consultant's message: unknown
    assert reply_language({"language": "en"}) is None


def test_website_parts_carry_the_language_and_the_languages_of_their_lines() -> None:
    details = {"condition": FRENCH, "metadata": {"line_languages": ["nl", "fr", "", "fr"]}}
    parts = website_parts("Lasser — Vandamme\nCourtrai\n\nVoir l'offre", details)
    assert parts == [
        {"text": "Lasser — Vandamme\nCourtrai", "language": "fr", "line_languages": ["nl", "fr"]},
        {"text": "Voir l'offre", "language": "fr", "line_languages": ["fr"]},
    ]


def test_line_languages_that_do_not_match_the_lines_are_left_out() -> None:
    details = {"language": "nl", "metadata": {"line_languages": ["nl"]}}
    assert website_parts("een\ntwee", details) == [{"text": "een\ntwee", "language": "nl"}]


def test_production_mode_leaves_rest_out_without_its_secret(tmp_path: Path) -> None:
    from bot.ops import cli

    production = Settings(var_dir=tmp_path, mode="production")
    assert "rest" not in cli.write_channels(production)[1]
    with_secret = Settings(var_dir=tmp_path, mode="production", rest_secret=Secret("s" * 32))
    assert "rest" in cli.write_channels(with_secret)[1]
    assert "rest" in cli.write_channels(Settings(var_dir=tmp_path))[1]  # embedded: on


@pytest.mark.parametrize(
    "raw, refused",
    [
        (b"[1, 2]", "the body must be a JSON object"),
        (b'"hello"', "the body must be a JSON object"),
        (b"null", "the body must be a JSON object"),
        (b"{not json", "the body must be JSON"),
        (b'{"message": "Bonjour"}', "sender must be"),
        (b'{"sender": "", "message": "Bonjour"}', "sender must be"),
        (b'{"sender": "a\\nb", "message": "Bonjour"}', "sender must be"),
        (b'{"sender": ["x"], "message": "Bonjour"}', "sender must be"),
        (b'{"sender": "me", "message": 3}', "message must be a text"),
        (b'{"sender": "me"}', "message must be a text"),
    ],
)
def test_rest_refuses_what_is_not_one_message_of_one_sender(raw: bytes, refused: str) -> None:
    from bot.channels.rest import read_body

    reason = read_body(raw)
    assert isinstance(reason, str) and reason.startswith(refused)


def test_rest_reads_sender_message_and_metadata() -> None:
    from bot.channels.rest import read_body

    raw = (
        b'{"sender": "me", "message": "Dag", "metadata": {"language": "nl"}, "input_channel": "x"}'
    )
    assert read_body(raw) == {"sender": "me", "message": "Dag", "metadata": {"language": "nl"}}
