"""neonize events -> InboundMessage / StatusUpdate: the pure mapping functions, fed with
real neonize protobufs (and real Baileys payloads, the same WhatsApp protobuf in JSON)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AudioMessage,
    ContactMessage,
    ContactsArrayMessage,
    ContextInfo,
    DocumentMessage,
    ExtendedTextMessage,
    FutureProofMessage,
    ImageMessage,
    LiveLocationMessage,
    LocationMessage,
    Message,
    PollCreationMessage,
    ProtocolMessage,
    ReactionMessage,
    StickerMessage,
    VideoMessage,
)

from helpline.channels.providers.base import InboundMessage, StatusUpdate
from helpline.channels.providers.web import messages as wm
from tests.web_provider.helpers import CUSTOMER, baileys_event, jid, message_event, receipt

PHONE = f"+{CUSTOMER}"


def inbound(content: Message, **kwargs: object) -> InboundMessage:
    event = message_event(content, **kwargs)  # type: ignore[arg-type]
    phone = wm.sender_phone(event.Info.MessageSource)
    assert phone is not None
    result = wm.to_inbound(event, phone)
    assert result is not None
    return result


MEDIA_FIELDS = dict(
    URL="https://mmg.whatsapp.net/d/f/abc.enc",
    directPath="/v/t62.7118-24/abc",
    mediaKey=b"m" * 32,
    fileSHA256=b"s" * 32,
    fileEncSHA256=b"e" * 32,
    fileLength=52046,
)


def test_plain_text() -> None:
    msg = inbound(Message(conversation="hola"), message_id="3EB0AA", pushname="Ana")
    assert (msg.provider_message_id, msg.from_phone, msg.text, msg.type) == (
        "3EB0AA",
        PHONE,
        "hola",
        "text",
    )
    assert msg.contact_name == "Ana"
    assert msg.timestamp == datetime(2025, 5, 1, 20, 51, 13, tzinfo=UTC)
    assert msg.quoted_id is None and msg.media is None and msg.payload is None
    assert msg.raw["chat"] == f"{CUSTOMER}@s.whatsapp.net"
    assert msg.raw["field"] == "conversation"


def test_reply_with_quoted_context() -> None:
    content = Message(
        extendedTextMessage=ExtendedTextMessage(
            text="yes, that one",
            contextInfo=ContextInfo(
                stanzaID="3EB0ORIGINAL",
                participant="5491100000000@s.whatsapp.net",
                quotedMessage=Message(conversation="Which plan?"),
            ),
        )
    )
    msg = inbound(content)
    assert (msg.text, msg.type, msg.quoted_id) == ("yes, that one", "text", "3EB0ORIGINAL")


def test_link_text_without_context_has_no_quote() -> None:
    msg = inbound(Message(extendedTextMessage=ExtendedTextMessage(text="https://x.example")))
    assert (msg.text, msg.quoted_id) == ("https://x.example", None)


def test_image_with_caption_is_media_to_download() -> None:
    content = Message(
        imageMessage=ImageMessage(
            caption="my receipt", mimetype="image/jpeg", JPEGThumbnail=b"t" * 500, **MEDIA_FIELDS
        )
    )
    msg = inbound(content)
    assert (msg.type, msg.text) == ("image", "[image] my receipt")
    assert msg.media is not None
    assert (msg.media.kind, msg.media.mime_type, msg.media.caption) == (
        "image",
        "image/jpeg",
        "my receipt",
    )
    assert msg.media.data is None and not msg.media.voice
    # Its token (as the url) downloads it again: the keys, not the caption or thumbnail.
    assert msg.media.media_id is None
    again = wm.decode_media_token(msg.media.url or "")
    assert again.imageMessage.directPath == MEDIA_FIELDS["directPath"]
    assert again.imageMessage.mediaKey == MEDIA_FIELDS["mediaKey"]
    assert again.imageMessage.fileLength == 52046
    assert not again.imageMessage.caption and not again.imageMessage.JPEGThumbnail
    assert not again.imageMessage.URL
    assert len(msg.media.url or "") < 400


def test_voice_note_and_plain_audio() -> None:
    voice = inbound(Message(audioMessage=AudioMessage(PTT=True, mimetype="audio/ogg; codecs=opus")))
    assert (voice.type, voice.text) == ("audio", "[voice]")
    assert voice.media is not None and voice.media.voice
    song = inbound(Message(audioMessage=AudioMessage(mimetype="audio/mpeg", **MEDIA_FIELDS)))
    assert song.media is not None and not song.media.voice
    assert song.text == "[audio]"


def test_video_document_and_sticker() -> None:
    video = inbound(Message(videoMessage=VideoMessage(caption="look", mimetype="video/mp4")))
    assert (video.type, video.text, video.media and video.media.kind) == (
        "video",
        "[video] look",
        "video",
    )
    doc = inbound(
        Message(
            documentMessage=DocumentMessage(
                fileName="invoice.pdf", mimetype="application/pdf", caption="March"
            )
        )
    )
    assert doc.media is not None
    assert (doc.type, doc.text, doc.media.filename) == (
        "document",
        "[document] invoice.pdf March",
        "invoice.pdf",
    )
    sticker = inbound(Message(stickerMessage=StickerMessage(mimetype="image/webp")))
    assert (sticker.type, sticker.text) == ("sticker", "[sticker]")


def test_video_note_downloads_as_a_video() -> None:
    content = Message(ptvMessage=VideoMessage(mimetype="video/mp4", **MEDIA_FIELDS))
    msg = inbound(content)
    assert msg.type == "video"
    target = wm.downloadable("ptvMessage", content.ptvMessage)
    assert target.videoMessage.directPath == MEDIA_FIELDS["directPath"]
    assert target.videoMessage.URL  # the first download keeps the URL


def test_quoted_media_reply() -> None:
    content = Message(
        imageMessage=ImageMessage(mimetype="image/png", contextInfo=ContextInfo(stanzaID="3EB0Q"))
    )
    assert inbound(content).quoted_id == "3EB0Q"


def test_location_and_live_location() -> None:
    place = inbound(
        Message(
            locationMessage=LocationMessage(
                degreesLatitude=-34.6037,
                degreesLongitude=-58.3816,
                name="Obelisco",
                address="Av. 9 de Julio",
            )
        )
    )
    assert place.type == "location"
    assert place.text == "📍 -34.6037,-58.3816 Obelisco Av. 9 de Julio"
    assert place.payload == {
        "location": {
            "latitude": -34.6037,
            "longitude": -58.3816,
            "name": "Obelisco",
            "address": "Av. 9 de Julio",
        }
    }
    live = inbound(
        Message(liveLocationMessage=LiveLocationMessage(degreesLatitude=1.5, degreesLongitude=2.5))
    )
    assert live.type == "location"
    assert live.payload == {
        "location": {"latitude": 1.5, "longitude": 2.5, "name": None, "address": None}
    }


VCARD = (
    "BEGIN:VCARD\nVERSION:3.0\nN:Perez;Juan;;;\nFN:Juan Perez\n"
    "item1.TEL;waid=5491144443333:+54 9 11 4444-3333\nitem1.X-ABLabel:Mobile\n"
    "TEL;type=WORK:+1 (555) 010-0000\nEND:VCARD"
)


def test_contact_card() -> None:
    msg = inbound(Message(contactMessage=ContactMessage(displayName="Juan", vcard=VCARD)))
    assert msg.type == "contacts"
    assert msg.payload == {
        "contacts": [{"name": "Juan Perez", "phones": ["+5491144443333", "+1 (555) 010-0000"]}]
    }
    assert msg.text == "[contacts] Juan Perez +5491144443333 +1 (555) 010-0000"


def test_several_contact_cards() -> None:
    cards = ContactsArrayMessage(
        displayName="2 contacts",
        contacts=[
            ContactMessage(displayName="Juan", vcard=VCARD),
            ContactMessage(displayName="Only Name", vcard="BEGIN:VCARD\r\nEND:VCARD"),
        ],
    )
    msg = inbound(Message(contactsArrayMessage=cards))
    assert msg.payload is not None
    assert [c["name"] for c in msg.payload["contacts"]] == ["Juan Perez", "Only Name"]
    assert msg.payload["contacts"][1]["phones"] == []


def test_reaction_and_its_removal() -> None:
    key = MessageKey(remoteJID=f"{CUSTOMER}@s.whatsapp.net", fromMe=True, ID="3EB0OUT1")
    liked = inbound(Message(reactionMessage=ReactionMessage(key=key, text="👍")))
    assert (liked.type, liked.text) == ("reaction", "reaction 👍 to 3EB0OUT1")
    assert liked.payload == {"reaction": {"emoji": "👍", "messageId": "3EB0OUT1"}}
    removed = inbound(Message(reactionMessage=ReactionMessage(key=key, text="")))
    assert removed.payload == {"reaction": {"emoji": "", "messageId": "3EB0OUT1"}}
    assert removed.text == "reaction removed from 3EB0OUT1"


def test_edit() -> None:
    edit = ProtocolMessage(
        key=MessageKey(ID="3EB0FIRST"),
        type=ProtocolMessage.MESSAGE_EDIT,
        editedMessage=Message(conversation="fixed typo"),
    )
    msg = inbound(Message(editedMessage=FutureProofMessage(message=Message(protocolMessage=edit))))
    assert (msg.type, msg.text) == ("edit", "[edited] fixed typo")
    assert msg.payload == {"edit": {"messageId": "3EB0FIRST"}}


def test_unknown_kind_is_kept_as_unsupported() -> None:
    msg = inbound(Message(pollCreationMessage=PollCreationMessage(name="Lunch?")))
    assert (msg.type, msg.text) == ("unsupported", "[unsupported: pollCreationMessage]")


def test_protocol_only_messages_carry_nothing() -> None:
    revoke = Message(protocolMessage=ProtocolMessage(type=ProtocolMessage.REVOKE))
    event = message_event(revoke)
    assert wm.to_inbound(event, PHONE) is None
    assert wm.to_inbound(message_event(Message()), PHONE) is None


def test_ephemeral_and_view_once_are_unwrapped() -> None:
    inner = Message(conversation="vanishing")
    wrapped = Message(ephemeralMessage=FutureProofMessage(message=inner))
    assert inbound(wrapped).text == "vanishing"
    once = Message(
        viewOnceMessageV2=FutureProofMessage(message=Message(imageMessage=ImageMessage()))
    )
    assert inbound(once).type == "image"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"from_me": True}, "sent by this account"),
        ({"group": True, "chat": jid("120363000000", "g.us")}, "group chat"),
        ({"chat": jid("status", "broadcast")}, "status update"),
        ({"chat": jid("1746000000", "broadcast")}, "broadcast list"),
        ({"chat": jid("120363111", "newsletter")}, "channel (newsletter)"),
        ({}, None),
    ],
)
def test_what_is_not_a_customer_conversation(kwargs: dict[str, object], reason: str) -> None:
    event = message_event(Message(conversation="x"), **kwargs)  # type: ignore[arg-type]
    assert wm.ignore_reason(event.Info.MessageSource) == reason


def test_sender_known_by_lid_uses_its_phone_alias() -> None:
    event = message_event(
        Message(conversation="hi"),
        sender=jid("187654321098765", "lid"),
        sender_alt=jid(CUSTOMER),
    )
    assert wm.sender_phone(event.Info.MessageSource) == PHONE
    only_lid = message_event(Message(conversation="hi"), sender=jid("187654321098765", "lid"))
    assert wm.sender_phone(only_lid.Info.MessageSource) is None


def test_timestamps_in_seconds_or_milliseconds() -> None:
    when = datetime(2025, 5, 1, 20, 51, 13, tzinfo=UTC)
    assert wm.timestamp_of(1_746_132_673) == when
    assert wm.timestamp_of(1_746_132_673_000) == when
    assert wm.timestamp_of(0) is None


def test_receipts() -> None:
    assert wm.receipt_updates(receipt(["A", "B"])) == [
        StatusUpdate("A", "delivered"),
        StatusUpdate("B", "delivered"),
    ]
    assert wm.receipt_updates(receipt(["A"], "READ")) == [StatusUpdate("A", "read")]
    assert wm.receipt_updates(receipt(["V"], "PLAYED")) == [StatusUpdate("V", "read")]
    failed = wm.receipt_updates(receipt(["F"], "SERVER_ERROR"))
    assert failed[0].status == "failed" and failed[0].error
    for ours in ("READ_SELF", "PLAYED_SELF", "SENDER", "RETRY", "INACTIVE"):
        assert wm.receipt_updates(receipt(["A"], ours)) == []
    assert wm.receipt_updates(receipt(["A"], "READ", group=True)) == []


def test_real_baileys_text_payload() -> None:
    event = baileys_event("evolution__messages.upsert__incoming_text__percy2017.json")
    source = event.Info.MessageSource
    assert wm.ignore_reason(source) is None
    msg = wm.to_inbound(event, wm.sender_phone(source) or "")
    assert msg is not None
    assert (msg.provider_message_id, msg.from_phone, msg.text, msg.contact_name) == (
        "3EB03E3CA617ADA52AEA79",
        "+59171146267",
        "hola - text",
        "percy alvarez E1",
    )


def test_real_baileys_image_payload() -> None:
    event = baileys_event("evolution__messages.upsert__incoming_image__percy2017.json")
    msg = wm.to_inbound(event, wm.sender_phone(event.Info.MessageSource) or "")
    assert msg is not None and msg.media is not None
    assert (msg.type, msg.text) == ("image", "[image] hola - text con multimedia (imagen)")
    assert msg.media.mime_type == "image/jpeg"
    token = wm.decode_media_token(msg.media.url or "")
    assert token.imageMessage.directPath.startswith("/o1/v/t62.7118-24/")
    assert token.imageMessage.fileLength == 52046
    assert len(token.imageMessage.mediaKey) == 32


def test_real_baileys_own_message_is_ignored() -> None:
    event = baileys_event("evolution__messages.upsert__outgoing_fromMe_text__percy2017.json")
    assert wm.ignore_reason(event.Info.MessageSource) == "sent by this account"
