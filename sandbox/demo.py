"""``--demo``: one story, played through the real bot by the people in the sandbox.

The demo writes no row and calls no service: Erin, Frank, Fiona and Ada (the sandbox's
cast), Lucía and Дмитрий press START, type and press buttons in their chats, exactly as
someone does in the page, and the real bot answers through the emulator. So every chat
holds the people's own messages, every alert a person got follows from what someone did
in their own chat, and the database is what the bot made of it all. It runs at start-up
and after Reset, in a few seconds.

Buttons are found by their callback data (what they do), never by their labels; a
confirmation or a Skip is pressed when the bot asks for it, so a flow that loses a step
still plays. Every step waits until the bot has handled it and sent the alerts it caused.
As in Telegram, older alerts keep their buttons (Frank's Deliver on the alert that the
booking form was funded); pressed after the fact, the bot says what happened instead.

Lucía and Дмитрий join the cast as someone added on the page does: Lucía, an employer
in Valencia, has her Telegram in Spanish; Дмитрий, a freelancer, in Russian. The bot
speaks to each in that language, and what they type is written in it too (her project,
his profile and his bid); what others typed reaches them as it was written.

The story, in order:

1. Everyone opens the bot; Frank (Python, Telegram bots), Fiona (logos, design) and
   Дмитрий (Python, Telegram bots) complete their freelancer profiles.
2. Erin posts "Landing page for a yoga studio"; Frank bids, Erin awards him, he accepts.
   Erin adds two milestones and funds both (with ``--gateway stars`` she pays each
   invoice in Stars). Frank delivers the first, Erin releases it; Frank delivers the
   booking form with a file, as a protected preview: it waits for Erin's answer
   (released by itself two weeks on, with reminders, if she stays silent).
3. Frank asks for a payout of what he earned: it waits for Ada.
4. Erin posts "Logo for a coffee roastery"; Fiona bids and is hired on three named
   deliverables, delivers a logo (a picture, protected) and Erin disputes it, naming the
   two deliverables that are missing. Fiona answers, then writes to Erin through the bot
   to be paid outside escrow; Erin reports that message (🚩) and sends the dispute to an
   admin. Ada has the dispute and the report to decide.
5. Erin posts "Telegram bot for my bakery shop", which Frank and Fiona hear of with
   Erin's record as an employer on the alert, and both bid: it is open, with two bids.
6. Lucía posts "Bot de Telegram para las reservas de mi hostal" (in Spanish): Frank
   hears of it in English and Дмитрий in Russian, the same project each in their own
   language. Дмитрий bids (his proposal in Russian); Lucía reads his bid in Spanish,
   awards him and he accepts.
7. Frank opens his contract (the booking form waits for Erin), Fiona the dispute
   (with an admin) and Дмитрий his contract with Lucía: each chat ends where that
   person stands.
"""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal

from emulator import ChatMessage, SimulatedUser
from sandbox.world import Sandbox

#: How long one step may take the bot (handling the update and sending its alerts).
STEP_SECONDS = 20.0


class DemoError(RuntimeError):
    """The bot did not answer a step of the story as the story expects."""


RGB = tuple[int, int, int]


