"""The website chat's settings kept by admins: the identity secret host sites sign visitors with, and the
site origins whose pages may open the visitor socket.

The secret is sealed (Fernet, key derived from HUB_SECRET_KEY, as mailbox passwords are) so a copy
of the database alone cannot forge signed identities. It is shown once, when generated; afterwards
only whether one is set and when it was made.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from hub.store import sealed
from hub.store.db import Db, Doc

log = logging.getLogger(__name__)

WEBCHAT_SITES = "webchat_sites"
DEFAULT_SITE = "default"


PURPOSE = b"hub-webchat-identity-secret:"


async def rotate_secret(db: Db, key: str, now: datetime, site: str = DEFAULT_SITE) -> str:
    """A new identity secret replaces the old one at once (identities signed with the old one stop
    verifying); returns it so it can be shown this once."""
    secret = secrets.token_hex(32)
    await db[WEBCHAT_SITES].update_one(
        {"_id": site},
        {"$set": {"identity_secret_sealed": sealed.seal(key, PURPOSE, secret), "secret_set_at": now}},
        upsert=True,
    )
    return secret


async def remove_secret(db: Db, site: str = DEFAULT_SITE) -> None:
    await db[WEBCHAT_SITES].update_one({"_id": site}, {"$unset": {"identity_secret_sealed": "",
                                                                  "secret_set_at": ""}})


async def identity_secret(db: Db, key: str, site: str = DEFAULT_SITE) -> str | None:
    """The plain secret, for checking signatures only; None when none is set (or it cannot be unsealed)."""
    doc = await db[WEBCHAT_SITES].find_one({"_id": site})
    token = (doc or {}).get("identity_secret_sealed")
    if not token:
        return None
    secret = sealed.unseal(key, PURPOSE, str(token))
    if secret is None:
        # HUB_SECRET_KEY changed since the secret was made: signed identities fail until a new one is made.
        log.warning("website chat identity secret cannot be unsealed; generate a new one site=%s", site)
    return secret


async def status(db: Db, site: str = DEFAULT_SITE) -> Doc:
    """What people may see: whether a secret is set and since when; never the secret."""
    doc = await db[WEBCHAT_SITES].find_one({"_id": site}) or {}
    return {"secret_set": bool(doc.get("identity_secret_sealed")), "secret_set_at": doc.get("secret_set_at"),
            "allowed_origins": list(doc.get("allowed_origins") or [])}


async def set_allowed_origins(db: Db, origins: list[str], site: str = DEFAULT_SITE) -> None:
    """Origins such as https://shop.example; an empty list lets any site embed the chat."""
    await db[WEBCHAT_SITES].update_one({"_id": site}, {"$set": {"allowed_origins": origins}}, upsert=True)


async def allowed_origins(db: Db, site: str = DEFAULT_SITE) -> list[str]:
    doc = await db[WEBCHAT_SITES].find_one({"_id": site}, {"allowed_origins": 1})
    return list((doc or {}).get("allowed_origins") or [])
