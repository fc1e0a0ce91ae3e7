"""What the gateway parser makes of each kind of message: media (inline or to fetch),
locations, contact cards, replies, reactions, button and list answers."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from helpline.channels.providers.base import InboundMessage
from helpline.channels.providers.bridge.events import NotAnEvent, parse_vcard
from helpline.channels.providers.evolution.parser import read_evolution
from helpline.channels.providers.wppconnect.parser import read_wppconnect
from tests.gateway.helpers import (
    EVO_IMAGE,
    EVO_TEXT,
    PNG,
    WPP_MESSAGE,
    WPP_SESSION,
    load,
    wpp_event,
    wpp_message,
)

VCARD = (
    "BEGIN:VCARD\nVERSION:3.0\nN:Bing;Chandler;;;\nFN:Chandler Bing\n"
    "item1.TEL;waid=15555555555:+1 555-555-5555\nitem1.X-ABLabel:Celular\nEND:VCARD"
)


def one_wpp(body: dict[str, Any]) -> InboundMessage:
    reading = read_wppconnect(body, WPP_SESSION)
    assert reading.ignored == [] and len(reading.messages) == 1, reading
    return reading.messages[0]


def one_evo(data: dict[str, Any], message: dict[str, Any] | None = None) -> InboundMessage:
    payload = copy.deepcopy(load(EVO_TEXT))
    payload["data"].update(data)
    if message is not None:
        payload["data"]["message"] = message
        payload["data"]["messageType"] = next(iter(message))
    reading = read_evolution(payload, "tigo1")
    assert reading.ignored == [] and len(reading.messages) == 1, reading
    return reading.messages[0]


def test_not_an_event() -> None:
    with pytest.raises(NotAnEvent):
        read_wppconnect([1, 2], WPP_SESSION)
    with pytest.raises(NotAnEvent):
        read_evolution("text", "tigo1")


def test_wpp_sample_message() -> None:
    msg = one_wpp(wpp_event("onmessage", load(WPP_MESSAGE)))
    assert msg.provider_message_id == "false_556593077171@c.us_BA86D62376F08B22171EB46A18B23B13"
    assert (msg.from_phone, msg.text, msg.type) == ("556593077171@c.us", "Oi oi oi", "text")
    assert msg.contact_name == "Anselmo Schaefler"  # the sender's own name, not "Eu"
    assert msg.timestamp is not None and msg.timestamp.year == 2021
    assert msg.quoted_id is None and msg.media is None


def test_wpp_media_inline_when_the_server_downloaded_it() -> None:
    """With webhook.autoDownload the body is the whole file in base64."""
    body = base64.b64encode(PNG).decode()
    msg = one_wpp(
        wpp_message(type="image", body=body, mimetype="image/png", size=len(PNG), caption="Foto")
    )
    assert (msg.type, msg.text) == ("image", "[image] Foto")
    assert msg.media is not None
    assert (msg.media.kind, msg.media.data, msg.media.caption) == ("image", PNG, "Foto")
    assert msg.media.media_id == msg.provider_message_id
    assert "body" not in msg.raw  # the file is not kept twice


def test_wpp_media_thumbnail_is_not_the_file() -> None:
    thumbnail = base64.b64encode(b"tiny jpeg").decode()
    msg = one_wpp(wpp_message(type="image", body=thumbnail, mimetype="image/jpeg", size=52046))
    assert msg.media is not None
    assert msg.media.data is None  # fetched later by id
    assert msg.media.media_id == msg.provider_message_id


def test_wpp_voice_note_and_document() -> None:
    voice = one_wpp(wpp_message(type="ptt", body="", mimetype="audio/ogg; codecs=opus"))
    assert (voice.type, voice.text) == ("audio", "[voice]")
    assert voice.media is not None and voice.media.voice
    doc = one_wpp(
        wpp_message(
            type="document",
            body="",
            mimetype="application/pdf",
            filename="factura.pdf",
            caption="Mi factura",
        )
    )
    assert (doc.type, doc.text) == ("document", "[document] factura.pdf Mi factura")
    assert doc.media is not None and doc.media.filename == "factura.pdf"


def test_wpp_location_and_contacts() -> None:
    loc = one_wpp(
        wpp_message(type="location", body="", lat=-15.6, lng=-56.1, loc="Loja\nRua A, 10")
    )
    assert loc.type == "location"
    assert loc.payload == {
        "location": {"latitude": -15.6, "longitude": -56.1, "name": "Loja", "address": "Rua A, 10"}
    }
    assert loc.text == "📍 -15.6,-56.1 Loja Rua A, 10"
    card = one_wpp(wpp_message(type="vcard", body=VCARD, vcardFormattedName="Chandler Bing"))
    assert card.type == "contacts"
    assert card.payload == {"contacts": [{"name": "Chandler Bing", "phones": ["+1 555-555-5555"]}]}
    assert card.text == "[contacts] Chandler Bing +1 555-555-5555"
    many = one_wpp(
        wpp_message(
            type="multi_vcard",
            body="",
            vcardList=[{"displayName": "A", "vcard": VCARD}, {"displayName": "B", "vcard": ""}],
        )
    )
    assert many.payload == {
        "contacts": [{"name": "A", "phones": ["+1 555-555-5555"]}, {"name": "B", "phones": []}]
    }


def test_wpp_quoted_replies() -> None:
    ours = "true_556593077171@c.us_3EB0OUT"
    assert one_wpp(wpp_message(quotedMsgId=ours)).quoted_id == ours
    # Only the stanza id: rebuilt from who wrote the quoted message.
    theirs = one_wpp(
        wpp_message(quotedStanzaID="ABC", quotedParticipant="556593077171@c.us")
    ).quoted_id
    assert theirs == "false_556593077171@c.us_ABC"
    mine = one_wpp(
        wpp_message(quotedStanzaID="DEF", quotedParticipant={"_serialized": "556592424425@c.us"})
    ).quoted_id
    assert mine == "true_556593077171@c.us_DEF"


def test_wpp_list_and_button_answers() -> None:
    listed = one_wpp(
        wpp_message(
            type="list_response",
            body="Ventas",
            listResponse={"title": "Ventas", "singleSelectReply": {"selectedRowId": "opt-sales"}},
        )
    )
    assert (listed.text, listed.reply_id) == ("Ventas", "opt-sales")
    button = one_wpp(
        wpp_message(type="buttons_response", body="Soporte", selectedButtonId="opt-support")
    )
    assert (button.text, button.reply_id) == ("Soporte", "opt-support")


def test_wpp_reaction() -> None:
    body = wpp_event(
        "onreactionmessage",
        {
            "id": {"_serialized": "false_556593077171@c.us_REACT1", "fromMe": False},
            "msgId": {"_serialized": "true_556593077171@c.us_3EB0OUT"},
            "reactionText": "👍",
            "read": False,
            "timestamp": 1746132796,
        },
    )
    msg = one_wpp(body)
    assert msg.type == "reaction"
    assert msg.from_phone == "556593077171@c.us"
    assert msg.payload == {
        "reaction": {"emoji": "👍", "messageId": "true_556593077171@c.us_3EB0OUT"}
    }
    assert msg.text == "reaction 👍 to true_556593077171@c.us_3EB0OUT"
    removed = one_wpp({**body, "reactionText": "", "timestamp": 1746132900})
    assert removed.provider_message_id != msg.provider_message_id
    assert removed.text.startswith("reaction removed from")


def test_evo_image_sample_is_fetched_by_id() -> None:
    """The sample's base64 was truncated by its author: not used; the id fetches it."""
    reading = read_evolution(load(EVO_IMAGE), "tigo1")
    (msg,) = reading.messages
    assert msg.media is not None
    assert (msg.media.kind, msg.media.mime_type) == ("image", "image/jpeg")
    assert msg.media.caption == "hola - text con multimedia (imagen)"
    assert msg.media.data is None
    assert msg.media.media_id == "3EB083096BF5E4096E4137"
    assert "base64" not in msg.raw["message"]


