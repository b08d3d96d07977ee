"""The bot: Slack app, terminal chat, digests and chasing on demand."""
