"""Sending one-time codes by SMS, through a pluggable sender named by ``DAJIA_SMS_BACKEND``.

* ``dajia.core.sms.FileSender`` (the default): appends each message as one JSON line to
  ``DAJIA_SMS_FILE`` (default ``var/sms-outbox.jsonl``) — for a local trial and for tests, which read the file.
  It holds the numbers and codes in clear, so ``check --deploy`` and ``dajia serve`` refuse it (and
  ``LocmemSender``) outside a local trial (``DAJIA_LOCAL_TRIAL``; dajia/core/checks.py). No sender logs a code
  or a number: logs are kept and shipped where an outbox file is not.
  Under a local trial the office reads its last messages on the SMS outbox page (``trial_outbox``,
  dajia/participation/views_outbox.py), so a demo gets past a viewer's verification.
* ``dajia.core.sms.LocmemSender``: keeps messages in ``sms.outbox`` (a list), like Django's mail outbox.
* ``dajia.core.sms.HttpSender``: POSTs ``{"mobile": …, "text": …, "sign_name": …, "template_id": …,
  "params": {…}}`` as JSON to ``DAJIA_SMS_HTTP_URL`` (with ``Authorization: Bearer DAJIA_SMS_HTTP_TOKEN`` when
  set; timeout ``DAJIA_SMS_HTTP_TIMEOUT`` seconds, default 5) — the gateway of the office's SMS provider. Chinese
  gateways send only registered templates under a registered signature, so each message names its event and the
  sender adds the signature ``DAJIA_SMS_SIGN_NAME`` and the event's template id from ``DAJIA_SMS_TEMPLATES``
  (settings.py; the rendered text goes along for gateways that take free text). Any answer other than 2xx is a
  failure.

Each setting may also come from the environment variable of the same name.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "dajia.core.sms.FileSender"


class SmsError(Exception):
    """The message could not be handed to the SMS gateway."""


def _setting(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return str(value)


@dataclass(frozen=True)
class Message:
    mobile: str
    text: str
    # The event names the gateway template (DAJIA_SMS_TEMPLATES); params fill its placeholders.
    event: str = ""
    params: dict = field(default_factory=dict)


class FileSender:
    development = True  # writes the codes to a file instead of sending them (dajia/core/checks.py)
    _lock = threading.Lock()

    def path(self) -> Path:
        return Path(_setting("DAJIA_SMS_FILE", str(Path(settings.BASE_DIR) / "var" / "sms-outbox.jsonl")))

    def send(self, message: Message) -> None:
        path = self.path()
        line = json.dumps(
            {
                "mobile": message.mobile,
                "text": message.text,
                "event": message.event,
                "params": message.params,
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as error:
            raise SmsError(str(error)) from error
        logger.info("SMS not sent (development sender): written to %s", path)


outbox: list[Message] = []


class LocmemSender:
    development = True

    def send(self, message: Message) -> None:
        outbox.append(message)


class HttpSender:
    @staticmethod
    def configuration_error() -> str | None:
        """What keeps this sender from sending at all (``check --deploy`` reports it: dajia/core/checks.py)."""
        if not _setting("DAJIA_SMS_HTTP_URL").startswith(("https://", "http://")):
            return "DAJIA_SMS_HTTP_URL is not set to the gateway's http(s) address"
        return None

    def send(self, message: Message) -> None:
        problem = self.configuration_error()
        if problem:
            raise SmsError(problem)
        url = _setting("DAJIA_SMS_HTTP_URL")
        payload = {"mobile": message.mobile, "text": message.text}
        if message.event:
            payload |= {
                "sign_name": _setting("DAJIA_SMS_SIGN_NAME"),
                "template_id": (getattr(settings, "DAJIA_SMS_TEMPLATES", {}) or {}).get(message.event, ""),
                "params": message.params,
            }
        body = json.dumps(payload, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the configured gateway's http(s) address
            url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        token = _setting("DAJIA_SMS_HTTP_TOKEN")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        timeout = float(_setting("DAJIA_SMS_HTTP_TIMEOUT", "5") or 5)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            raise SmsError(f"gateway answered {error.code}") from error
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            raise SmsError(f"gateway unreachable: {error}") from error
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered {status}")


def get_sender():
    return import_string(_setting("DAJIA_SMS_BACKEND", DEFAULT_BACKEND))()


def trial_outbox() -> FileSender | None:
    """The file sender whose outbox the office may read (the SMS outbox page): only under a local trial, where
    codes are written instead of sent and a demo must get past a viewer's verification; never in production."""
    if not settings.DAJIA_LOCAL_TRIAL:
        return None
    sender = get_sender()
    return sender if isinstance(sender, FileSender) else None


def send(mobile: str, text: str, *, event: str = "", params: dict | None = None) -> None:
    try:
        get_sender().send(Message(mobile=mobile, text=text, event=event, params=dict(params or {})))
    except SmsError as error:
        # The operator's only sign of a failing gateway; the reason never holds the number or the text.
        logger.warning("SMS not sent: %s", error)
        raise


def read_file_outbox(path: Path | str | None = None, *, last: int | None = None) -> list[dict]:
    """The messages a ``FileSender`` wrote, oldest first (tests, the developer's console, the trial's SMS outbox
    page). ``last``: only that many lines from the end are kept in memory. A line that is not a message (one cut
    short when the machine stopped) is skipped."""
    target = Path(path) if path else FileSender().path()
    try:
        with target.open(encoding="utf-8", errors="replace") as fh:
            lines = deque(fh, maxlen=last)
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
