"""Slack's side of the bot benchmark: a fake Web API that notes when each answer arrives, and
requests signed and shaped like Slack's (app mentions and `/returns` commands)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

BOT_USER = "UBOT"
SIGNING_SECRET = "bench-signing-secret"
ANSWER_TIMEOUT = 60.0


@dataclass
class FakeSlack:
    """Answers like Slack; `arrived[key]` is when the first post for a channel or
    response URL `key` came in (perf_counter seconds)."""

    arrived: dict[str, float] = field(default_factory=dict)
    base_url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Serve on an ephemeral port; returns the Web API base URL."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return f"{self.base_url}/api/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def answered(self, key: str) -> float:
        """Wait for the post keyed `key`; when it arrived."""
        deadline = time.perf_counter() + ANSWER_TIMEOUT
        while key not in self.arrived:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no answer for {key}")
            await asyncio.sleep(0.002)
        return self.arrived[key]

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await request.json() if request.content_type == "application/json" else dict(
            await request.post())
        body = {**request.query, **body}    # some methods send their arguments as a query
        if method in ("chat.postMessage", "chat.postEphemeral"):
            self.arrived.setdefault(str(body.get("channel")), time.perf_counter())
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": "1.0"})
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": BOT_USER, "bot_id": "BBOT",
                                      "team_id": "T1"})
        if method == "files.getUploadURLExternal":
            file_id = f"F{time.monotonic_ns()}"
            return web.json_response({"ok": True, "file_id": file_id,
                                      "upload_url": f"{self.base_url}/upload/{file_id}"})
        if method == "files.completeUploadExternal":
            files = body["files"]
            files = json.loads(files) if isinstance(files, str) else files
            return web.json_response({"ok": True, "files": [{"id": f["id"]} for f in files]})
        return web.json_response({"ok": True})

    async def _response_url(self, request: web.Request) -> web.Response:
        await request.read()
        self.arrived.setdefault(request.match_info["key"], time.perf_counter())
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="OK")


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
