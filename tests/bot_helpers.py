"""Helpers for bot tests: returns written into a real store, a fake Slack Web API on an
ephemeral port that records every call, and requests signed and shaped like Slack's."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from store.db import Database
from store.messages import set_disposition, store_raw
from store.submissions import Answer, Finding, NewSubmission, record_submission
from store.transactions import immediate

ACTIONS = ("1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "4.3", "4.4", "4.5",
           "5.1", "5.2")
BOT_USER = "UBOT"
NATIONAL, LONDON, STRANGER = "UNAT", "ULDN", "USTRANGER"     # users in the `bot` fixture's roles
SIGNING_SECRET = "test-signing-secret"


def add_return(
    db: Database,
    la_code: str,
    *,
    received_at: str = "2020-05-27T10:00:00+01:00",
    status: str = "valid",
    total: int | None = 50,
    homes: Mapping[str, int] | None = None,
    support: Mapping[str, str] | None = None,
    issues: Mapping[str, str] | None = None,
    findings: tuple[Finding, ...] = (),
    support_benefit: str = "",
    regional_issues: str = "",
    letter_text: str = "",
) -> str:
    """Store a message and record it as `la_code`'s next version; returns the message ref.

    Every action is in place in all `total` homes unless `homes` says otherwise; `support`
    maps actions to the support asked for (answered Yes).
    """
    homes, support, issues = homes or {}, support or {}, issues or {}
    raw = f"Subject: return {la_code} {received_at} {time.monotonic_ns()}\r\n\r\nx".encode()
    message, _ = store_raw(db, raw, message_id=f"<{time.monotonic_ns()}@test>",
                           mail_from=f"returns@{la_code.lower()}.gov.uk", rcpt_to=["inbox@x"],
                           collection_time=datetime.fromisoformat(received_at),
                           subject=f"Return {la_code}")
    answers = tuple(
        Answer(action=code, homes_in_place=homes.get(code, total),
               raw_homes_in_place=str(homes.get(code, total)),
               support_needed="yes" if code in support else "no",
               raw_support="Yes" if code in support else "No",
               support_description=support.get(code, ""), issues=issues.get(code, ""),
               cell=f"Template!C{7 + index}")
        for index, code in enumerate(ACTIONS))
    submission = NewSubmission(la_code=la_code, status=status, answers=answers, findings=findings,
                               total_care_homes=total, raw_total=str(total),
                               template_file="return.xlsx", support_benefit=support_benefit,
                               regional_issues=regional_issues,
                               letter_file="letter.docx" if letter_text else None,
                               letter_text=letter_text or None)
    with immediate(db):
        record_submission(db, message.id, received_at, submission)
        set_disposition(db, message.id, "accepted", "recorded", la_code=la_code)
    return message.ref


def quarantine_message(db: Database, *, mail_from: str, subject: str, reason: str,
                       la_code: str | None = None, raw: bytes | None = None) -> str:
    """Store a message (by default a bare note) and quarantine it; returns its ref."""
    raw = raw or f"From: {mail_from}\r\nSubject: {subject}\r\n\r\nPlease see attached.".encode()
    message, _ = store_raw(db, raw, message_id=f"<{time.monotonic_ns()}@q>", mail_from=mail_from,
                           rcpt_to=["inbox@x"], collection_time=datetime.now().astimezone(),
                           subject=subject)
    with immediate(db):
        set_disposition(db, message.id, "quarantined", reason, la_code=la_code)
    return message.ref


async def poll_until(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait until `check()` is truthy (and return it); fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.01)


class FakeSlack:
    """A Slack Web API stand-in: answers like Slack and records (method, body) of each call.

    Also stands in for slash-command `response_url`s (recorded as 'response_url') and for the
    file upload URL `files_upload_v2` posts to (recorded as 'file_upload'). `arrived[key]` is
    when the first post to channel or response URL `key` came in (perf_counter seconds), for
    the bench's answer times.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.arrived: dict[str, float] = {}
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return f"{self.base_url}/api/"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def answered(self, key: str, timeout: float = 60.0) -> float:
        """Wait for the first post to channel or response URL `key`; when it came in."""
        return await poll_until(lambda: self.arrived.get(key), timeout)

    def bodies(self, method: str) -> list[dict]:
        return [body for name, body in self.calls if name == method]

    def posts(self) -> list[dict]:
        """Everything said back to users: messages, ephemerals and response_url posts."""
        return [body for name, body in self.calls
                if name in ("chat.postMessage", "chat.postEphemeral", "response_url")]

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        # slack-sdk sends some methods' arguments (files.completeUploadExternal) in the query.
        body = dict(request.query)
        if request.content_type == "application/json":
            body |= await request.json()
        else:
            body |= dict(await request.post())
        self.calls.append((method, body))
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": BOT_USER, "bot_id": "BBOT",
                                      "team_id": "T1", "url": "https://test.slack.com/"})
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.calls)}"
            return web.json_response({"ok": True, "file_id": file_id,
                                      "upload_url": f"{self.base_url}/upload/{file_id}"})
        if method == "files.completeUploadExternal":
            files = json.loads(body["files"]) if isinstance(body.get("files"), str) else body["files"]
            return web.json_response({"ok": True, "files": [{"id": f["id"]} for f in files]})
        if method in ("chat.postMessage", "chat.postEphemeral"):
            self.arrived.setdefault(str(body.get("channel")), time.perf_counter())
            if error := slack_refusal(body):
                return web.json_response({"ok": False, "error": error})
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": "1.0"})
        return web.json_response({"ok": True})

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.arrived.setdefault(request.match_info["id"], time.perf_counter())
        self.calls.append(("response_url", body))
        if error := slack_refusal(body):
            return web.Response(status=400, text=error)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.calls.append(("file_upload", {"file_id": request.match_info["file_id"],
                                           "content": data.decode("utf-8", "replace")}))
        return web.Response(text="OK")