def png(width: int, height: int, colour: RGB, disc: RGB | None = None) -> bytes:
    """A real PNG picture of one colour, with a disc of another in the middle if asked
    (the page shows thumbnails of real pictures only)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    cx, cy, r2 = width / 2, height / 2, (min(width, height) * 0.4) ** 2

    def pixel(x: int, y: int) -> bytes:
        inside = disc is not None and (x - cx) ** 2 + (y - cy) ** 2 <= r2
        return bytes(disc if disc is not None and inside else colour)

    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass
class Player:
    """One person of the story, acting in their chat with the bot."""

    story: Story
    user: SimulatedUser

    @property
    def name(self) -> str:
        return self.user.first_name

    async def say(self, text: str) -> None:
        await self.user.send_text(text)
        await self.story.settle()

    async def send_file(self, name: str, content: bytes, mime_type: str) -> None:
        await self.user.send_document(name, content, mime_type=mime_type)
        await self.story.settle()

    def button(self, pattern: str, *, newest: bool = False) -> tuple[ChatMessage, str] | None:
        """The newest of the bot's messages (or only the newest message) with a button whose
        callback data matches ``pattern`` (a regular expression, whole), and that data."""
        wanted = re.compile(pattern)
        messages = self.user.messages[-1:] if newest else self.user.messages
        for message in reversed(messages):
            for row in message.buttons:
                for button in row:
                    if button.callback_data and wanted.fullmatch(button.callback_data):
                        return message, button.callback_data
        return None

    def _button(self, pattern: str) -> tuple[ChatMessage, str]:
        found = self.button(pattern)
        if found is None:
            raise DemoError(f"{self.name} has no button {pattern!r}.\n{self._recent()}")
        return found

    def find(self, pattern: str) -> int:
        """The number a button's callback data carries in ``pattern``'s first group."""
        _, data = self._button(pattern)
        match = re.fullmatch(pattern, data)
        assert match is not None
        return int(match.group(1))

    async def press(self, pattern: str) -> None:
        await self._press(*self._button(pattern))

    async def confirm(self, pattern: str) -> None:
        """Press a confirmation (or a Skip) if the bot's newest message asks for it: a flow
        that loses a step still plays."""
        found = self.button(pattern, newest=True)
        if found is not None:
            await self._press(*found)

    async def _press(self, message: ChatMessage, data: str) -> None:
        answer = await self.user.click(message, callback_data=data)
        if answer.show_alert:
            raise DemoError(f"{self.name} pressed {data!r}; the bot said: {answer.text}")
        await self.story.settle()

    async def pay(self) -> None:
        """Pay the newest invoice in the chat (Telegram Stars)."""
        invoice = next((m for m in reversed(self.user.messages) if m.invoice), None)
        if invoice is None:
            raise DemoError(f"{self.name} has no invoice to pay.\n{self._recent()}")
        await self.user.pay(invoice)
        await self.story.settle()

    def _recent(self) -> str:
        return "\n".join(f"  {m}" for m in self.user.messages[-4:]) or "  (no messages)"


@dataclass(frozen=True)
class Newcomer:
    """Someone the demo adds to the sandbox's cast, as the page's Add person does."""

    name: str
    language: str  # their Telegram client's
    role: str
    username: str


#: The demo's two people who do not speak English: their names are written in their
#: language, and so is all they type.
LUCIA = Newcomer("Lucía", "es", "employer", "lucia")
DMITRY = Newcomer("Дмитрий", "ru", "freelancer", "dmitry")
NEWCOMERS = (LUCIA, DMITRY)


class Story:
    """The demo's people and the steps they take, one settled step at a time."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        for newcomer in NEWCOMERS:
            sandbox.add_person(
                newcomer.name, newcomer.language, role=newcomer.role, username=newcomer.username
            )
        by_name = {p.first_name: p for p in sandbox.people()}
        self.erin, self.frank, self.fiona, self.ada = (
            Player(self, by_name[name]) for name in ("Erin", "Frank", "Fiona", "Ada")
        )
        self.lucia, self.dmitry = (Player(self, by_name[n.name]) for n in NEWCOMERS)

    def amount(self, minor: int) -> str:
        """An amount as a person types it (300 or 300.50; Stars are whole)."""
        exponent = self.sandbox.world.settings.currency_exponent
        value = Decimal(minor).scaleb(-exponent)
        return f"{value:f}" if value != value.to_integral() else f"{value.to_integral():f}"

    @property
    def stars(self) -> bool:
        return self.sandbox.world.settings.funding_gateway == "stars"

    async def settle(self) -> None:
        """Wait until the bot has handled every update and sent every alert it caused."""
        world = self.sandbox.world
        updates = world.emu.state.updates
        handled = await updates.changes.wait_for(
            lambda: True if not updates.pending else None, STEP_SECONDS
        )
        if handled is None:
            raise DemoError(f"the bot did not handle an update within {STEP_SECONDS:g}s")
        # The bot's delivery loop, woken by the update's commit, sends the alerts.
        deadline = asyncio.get_running_loop().time() + STEP_SECONDS
        while True:
            async with world.db.uow() as uow:
                counts = await uow.outbox.counts()
            if not counts.get("pending") and not counts.get("events waiting"):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise DemoError(f"alerts not sent within {STEP_SECONDS:g}s: {counts}")
            await asyncio.sleep(0.005)

    # -- the story --------------------------------------------------------------------------

    async def play(self) -> None:
        everyone = (self.erin, self.frank, self.fiona, self.ada, self.lucia, self.dmitry)
        for person in everyone:
            await person.say("/start")
        await self.profile(
            self.frank,
            "Python developer for Telegram bots and web pages",
            "I build Telegram bots, payment flows and small Django sites for shops.",
            "Python, Telegram bots, Django",
            2500,
        )
        await self.profile(
            self.fiona,
            "Brand and interface designer",
            "Logos, brand books and friendly interfaces for cafés and small shops.",
            "Logo design, Graphic design, UI / UX design",
            3000,
        )
        await self.profile(
            self.dmitry,
            "Python-разработчик: Telegram-боты с оплатой и бронированием",
            "Восемь лет пишу на Python: Telegram-боты, платежи, бэкенд на Django.",
            "Python, Telegram bots, Django",  # the skills' names, as the catalogue has them
            2000,
        )
        yoga = await self.yoga()
        await self.payout()
        dispute = await self.logo()
        await self.bakery()
        hostel = await self.hostel()
        # Where things stand: Frank's contract (the booking form waits for Erin), the
        # dispute with an admin for Fiona, Дмитрий's contract with Lucía; Erin has bids
        # to award, Ada her cases.
        await self.frank.say("/contracts")
        await self.frank.press(rf"c:view:{yoga}")
        await self.fiona.press(rf"d:view:{dispute}")
        await self.dmitry.say("/contracts")
        await self.dmitry.press(rf"c:view:{hostel}")

    async def profile(self, who: Player, headline: str, bio: str, skills: str, rate: int) -> None:
        await who.say("/profile")
        await who.press(r"mpe:missing")
        await who.say(headline)
        await who.say(bio)
        await who.say(skills)
        await who.say(self.amount(rate))

    async def post(
        self,
        title: str,
        description: str,
        skills: str,
        budget: tuple[int, int],
        employer: Player | None = None,
    ) -> int:
        """Erin (or another employer) posts and publishes a project; its id."""
        erin = employer or self.erin
        await erin.say("/post")
        await erin.say(title)
        await erin.say(description)
        await erin.say(skills)
        await erin.say(f"{self.amount(budget[0])}-{self.amount(budget[1])}")
        await erin.confirm(r"f:done")  # no files
        await erin.confirm(r"f:publish")
        return erin.find(r"p:bids:(\d+)")

    async def bid(
        self,
        who: Player,
        project: int,
        amount: int,
        days: int,
        proposal: str,
        employer: Player | None = None,
    ) -> int:
        """A freelancer opens the new-project alert and bids; the bid's id (the alert
        Erin, or the project's other employer, got)."""
        await who.press(rf"p:view:{project}")
        await who.press(rf"p:bid:{project}")
        await who.say(self.amount(amount))
        await who.say(str(days))
        await who.say(proposal)
        await who.confirm(r"f:confirm")
        return (employer or self.erin).find(r"b:award:(\d+)")

    async def hire(self, bid: int, who: Player, employer: Player | None = None) -> int:
        """Erin (or another employer) awards the bid on the proposed terms, the freelancer
        accepts; the contract."""
        erin = employer or self.erin
        await erin.press(rf"b:award:{bid}")
        await erin.confirm(r"f:aw_ok")
        await who.press(r"a:accept:\d+")
        return erin.find(r"c:view:(\d+)")

    async def milestone(self, contract: int, description: str, amount: int) -> int:
        """Erin adds a milestone to the contract and funds it; its id."""
        erin = self.erin
        await erin.press(rf"c:view:{contract}")
        await erin.press(rf"c:new_ms:{contract}")
        await erin.say(description)
        await erin.say(self.amount(amount))
        await erin.confirm(r"f:ms_skip")  # no due date
        await erin.confirm(r"f:ms_ok")
        milestone = erin.find(r"ms:fund:(\d+)")
        await erin.press(rf"ms:fund:{milestone}")
        if self.stars:
            await erin.pay()
        return milestone

    async def deliver(
        self, who: Player, milestone: int, note: str, file: tuple[str, bytes, str] | None
    ) -> None:
        """The freelancer delivers from the alert that the milestone is funded (a
        protected preview until it is paid for: the bot's default)."""
        await who.press(rf"ms:deliver:{milestone}")
        await who.say(note)
        if file is None:
            await who.confirm(r"f:dl_skip")
        else:
            await who.send_file(*file)
            await who.confirm(r"f:dl_done")
        await who.confirm(r"f:dl_ok")

    async def yoga(self) -> int:
        """The contract with Frank; its id."""
        project = await self.post(
            "Landing page for a yoga studio",
            "One page for a small yoga studio:\n"
            "- Timetable and prices\n"
            "- Booking form that emails the studio",
            "Python, Django",
            (20_000, 60_000),
        )
        bid = await self.bid(
            self.frank, project, 30_000, 7, "A fast Django page with the booking form; one week."
        )
        contract = await self.hire(bid, self.frank)
        first = await self.milestone(contract, "Timetable and prices page", 15_000)
        form = await self.milestone(contract, "Booking form", 15_000)
        await self.deliver(
            self.frank, first, "The timetable and prices are up on the staging address.", None
        )
        await self.erin.press(rf"ms:release:{first}")
        await self.erin.confirm(rf"wk:release:{first}:\d+")
        await self.deliver(
            self.frank,
            form,
            "The booking form works and emails the studio; the code is attached.",
            ("booking-form.zip", b"PK\x05\x06" + bytes(18), "application/zip"),
        )
        return contract

    async def payout(self) -> None:
        frank = self.frank
        await frank.say("/balance")
        await frank.press(r"wl:payout")
        await frank.press(r"f:po_all")
        await frank.say("IBAN DE89 3704 0044 0532 0130 00, Frank Weber")
        await frank.confirm(r"f:po_ok")

    async def logo(self) -> int:
        """The contract with Fiona, ending in a dispute with an admin; the dispute's id."""
        erin, fiona = self.erin, self.fiona
        project = await self.post(
            "Logo for a coffee roastery",
            "A warm logo for bags, cups and the shop window:\n"
            "- Logo in colour and in black and white\n"
            "- Source files (SVG and PDF)\n"
            "- One page with the brand colours",
            "Logo design, Graphic design",
            (10_000, 30_000),
        )
        bid = await self.bid(
            fiona, project, 15_000, 5, "Three sketches in two days, the final files in five."
        )
        contract = await self.hire(bid, fiona)
        milestone = await self.milestone(contract, "Logo and brand files", 15_000)
        logo = png(96, 96, (246, 236, 220), disc=(111, 68, 38))
        await self.deliver(
            fiona, milestone, "Here is the logo. Enjoy!", ("roastery-logo.png", logo, "image/png")
        )
        # Erin disputes: the source files and the brand colours are missing.
        await erin.press(rf"ms:dispute:{milestone}")
        await erin.press(r"f:dv1")
        await erin.press(r"f:dv2")
        await erin.press(r"f:dv_next")
        await erin.say("Only a PNG came: no source files and no page with the brand colours.")
        await erin.say(self.amount(10_000))
        await erin.confirm(r"f:ev_done")  # no evidence
        await erin.confirm(r"f:confirm")
        dispute = fiona.find(r"d:respond:(\d+)")
        await fiona.press(rf"d:respond:{dispute}")
        await fiona.say("The source files and the colours come once the logo is paid for.")
        await fiona.confirm(r"f:confirm")
        # Fiona pushes Erin to pay outside escrow; Erin reports it and calls an admin.
        await fiona.press(rf"ch:{project}:\d+")
        await fiona.say(
            "Let's skip the fees: pay me the rest at paypal.me/fionadesign "
            "and I'll send the files today."
        )
        await fiona.press(r"f:end_chat")
        await erin.press(r"rp:new:message:\d+")
        await erin.press(r"f:why_scam")
        await erin.say("She asks me to pay outside escrow while our dispute is open.")
        await erin.press(rf"d:view:{dispute}")
        await self.escalate(erin, dispute)
        return dispute

    async def escalate(self, who: Player, dispute: int) -> None:
        """Send the dispute to an admin, and confirm it if the bot asks first (a button
        naming the escalation of this dispute, or the conversation's Yes)."""
        pressed = f"d:escalate:{dispute}"
        await who.press(pressed)
        yes = rf"(?!{pressed}$)(d:\w*esc\w*:{dispute}(:\w+)*|f:\w*(esc|yes|ok|confirm)\w*)"
        await who.confirm(yes)

    async def bakery(self) -> None:
        project = await self.post(
            "Telegram bot for my bakery shop",
            "Orders, payments and a daily summary for the staff, in Telegram, "
            "with a friendly menu.",
            "Python, Telegram bots, UI / UX design",
            (20_000, 50_000),
        )
        await self.bid(
            self.frank,
            project,
            40_000,
            10,
            "I have built three shop bots with payments; ten days.",
        )
        await self.bid(
            self.fiona, project, 25_000, 8, "I design the menu and the order flow; eight days."
        )

    async def hostel(self) -> int:
        """Lucía's project, in Spanish: Frank hears of it in English, Дмитрий in Russian;
        Дмитрий bids in Russian and is hired. The contract's id."""
        lucia = self.lucia
        project = await self.post(
            "Bot de Telegram para las reservas de mi hostal",
            "Un bot para mi hostal en Valencia:\n"
            "- Reservas de camas y habitaciones privadas\n"
            "- Pago por adelantado\n"
            "- Un recordatorio a los huéspedes el día antes de llegar",
            "Python, Telegram bots",
            (30_000, 80_000),
            employer=lucia,
        )
        bid = await self.bid(
            self.dmitry,
            project,
            50_000,
            12,
            "Сделаю бота для бронирования с оплатой и напоминаниями гостям. "
            "Первую версию покажу через неделю.",
            employer=lucia,
        )
        return await self.hire(bid, self.dmitry, employer=lucia)


async def seed(sandbox: Sandbox) -> None:
    await Story(sandbox).play()
