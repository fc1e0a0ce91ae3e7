"""The sandbox provider: an in-process phone network for demos, training, tests and benches.

Customers are played through the sandbox API (and the console's phone simulator); what the
business sends is stored as usual and read back by the simulated phone. A channel's config
may name phones that fail, to exercise retries: {"fail": {"+5491100000000": "transient"}}.
"""

from __future__ import annotations

import uuid
from typing import Any

from helpline.channels.providers.base import ConfigField, OutboundText, ProviderError, SendResult


class SandboxProvider:
    name = "sandbox"
    config_fields: tuple[ConfigField, ...] = ()
    # The phone simulator shows menus as buttons and lists and answers with their ids.
    supports_interactive = True

    def __init__(self, config: dict[str, Any]) -> None:
        self.failures: dict[str, str] = dict(config.get("fail") or {})

    async def send_text(self, message: OutboundText) -> SendResult:
        failure = self.failures.get(message.to_phone)
        if failure is not None:
            transient = failure == "transient"
            reason = "Phone unreachable (sandbox)" if transient else "Number rejected (sandbox)"
            raise ProviderError(reason, transient=transient)
        # Files are sent as they are (the simulated phone reads them through the media API).
        if message.media is not None and not message.media.path.is_file():
            raise ProviderError("The file to send is missing (sandbox)", transient=False)
        # The simulated phone is in this process: the message is on it as soon as it is sent.
        return SendResult(provider_message_id=f"sb-out-{uuid.uuid4().hex}", status="delivered")
