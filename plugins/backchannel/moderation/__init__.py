"""Moderation: decisions, spam scoring, the audit trail, privacy, notifications and mail."""
