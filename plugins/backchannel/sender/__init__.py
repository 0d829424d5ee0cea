"""Sending linkbacks: find the endpoints of the sites a post links to and tell them.

`links` picks a post's external links, `discovery` finds each target's
Webmention, Pingback or TrackBack endpoint, `protocols` speaks the three
protocols, `record` keeps `feedback/sent.json`, `plan` decides what to send and
`run` does it.
"""