def test_evo_media_inline_when_base64_is_on() -> None:
    encoded = base64.b64encode(PNG).decode()
    msg = one_evo(
        {},
        {"imageMessage": {"mimetype": "image/png", "caption": "Foto"}, "base64": encoded},
    )
    assert msg.media is not None and msg.media.data == PNG
    audio = one_evo({}, {"audioMessage": {"mimetype": "audio/ogg", "ptt": True}})
    assert (audio.type, audio.text) == ("audio", "[voice]")
    wrapped = one_evo(
        {},
        {
            "documentWithCaptionMessage": {
                "message": {
                    "documentMessage": {
                        "mimetype": "application/pdf",
                        "fileName": "factura.pdf",
                        "caption": "Mi factura",
                    }
                }
            }
        },
    )
    assert (wrapped.type, wrapped.text) == ("document", "[document] factura.pdf Mi factura")


def test_evo_location_contacts_reaction_and_replies() -> None:
    loc = one_evo(
        {},
        {"locationMessage": {"degreesLatitude": -16.5, "degreesLongitude": -68.1, "name": "Plaza"}},
    )
    assert loc.payload == {
        "location": {"latitude": -16.5, "longitude": -68.1, "name": "Plaza", "address": None}
    }
    card = one_evo({}, {"contactMessage": {"displayName": "Chandler", "vcard": VCARD}})
    assert card.payload == {"contacts": [{"name": "Chandler", "phones": ["+1 555-555-5555"]}]}
    reaction = one_evo(
        {}, {"reactionMessage": {"key": {"id": "BAE5OUT2", "fromMe": True}, "text": "❤️"}}
    )
    assert reaction.payload == {"reaction": {"emoji": "❤️", "messageId": "BAE5OUT2"}}
    reply = one_evo(
        {},
        {
            "extendedTextMessage": {
                "text": "Sí, esa",
                "contextInfo": {
                    "stanzaId": "BAE5OUT2",
                    "participant": "59169375664@s.whatsapp.net",
                },
            }
        },
    )
    assert (reply.text, reply.quoted_id) == ("Sí, esa", "BAE5OUT2")
    top_level = one_evo({"contextInfo": {"stanzaId": "BAE5OUT3", "isForwarded": True}})
    assert (top_level.quoted_id, top_level.text) == ("BAE5OUT3", "[forwarded] hola - text")
    listed = one_evo(
        {},
        {"listResponseMessage": {"title": "Ventas", "singleSelectReply": {"selectedRowId": "s"}}},
    )
    assert (listed.text, listed.reply_id) == ("Ventas", "s")
    button = one_evo(
        {},
        {"buttonsResponseMessage": {"selectedButtonId": "b1", "selectedDisplayText": "Soporte"}},
    )
    assert (button.text, button.reply_id) == ("Soporte", "b1")


