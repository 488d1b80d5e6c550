"""Who made a change (API.md 7.1 `actor`): services take one as an argument."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    type: str  # api_key, staff, import or system
    id: str | None = None
    name: str | None = None

    def as_dict(self) -> dict:
        return {"type": self.type, "id": self.id, "name": self.name}


def api_key_actor(key) -> Actor:
    """The key's prefix and name, never the key."""
    return Actor("api_key", key.prefix, key.name)


def staff_actor(user) -> Actor:
    return Actor("staff", str(user.pk), user.get_username())


def command_actor(name: str) -> Actor:
    return Actor("import", None, name)


SYSTEM = Actor("system")
