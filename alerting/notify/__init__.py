"""Notices: the channels that carry them (email, WeCom, DingTalk, Feishu group bots)."""