# Slack's limits on a message, as its API enforces them.
MAX_BLOCKS, MAX_SECTION_TEXT, MAX_BLOCKS_SIZE, MAX_TEXT = 50, 3000, 13_000, 40_000


def slack_refusal(body: dict) -> str | None:
    """The error Slack answers a message with when it breaks a limit; None when it is fine."""
    blocks = body.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if len(blocks) > MAX_BLOCKS:
        return "invalid_blocks: more than 50 blocks"
    texts = [b["text"]["text"] for b in blocks if b.get("type") == "section"]
    if any(len(text) > MAX_SECTION_TEXT for text in texts):
        return "invalid_blocks: a section text is longer than 3000 characters"
    if len(json.dumps(blocks, ensure_ascii=False)) > MAX_BLOCKS_SIZE:
        return "msg_blocks_too_long"
    if len(body.get("text") or "") > MAX_TEXT:
        return "msg_too_long"
    return None


async def send(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body` to the bot over real HTTP; (status, response text)."""
    async with aiohttp.ClientSession() as session, \
            session.post(url, data=body.encode(), headers=headers) as response:
        return response.status, await response.text()


async def send_marker_and_wait(bot: str, slack: FakeSlack) -> None:
    """A fresh question, answered after anything sent before it: lets a test see that a
    duplicate produced nothing, without sleeping."""
    body = event_body("<@UBOT> help", user=NATIONAL, channel="CMARK")
    await send(bot, body, signed_headers(body))
    await poll_until(lambda: any(p.get("channel") == "CMARK"
                                 for p in slack.bodies("chat.postMessage")))


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   content_type: str = "application/json") -> dict[str, str]:
    """Headers Slack sends with a request: content type, timestamp and v0 signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature}


def event_body(text: str, *, user: str, kind: str = "app_mention", channel: str = "C1",
               event_id: str | None = None) -> str:
    """An Events API `event_callback` for an app mention or a direct message (`message.im`)."""
    event = {"type": kind, "user": user, "text": text, "ts": "1590000000.000100",
             "channel": channel, "event_ts": "1590000000.000100"}
    if kind == "message":
        event["channel_type"] = "im"
    ident = event_id or "Ev" + hashlib.sha1(f"{text}{user}{time.monotonic_ns()}".encode()).hexdigest()[:10]
    return json.dumps({"token": "legacy", "team_id": "T1", "api_app_id": "A1", "event": event,
                       "type": "event_callback", "event_id": ident, "event_time": 1590000000,
                       "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]})


def command_body(text: str, *, user: str, response_url: str, channel: str = "C1") -> str:
    """A `/returns` slash command as Slack posts it (form-encoded)."""
    return urllib.parse.urlencode({
        "token": "legacy", "team_id": "T1", "team_domain": "test", "channel_id": channel,
        "channel_name": "returns", "user_id": user, "user_name": "someone", "command": "/returns",
        "text": text, "api_app_id": "A1", "response_url": response_url,
        "trigger_id": f"{time.monotonic_ns()}.1.abc",
    })


def action_body(action_id: str, value: str, *, user: str, response_url: str,
                channel: str = "C1") -> str:
    """A `block_actions` interaction (a button press), form-encoded as `payload=`."""
    payload = {
        "type": "block_actions", "team": {"id": "T1", "domain": "test"},
        "user": {"id": user, "username": "someone", "team_id": "T1"}, "api_app_id": "A1",
        "token": "legacy", "container": {"type": "message", "message_ts": "1.0",
                                          "channel_id": channel, "is_ephemeral": False},
        "trigger_id": f"{time.monotonic_ns()}.1.abc", "channel": {"id": channel, "name": "returns"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "b1", "type": "button", "value": value,
                     "text": {"type": "plain_text", "text": "Go"},
                     "action_ts": f"{time.time():.6f}"}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


def fill_full_store(db: Database, versions: int = 5, total: int = 50) -> None:
    """Every LA in the register with `versions` versions (only the last valid), in one
    transaction: the full-size store answers must stay fast on."""
    codes = [row["code"] for row in db.query("SELECT code FROM authorities ORDER BY code")]
    base = next(db.query("SELECT COALESCE(MAX(id), 0) AS n FROM messages"))["n"]
    messages, submissions, answers = [], [], []
    for index, (code, version) in enumerate((c, v) for c in codes for v in range(1, versions + 1)):
        row_id = base + index + 1
        at = f"2020-05-{20 + version:02d}T10:00:00+01:00"
        messages.append((row_id, f"CHR-{row_id:06d}", f"<{row_id}@fill>", f"{row_id}", 1,
                         f"returns@{code}.gov.uk", "[]", at, at, "accepted", code))
        status = "valid" if version == versions else "invalid"
        submissions.append((row_id, row_id, code, version, at, status, total, "return.xlsx", ""))
        answers.extend((row_id, action, (total * (i + version)) // (len(ACTIONS) + versions),
                        "", "yes" if action == "3.1" else "no", "", "gowns", "", f"T!C{7 + i}")
                       for i, action in enumerate(ACTIONS))
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO messages (id, ref, message_id, sha256, size, mail_from, rcpt_to, "
            "received_at, collection_time, disposition, la_code) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", messages)
        db.conn.executemany("INSERT INTO message_raw (id, raw) VALUES (?, ?)",
                            [(message[0], b"x") for message in messages])
        db.conn.executemany(
            "INSERT INTO submissions (id, message_id, la_code, version, received_at, status, "
            "total_care_homes, template_file, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            submissions)
        db.conn.executemany(
            "INSERT INTO answers (submission_id, action, homes_in_place, raw_homes_in_place, "
            "support_needed, raw_support, support_description, issues, cell) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?)", answers)
