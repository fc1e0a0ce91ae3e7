# The realtime tests' fixtures (an admin session on the live server, the bot stepped aside).
from tests.test_realtime import admin_http, without_bot  # noqa: F401
