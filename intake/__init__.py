"""The intake: SMTP server, reading returns, acknowledgements and outgoing mail."""

# First, before any module of ours imports sqlite-utils: it then loads without numpy
# (store/lean_sqlite_utils.py says why).
import store.lean_sqlite_utils  # noqa: F401
