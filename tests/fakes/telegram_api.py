"""A loopback stand-in for the Telegram Bot API: answers what the hub calls, records every call,
and can be told to answer 429 (with retry_after), 403 or 5xx, per method and per chat."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return None if value is None else str(value)


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    chat_id: str | None = None  # only calls to this chat fail; None: any
    after: int = 0  # let this many matching calls succeed first


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class _Refused(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class FakeTelegramApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.base_url = ""  # set once the test server listens; what TELEGRAM_API_BASE points at
        self.calls: list[Call] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.failures: dict[str, list[Failure]] = {}
        self.webhook: dict[str, Any] = {}
        self.pending_update_count = 0
        self.last_error: tuple[int, str] | None = None
        self._message_ids = itertools.count(1000)
        # The next `slow_calls` sends are delivered at once but answered only after `delay_seconds`.
        self.slow_calls = 0
        self.delay_seconds = 0.0

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self.method)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        return app

    # --- what tests set up -------------------------------------------------------------------------

    def add_file(self, file_id: str, content: bytes, file_path: str) -> None:
        self.files[file_id] = (file_path, content)

    def fail(self, method: str, status: int, description: str, *, retry_after: int | None = None,
             chat_id: str | int | None = None, times: int = 1, after: int = 0) -> None:
        for _ in range(times):
            failure = Failure(status, description, retry_after, None if chat_id is None else str(chat_id), after)
            self.failures.setdefault(method, []).append(failure)

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # --- the API -------------------------------------------------------------------------------------

    async def _read(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            params = dict(await request.json())
        elif request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename:
                    files[part.name] = (part.filename, bytes(await part.read()))
                else:
                    params[part.name] = _value(await part.text())
        elif request.can_read_body:
            form = await request.post()
            params = {k: _value(v) for k, v in form.items() if isinstance(v, str)}
        params.update({k: _value(v) for k, v in request.query.items()})
        return params, files

    def _scripted_failure(self, call: Call) -> web.Response | None:
        queue = self.failures.get(call.method, [])
        for index, failure in enumerate(queue):
            if failure.chat_id is None or failure.chat_id == call.chat_id:
                if failure.after > 0:
                    failure.after -= 1
                    return None
                del queue[index]
                body: dict[str, Any] = {"ok": False, "error_code": failure.status,
                                        "description": failure.description}
                if failure.retry_after is not None:
                    body["parameters"] = {"retry_after": failure.retry_after}
                return web.json_response(body, status=failure.status)
        return None

    async def method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params, files = await self._read(request)
        call = Call(request.match_info["method"], params, files)
        self.calls.append(call)
        failure = self._scripted_failure(call)
        if failure is not None:
            return failure
        handler = getattr(self, f"_{call.method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        try:
            result = handler(call)
        except _Refused as refused:  # what the real Bot API says to a call it cannot answer
            return web.json_response({"ok": False, "error_code": 400, "description": refused.description}, status=400)
        if self.slow_calls > 0 and call.method.startswith("send"):
            self.slow_calls -= 1
            await asyncio.sleep(self.delay_seconds)
        return web.json_response({"ok": True, "result": result})

    async def download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        wanted = request.match_info["path"]
        for path, content in self.files.values():
            if path == wanted:
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404)

    # --- method results ------------------------------------------------------------------------------

    def _getMe(self, call: Call) -> dict[str, Any]:
        return {"id": int(self.token.partition(":")[0]), "is_bot": True, "first_name": "Hub Test Bot",
                "username": "hub_test_bot"}

    def _getFile(self, call: Call) -> dict[str, Any]:
        file_id = str(call.params["file_id"])
        if file_id not in self.files:
            raise _Refused("Bad Request: invalid file_id")
        path, content = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(content), "file_path": path}

    def _message(self, call: Call, **content: Any) -> dict[str, Any]:
        chat_id = int(call.params["chat_id"])
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"}, **content}

    def _sendMessage(self, call: Call) -> dict[str, Any]:
        return self._message(call, text=call.params["text"])

    def _sendPhoto(self, call: Call) -> dict[str, Any]:
        size = len(next(iter(call.files.values()))[1]) if call.files else 0
        return self._message(call, photo=[{"file_id": "sent-photo", "file_unique_id": "sp", "width": 1,
                                           "height": 1, "file_size": size}])

    def _sendDocument(self, call: Call) -> dict[str, Any]:
        name = next(iter(call.files.values()))[0] if call.files else "file"
        return self._message(call, document={"file_id": "sent-doc", "file_unique_id": "sd", "file_name": name})

    def _setWebhook(self, call: Call) -> bool:
        self.webhook = dict(call.params)
        return True

    def _getWebhookInfo(self, call: Call) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                                "pending_update_count": self.pending_update_count}
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info

    def _answerCallbackQuery(self, call: Call) -> bool:
        return True
