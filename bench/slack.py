"""Slack's side of the bot benchmark: requests signed and shaped like Slack's (app mentions and
`/returns` commands). The fake Web API that notes when each answer arrives is the tests' one
(tests/bot_helpers.py)."""

from __future__ import annotations

import json
import time
import urllib.parse

import aiohttp
from slack_sdk.signature import SignatureVerifier

BOT_USER = "UBOT"
SIGNING_SECRET = "bench-signing-secret"


def mention(text: str, user: str, channel: str) -> tuple[str, str]:
    """An `app_mention` event body (JSON) and its content type."""
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}",
             "ts": "1590000000.000100", "channel": channel, "event_ts": "1590000000.000100"}
    body = {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "event": event,
            "type": "event_callback", "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": 1590000000,
            "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]}
    return json.dumps(body), "application/json"


def slash_command(text: str, user: str, response_url: str) -> tuple[str, str]:
    """A `/returns` command body (form-encoded) and its content type."""
    body = urllib.parse.urlencode({
        "token": "legacy", "team_id": "T1", "team_domain": "bench", "channel_id": "CCMD",
        "channel_name": "returns", "user_id": user, "user_name": "someone",
        "command": "/returns", "text": text, "api_app_id": "A1", "response_url": response_url,
        "trigger_id": f"{time.monotonic_ns()}.1.abc"})
    return body, "application/x-www-form-urlencoded"


async def post_signed(session: aiohttp.ClientSession, url: str, body: str,
                      content_type: str) -> tuple[int, float]:
    """POST `body` signed as Slack does; the HTTP status and the seconds to the response."""
    timestamp = str(int(time.time()))
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(
                   timestamp=timestamp, body=body)}
    started = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as response:
        await response.read()
        return response.status, time.perf_counter() - started