def test_evo_lid_sender_uses_the_phone_jid() -> None:
    msg = one_evo(
        {
            "key": {
                "remoteJid": "123456789012345@lid",
                "remoteJidAlt": "59171146267@s.whatsapp.net",
                "fromMe": False,
                "id": "3EBLID",
            }
        }
    )
    assert msg.from_phone == "59171146267@s.whatsapp.net"


def test_evo_groups_and_protocol_messages_are_ignored() -> None:
    payload = copy.deepcopy(load(EVO_TEXT))
    payload["data"]["key"]["remoteJid"] = "120363041967849074@g.us"
    assert read_evolution(payload, "tigo1").messages == []
    payload = copy.deepcopy(load(EVO_TEXT))
    payload["data"]["message"] = {"protocolMessage": {"type": 0}}
    payload["data"]["messageType"] = "protocolMessage"
    reading = read_evolution(payload, "tigo1")
    assert reading.messages == [] and len(reading.ignored) == 1


def test_evo_event_names_in_either_spelling() -> None:
    payload = copy.deepcopy(load(EVO_TEXT))
    payload["event"] = "MESSAGES_UPSERT"
    assert len(read_evolution(payload, "tigo1").messages) == 1


def test_parse_vcard() -> None:
    assert parse_vcard(VCARD) == {"name": "Chandler Bing", "phones": ["+1 555-555-5555"]}
    assert parse_vcard(None, "Solo nombre") == {"name": "Solo nombre", "phones": []}
