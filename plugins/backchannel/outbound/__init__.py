"""Outbound HTTP: the one fetcher every request to another site goes through."""
