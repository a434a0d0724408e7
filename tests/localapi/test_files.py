"""Uploads, getFile and downloads in both directions."""

from __future__ import annotations

import struct
import zlib

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.localapi import EmulatorState, SimUser


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def test_send_document_then_user_reads_bytes(
    bot: Bot, user: SimUser, state: EmulatorState
) -> None:
    payload = "还款计划\n".encode() + bytes(range(256))
    message = await bot.send_document(
        user.chat_id, payload, filename="plan.csv", caption="<b>Plan</b>", parse_mode="HTML"
    )
    assert message.document is not None
    assert (message.document.file_name, message.document.file_size) == ("plan.csv", len(payload))
    assert message.document.mime_type == "text/csv"
    assert message.caption == "Plan"
    seen = await user.next_message(timeout=1)
    assert seen.file_bytes == payload
    assert seen.document is not None
    assert state.file_bytes(seen.document["file_id"]) == payload
    # The bot can fetch its own upload back, too.
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload


async def test_resend_by_file_id(bot: Bot, user: SimUser) -> None:
    first = await bot.send_document(user.chat_id, b"abc", filename="a.txt")
    assert first.document is not None
    again = await bot.send_document(user.chat_id, first.document.file_id)
    assert again.document is not None
    assert again.document.file_id == first.document.file_id
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_document(user.chat_id, "no-such-file-id")


async def test_send_photo_reports_size(bot: Bot, user: SimUser) -> None:
    message = await bot.send_photo(user.chat_id, _png(3, 2), caption="chart")
    (size,) = message.photo
    assert (size.width, size.height) == (3, 2)
    with pytest.raises(BadRequest, match=r"^Image_process_failed$"):
        await bot.send_photo(user.chat_id, b"not an image")


async def test_user_uploads_reach_the_bot(bot: Bot, user: SimUser) -> None:
    user.send_document(b"%PDF-1.4 statement", file_name="statement.pdf", caption="my statement")
    user.send_photo(_png(4, 4))
    doc_update, photo_update = await bot.get_updates()
    assert doc_update.message is not None
    assert doc_update.message.document is not None
    assert doc_update.message.document.mime_type == "application/pdf"
    file = await doc_update.message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 statement"
    assert photo_update.message is not None
    photo = photo_update.message.photo[-1]
    assert (photo.width, photo.height) == (4, 4)
    downloaded = await (await photo.get_file()).download_as_bytearray()
    assert bytes(downloaded) == _png(4, 4)


async def test_get_file_unknown(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Invalid file_id$"):
        await bot.get_file("nope")
