"""Users and freelancer profiles: registration, the profile, bans.

A profile that becomes complete subscribes its owner to alerts for its skills (see
``core.services.subscriptions``), unless they chose their alerts themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core import text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import InvalidState, NotFound, ValidationFailed
from core.events.users import UserBanned, UserUnbanned
from core.locales import check_language, check_time_zone, language_of
from core.money import whole_amount
from core.services import audit
from core.services.audit import AuditService, Concerns
from core.services.skills import SkillService
from core.services.subscriptions import SubscriptionService
from storage.models import FreelancerProfile, Skill, User


@dataclass(frozen=True)
class ProfileView:
    user: User
    profile: FreelancerProfile | None
    skills: list[Skill]
    missing: list[str]  # what keeps the profile from being complete

    @property
    def complete(self) -> bool:
        return not self.missing


class UserService(Service):
    async def register(
        self,
        telegram_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> User:
        """Create or refresh the user behind a Telegram identity.

        Runs on every update, so it is not ``atomic``: a known person costs one SELECT
        (and an UPDATE only when their name changed), no savepoint; only what changed is
        set, so an unchanged person costs no flush either. It cannot half-fail: ``ensure``
        never raises for a twin that registered first."""
        user = await self.uow.users.ensure(telegram_id, self.now())
        now = {
            "first_name": (first_name or "")[:128],
            "last_name": last_name[:128] if last_name else None,
            "username": username[:64] if username else None,
            "language_code": language_code[:16] if language_code else None,
            "blocked_bot_at": None,  # they are talking to the bot, so it reaches them
        }
        changed = {name: value for name, value in now.items() if getattr(user, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(user, name, value)
            await self.uow.flush()
        return user

    async def stopped_bot(self, telegram_id: int) -> None:
        """Telegram says this person blocked the bot: queue nothing more for them."""
        user = await self.uow.users.by_telegram_id(telegram_id)
        if user is not None and user.blocked_bot_at is None:
            user.blocked_bot_at = self.now()
            await self.uow.flush()

    def language(self, user: User) -> str:
        """The language to speak to ``user`` (their choice, else their client's)."""
        return language_of(
            user.language, user.language_code, default=self.settings.default_language
        )

    async def set_language(self, actor: Actor, code: str) -> str:
        """Speak ``code`` to this person from now on, whatever their client says."""
        user = await self.active_user(actor)
        user.language = check_language(code)
        await self.uow.flush()
        return user.language

    async def set_time_zone(self, actor: Actor, name: str) -> str:
        """Write this person's times in the IANA zone ``name`` (returned as spelled there)."""
        user = await self.active_user(actor)
        user.time_zone = check_time_zone(name)
        await self.uow.flush()
        return user.time_zone

    def actor(self, user: User) -> Actor:
        return Actor(user.id, user.telegram_id, user.telegram_id in self.settings.admin_ids)

    async def get(self, user_id: int) -> User:
        user = await self.uow.users.get(user_id)
        if user is None:
            raise NotFound("user.not_found", "No such user.")
        return user

    async def skills_catalogue(self) -> list[Skill]:
        return await SkillService(self.ctx).catalogue()

    # --- freelancer profile ----------------------------------------------------------

    async def profile(self, user_id: int) -> ProfileView:
        user = await self.get(user_id)
        profile = await self.uow.users.profile(user_id)
        skills = await self.uow.users.profile_skills(user_id)
        return ProfileView(user, profile, skills, self._missing(profile, skills))

    def _missing(self, profile: FreelancerProfile | None, skills: list[Skill]) -> list[str]:
        if profile is None:
            return ["headline", "bio", "skills", "hourly_rate"]
        missing = []
        if not profile.headline:
            missing.append("headline")
        if len(profile.bio) < self.settings.bio_min:
            missing.append("bio")
        if not skills:
            missing.append("skills")
        if not profile.hourly_rate:
            missing.append("hourly_rate")
        return missing

    @atomic
    async def update_profile(
        self,
        actor: Actor,
        *,
        headline: str | None = None,
        bio: str | None = None,
        skills: Sequence[str] | None = None,
        hourly_rate: int | None = None,
        portfolio: Sequence[str] | None = None,
    ) -> ProfileView:
        """Change any part of the freelancer profile; fields left as None keep their value."""
        user = await self.active_user(actor)
        s = self.settings
        profile = await self.uow.users.profile(user.id)
        if profile is None:
            profile = self.uow.users.add_profile(
                FreelancerProfile(
                    user_id=user.id, headline="", bio="", portfolio=[], updated_at=self.now()
                )
            )
        if headline is not None:
            profile.headline = text.bounded(headline, "profile.headline", 5, s.headline_max)
        if bio is not None:
            profile.bio = text.bounded(bio, "profile.bio", s.bio_min, s.bio_max)
        if hourly_rate is not None:
            if not 0 < whole_amount(hourly_rate) <= s.max_budget:
                raise ValidationFailed(
                    "profile.rate_range",
                    f"The hourly rate must be above zero and at most {s.max_budget} (minor units).",
                    maximum=s.max_budget,
                )
            profile.hourly_rate = hourly_rate
        if portfolio is not None:
            links = [text.url(link, "profile.portfolio") for link in portfolio if link.strip()]
            if len(links) > s.portfolio_max_links:
                raise ValidationFailed(
                    "profile.portfolio_too_many",
                    f"At most {s.portfolio_max_links} portfolio links.",
                    maximum=s.portfolio_max_links,
                )
            profile.portfolio = list(dict.fromkeys(links))
        profile.updated_at = self.now()
        await self.uow.flush()
        if skills is not None:
            found = await SkillService(self.ctx).resolve(skills, maximum=10)
            if not found:
                raise ValidationFailed("skills.none", "Pick at least one skill.")
            await self.uow.users.set_profile_skills(user.id, [sk.id for sk in found])
        view = await self.profile(user.id)
        if view.complete:
            await SubscriptionService(self.ctx).follow_profile(
                user.id, [sk.id for sk in view.skills]
            )
        return view

    # --- admin ----------------------------------------------------------------------

    @atomic
    async def ban(self, actor: Actor, user_id: int, reason: str) -> User:
        """Suspend someone, on the record (``core.services.audit``)."""
        user = await self.suspend(actor, user_id, reason)
        AuditService(self.ctx).record(
            actor,
            audit.USER_BAN,
            ("user", user.id),
            concerns=Concerns(user.id),
            reason=user.ban_reason,
        )
        return user

    async def suspend(self, actor: Actor, user_id: int, reason: str) -> User:
        """The suspension itself, with its refusals, for an admin action that records its
        own audit entry (``ban``, a report's ban): one entry per action."""
        self.require_admin(actor)
        await self.active_user(actor)
        if user_id == actor.user_id:
            raise ValidationFailed("ban.self", "You cannot ban yourself.")
        user = await self.get(user_id)
        if user.telegram_id in self.settings.admin_ids:
            raise ValidationFailed("ban.admin", "Administrators cannot be banned.")
        user.is_banned = True
        user.banned_at = self.now()
        user.ban_reason = text.bounded(reason, "ban.reason", 1, 500)
        await self.uow.subscriptions.set_banned(user.id, True)
        self.emit(UserBanned(recipients=(user.id,), user_id=user.id))
        return user

    @atomic
    async def unban(self, actor: Actor, user_id: int, reason: str = "") -> User:
        """Lift a suspension, on the record with an optional reason."""
        self.require_admin(actor)
        await self.active_user(actor)
        if user_id == actor.user_id:
            raise ValidationFailed("unban.self", "You cannot unban yourself.")
        user = await self.get(user_id)
        if not user.is_banned:
            raise InvalidState("unban.not_banned", "This person is not suspended.")
        why = text.clean(reason)[:500]
        AuditService(self.ctx).record(
            actor,
            audit.USER_UNBAN,
            ("user", user.id),
            concerns=Concerns(user.id),
            details={"ban_reason": user.ban_reason},
            reason=why,
        )
        user.is_banned = False
        user.banned_at = None
        user.ban_reason = None
        await self.uow.subscriptions.set_banned(user.id, False)
        self.emit(UserUnbanned(recipients=(user.id,), user_id=user.id))
        return user

    # --- bot support: the marketplace front ---------------------------------------------

    async def find(self, actor: Actor, who: str) -> User:
        """An admin looks someone up by bidgram user id (``123`` or ``#123``) or ``@username``."""
        self.require_admin(actor)
        value = text.clean(who)
        user: User | None = None
        digits = value.removeprefix("#")
        if digits.isascii() and digits.isdigit():
            # beyond a BIGINT nobody can match, and PostgreSQL would refuse the query
            user = await self.uow.users.get(int(digits)) if len(digits) <= 18 else None
        elif value.startswith("@") and len(value) > 1:
            user = await self.uow.users.by_username(value[1:])
        else:
            raise ValidationFailed(
                "user.lookup", "Send a user id like 123 (or #123) or a username like @name."
            )
        if user is None:
            raise NotFound("user.not_found", f"Nobody here is {value}.", lookup=value)
        return user

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        """The user behind a Telegram id, if they ever wrote to the bot (alerts to admins)."""
        return await self.uow.users.by_telegram_id(telegram_id)
