"""Messages between the two sides of a project, relayed by the bot and kept as the record.

Text that pushes off the platform or asks for money (``core.redflags``) still goes
through: the message is flagged for the record, and its recipient gets a safety note
once per conversation.
"""

from __future__ import annotations

from core import text
from core.actors import Actor
from core.context import Service, atomic
from core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from core.events.messages import MessageReceived, SafetyNote
from core.redflags import red_flags
from storage.enums import BidStatus, ProjectStatus
from storage.models import Bid, Contract, Message, Project

FILE_KINDS = ("document", "photo", "voice", "video", "audio")
#: A relayed text longer than MESSAGE_MAX goes in at most this many messages (Telegram
#: never sends a bot more than 4,096 characters at once: two in practice).
MESSAGE_PARTS = 4


class MessageService(Service):
    async def _may_talk(self, project: Project, a: int, b: int) -> bool:
        """The employer and a bidder (or the hired freelancer) may talk, in either direction."""
        return await self._party(project, a, b) is not None

    async def _party(
        self, project: Project, a: int, b: int
    ) -> tuple[Contract | None, Bid | None] | None:
        """The project's contract and the other side's bid, when ``a`` and ``b`` are its
        employer and one of its bidders (or its hired freelancer); ``None`` when not."""
        if project.employer_id == a:
            other = b
        elif project.employer_id == b:
            other = a
        else:
            return None
        if other == project.employer_id:
            return None
        contract = await self.uow.contracts.for_project(project.id)
        if contract is not None and contract.freelancer_id == other:
            return contract, None
        bid = await self.uow.bids.of(project.id, other)
        if bid is None or bid.status is BidStatus.RETRACTED:
            return None
        return contract, bid

    async def _refuses(
        self, project: Project, sender_id: int, recipient_id: int, bid: Bid | None
    ) -> None:
        """A bidder the employer muted, or one declined on a project no longer open, may not
        write to the employer. The hired freelancer always may (``_party`` gives no bid
        for them): a contract keeps its channel, and its record."""
        if recipient_id != project.employer_id or bid is None:
            return
        if await self.uow.safety.muted(recipient_id, sender_id):
            raise NotAllowed("message.muted", "This employer does not take messages from you.")
        if bid.status is BidStatus.DECLINED and project.status not in (
            ProjectStatus.OPEN,
            ProjectStatus.BIDDING_ENDED,
        ):
            raise NotAllowed(
                "message.declined_closed",
                "Your bid was declined and the project is closed: the employer no longer "
                "takes messages about it.",
            )

    @atomic
    async def send(
        self,
        actor: Actor,
        project_id: int,
        recipient_id: int,
        body: str = "",
        *,
        file_id: str | None = None,
        file_kind: str | None = None,
    ) -> Message:
        await self.active_user(actor)
        project = await self.uow.projects.get(project_id)
        if project is None or project.status is ProjectStatus.DRAFT:
            raise NotFound("project.not_found", "This project does not exist.")
        party = await self._party(project, actor.user_id, recipient_id)
        if party is None:
            raise NotAllowed(
                "message.not_allowed",
                "Messages go between the employer and the project's bidders.",
            )
        await self._refuses(project, actor.user_id, recipient_id, party[1])
        recipient = await self.uow.users.get(recipient_id)
        if recipient is None or recipient.is_banned or recipient.deleted_at is not None:
            raise InvalidState(
                "message.recipient_unavailable", "This person cannot receive messages."
            )
        body = text.clean(body)
        if len(body) > self.settings.message_max:
            raise ValidationFailed(
                "message.too_long",
                f"A message can be at most {self.settings.message_max} characters.",
                maximum=self.settings.message_max,
            )
        if file_id is not None and (file_kind not in FILE_KINDS or len(file_id) > 255):
            raise ValidationFailed("message.bad_file", "This kind of file cannot be sent.")
        if not body and file_id is None:
            raise ValidationFailed("message.empty", "The message is empty.")
        flags = red_flags(body)
        message = self.uow.messages.add(
            Message(
                project_id=project.id,
                sender_id=actor.user_id,
                recipient_id=recipient_id,
                text=body,
                file_id=file_id,
                file_kind=file_kind if file_id else None,
                created_at=self.now(),
                flags=",".join(flags) or None,
            )
        )
        await self.uow.flush()
        told = (recipient_id,)
        self.emit(MessageReceived(recipients=told, message_id=message.id, project_id=project.id))
        if flags and await self.uow.safety.note_once(
            project.id, recipient_id, actor.user_id, message.id, self.now()
        ):
            self.emit(SafetyNote(recipients=told, message_id=message.id, project_id=project.id))
        return message

    @atomic
    async def relay(
        self,
        actor: Actor,
        project_id: int,
        recipient_id: int,
        body: str = "",
        *,
        file_id: str | None = None,
        file_kind: str | None = None,
    ) -> list[Message]:
        """What a person sent, passed on whole: a text over ``MESSAGE_MAX`` characters in
        several messages (cut between paragraphs, lines or words), the file with the
        first. Each is a message of the record, as :meth:`send` keeps it."""
        limit = self.settings.message_max
        pieces = text.parts(text.clean(body), limit) or [""]
        if len(pieces) > MESSAGE_PARTS:
            raise ValidationFailed(
                "message.too_long",
                f"A message can be at most {limit * MESSAGE_PARTS} characters.",
                maximum=limit * MESSAGE_PARTS,
            )
        sent = [
            await self.send(
                actor, project_id, recipient_id, pieces[0], file_id=file_id, file_kind=file_kind
            )
        ]
        for piece in pieces[1:]:
            sent.append(await self.send(actor, project_id, recipient_id, piece))
        return sent

    async def thread(
        self,
        actor: Actor,
        project_id: int,
        other_id: int,
        limit: int = 20,
        before_id: int | None = None,
    ) -> list[Message]:
        project = await self.uow.projects.get(project_id)
        if project is None:
            raise NotFound("project.not_found", "This project does not exist.")
        if not actor.is_admin and not await self._may_talk(project, actor.user_id, other_id):
            raise NotAllowed(
                "message.not_allowed", "This conversation is not yours.", reason="not_yours"
            )
        return await self.uow.messages.thread(project_id, actor.user_id, other_id, limit, before_id)

    @atomic
    async def delivered(self, message_id: int, chat_id: int, relay_message_id: int) -> None:
        """Remember where the bot delivered a message, so replies to it can be routed."""
        if not await self.uow.messages.relayed(message_id, chat_id, relay_message_id):
            raise NotFound("message.not_found", "This message does not exist.")

    async def replied_to(self, actor: Actor, chat_id: int, relay_message_id: int) -> Message:
        """The message a Telegram reply answers: one the actor received through the bot."""
        message = await self.uow.messages.by_relay(chat_id, relay_message_id)
        if message is None or message.recipient_id != actor.user_id:
            raise NotFound(
                "message.reply_unknown",
                "That message was not relayed from anyone; use the Message button instead.",
            )
        return message

    async def get(self, actor: Actor, message_id: int) -> Message:
        message = await self.uow.messages.get(message_id)
        if message is None or (
            actor.user_id not in (message.sender_id, message.recipient_id) and not actor.is_admin
        ):
            raise NotFound("message.not_found", "This message does not exist.")
        return message
