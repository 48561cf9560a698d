"""The embedded emulator of the ambient-documentation API."""

__all__: list[str] = []
