"""The intake: SMTP server, reading returns, acknowledgements and outgoing mail."""

# First, before any module of ours imports sqlite-utils: it then loads without numpy
# (store/__init__.py says why).
import store  # noqa: F401
