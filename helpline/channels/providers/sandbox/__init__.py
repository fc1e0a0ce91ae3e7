"""The sandbox: simulated phones inside the desk (its phone simulator API: helpline/sandbox/)."""

from helpline.channels.providers.sandbox.provider import SandboxProvider

__all__ = ["SandboxProvider"]
