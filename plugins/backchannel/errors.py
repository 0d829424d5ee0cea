"""The BackchannelError hierarchy: every failure the project reports on purpose."""


class BackchannelError(Exception):
    """Base of every error Backchannel raises on purpose."""


class SettingsError(BackchannelError):
    """A BACKCHANNEL_* setting is unknown or unusable."""


class ItemFormatError(BackchannelError):
    """A feedback file cannot be read as an item; carries the path and line."""

    def __init__(self, reason: str, path: object = None, line: int = 0) -> None:
        self.reason = reason
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path else ""
        super().__init__(f"{where}{reason}")

    def __reduce__(self) -> tuple[type, tuple[str, object, int]]:
        # Keep reason, path and line when the error crosses a process boundary.
        return (ItemFormatError, (self.reason, self.path, self.line))


class StoreError(BackchannelError):
    """The store cannot do what was asked (unknown id, clash, disk trouble)."""


class UnknownItemError(StoreError):
    """No item has that id or id prefix."""


class AmbiguousItemError(StoreError):
    """More than one item starts with that id prefix."""
