"""The demo in the page: one story every chat and the database agree on.

``bidgram sandbox --demo`` plays a story through the real bot (``sandbox/demo.py``): a
protected delivery waits for Erin, a dispute, a payout and a report wait for Ada, and a
project takes bids, with Erin's record as an employer on it; Lucía, whose Telegram is in
Spanish, has hired Дмитрий, whose Telegram is in Russian. Buttons are found by what they
do (their callback data, ``data-callback`` on the page), and what is checked comes from
the database, so the bot's wording may change without these tests noticing; only the
Russian chat's test reads words, those the bot has in Russian.
"""

from __future__ import annotations

import sqlite3

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.people import Person, pressing


def one(db: sqlite3.Connection, sql: str, *args: object) -> tuple[object, ...]:
    rows = db.execute(sql, args).fetchall()
    assert len(rows) == 1, (sql, rows)
    return tuple(rows[0])


def user_id(db: sqlite3.Connection, name: str) -> int:
    (found,) = one(db, "SELECT id FROM users WHERE first_name = ?", name)
    return int(str(found))


def waiting_delivery(db: sqlite3.Connection) -> int:
    """The milestone Frank delivered, protected, that waits for Erin."""
    (found,) = one(
        db,
        "SELECT m.id FROM milestones m JOIN milestone_events e ON e.milestone_id = m.id "
        "WHERE m.status = 'delivered' AND e.kind = 'delivered' AND e.protected",
    )
    return int(str(found))


def test_each_chat_agrees_with_the_database_and_with_the_others(
    test_money_demo_page: Page, demo_db: sqlite3.Connection
) -> None:
    page = test_money_demo_page
    erin, frank, fiona, ada = (Person(page, n) for n in ("Erin", "Frank", "Fiona", "Ada"))
    delivered = waiting_delivery(demo_db)

    # Erin has Frank's delivery, protected, with its file, and may release it.
    alert = erin.bot_message(earlier=True, button=f"ms:release:{delivered}")
    expect(alert).to_contain_class("protected")
    # Frank's last word on that milestone is his delivery: no Deliver button on it, and the
    # one left on the older "funded" alert is answered, not acted on.
    (title,) = one(demo_db, "SELECT description FROM milestones WHERE id = ?", delivered)
    last = frank.chat.locator(".msg.from-bot", has_text=str(title)).last
    expect(last.locator(pressing(f"ms:deliver:{delivered}"))).to_have_count(0)
    frank._acting()
    frank.chat.locator(pressing(f"ms:deliver:{delivered}")).last.click()
    expect(frank.chat.locator(".alert")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.sandboxRev()") == frank.since  # no new message
    frank.chat.locator(".alert").get_by_role("button", name="OK").click()

    # Every offer a freelancer has is one the database has and their employer (Erin, or
    # Lucía) made in their chat.
    lucia, dmitry = Person(page, "Lucía"), Person(page, "Дмитрий")
    for name, person, employer in (
        ("Frank", frank, erin),
        ("Fiona", fiona, erin),
        ("Дмитрий", dmitry, lucia),
    ):
        awards = demo_db.execute(
            "SELECT id FROM awards WHERE freelancer_id = ?", (user_id(demo_db, name),)
        ).fetchall()
        offers = person.chat.locator('.keyboard button[data-callback^="a:accept:"]')
        expect(offers).to_have_count(len(awards))
        for (award,) in awards:
            expect(person.chat.locator(pressing(f"a:accept:{award}"))).to_have_count(1)
            expect(employer.chat.locator(pressing(f"a:withdraw:{award}"))).to_have_count(1)

    # Ada was told of each case that waits for her.
    (dispute,) = one(demo_db, "SELECT id FROM disputes WHERE status = 'arbitration'")
    (payout,) = one(demo_db, "SELECT id FROM payouts WHERE status = 'requested'")
    (report,) = one(demo_db, "SELECT id FROM reports WHERE status = 'open'")
    for data in (f"adm:rec:{dispute}:0:0", f"adm:paid:{payout}:0:0", f"adm:rv:{report}:0:0"):
        expect(ada.chat.locator(pressing(data))).to_have_count(1)

    # Everyone's own messages are in their chats: the bot heard them there.
    for person in (erin, frank, fiona, ada, lucia, dmitry):
        expect(person.chat.locator(".msg.from-me .text").first).to_have_text("/start")


def test_the_protected_preview_is_sent_again_in_full_once_erin_pays(
    test_money_demo_page: Page, demo_db: sqlite3.Connection
) -> None:
    page = test_money_demo_page
    erin, frank = Person(page, "Erin"), Person(page, "Frank")
    delivered = waiting_delivery(demo_db)
    alert = erin.bot_message(earlier=True, button=f"ms:release:{delivered}")
    preview = alert.locator("xpath=following-sibling::div[contains(@class, 'msg')][1]")
    for message in (alert, preview):
        expect(message).to_contain_class("protected")
        expect(message.locator(".protected-mark")).to_be_visible()
    expect(preview.locator(".attachment")).to_contain_text("booking-form.zip")
    alert.scroll_into_view_if_needed()
    screenshot(page, "sandbox-demo-protected")

    # Erin releases the money: the note and the file come again, to keep.
    (amount,) = one(
        demo_db,
        "SELECT funded_amount - released_amount - refunded_amount FROM milestones WHERE id = ?",
        delivered,
    )
    confirm = f"wk:release:{delivered}:{amount}"
    erin.tap(f"ms:release:{delivered}", expect_button=confirm)
    frank._acting()
    erin.tap(confirm)
    again = erin.chat.locator(".msg.from-bot:not(.protected)").filter(
        has=page.locator(".attachment", has_text="booking-form.zip")
    )
    expect(again).to_have_count(1)
    (title,) = one(demo_db, "SELECT description FROM milestones WHERE id = ?", delivered)
    frank.bot_message(str(title))  # told he is paid
    (status,) = one(demo_db, "SELECT status FROM milestones WHERE id = ?", delivered)
    assert status == "released"


def test_ada_finds_the_dispute_the_payout_and_the_report_in_her_panel(
    test_money_demo_page: Page, demo_db: sqlite3.Connection
) -> None:
    page = test_money_demo_page
    ada = Person(page, "Ada")
    (dispute, title) = one(
        demo_db,
        "SELECT d.id, p.title FROM disputes d JOIN contracts c ON c.id = d.contract_id "
        "JOIN projects p ON p.id = c.project_id WHERE d.status = 'arbitration'",
    )
    (payout, destination) = one(
        demo_db, "SELECT id, destination FROM payouts WHERE status = 'requested'"
    )
    (report, reported) = one(
        demo_db,
        "SELECT r.id, m.text FROM reports r JOIN messages m ON m.id = r.target_id "
        "WHERE r.status = 'open' AND r.target_kind = 'message'",
    )

    ada.say("/admin", button="adm:dq:0:0:0")
    queue = ada.tap("adm:dq:0:0:0", expect_button=f"adm:rec:{dispute}:0:0")
    expect(queue).to_contain_text(str(title))
    ada.tap(f"adm:rec:{dispute}:0:0", expect_button=f"adm:release:{dispute}:0:0")

    queue = ada.tap("adm:pq:0:0:0", expect_button=f"adm:paid:{payout}:0:0")
    expect(queue).to_contain_text(str(destination))

    ada.say("/admin", button="adm:rq:0:0:0")
    ada.tap("adm:rq:0:0:0", expect_button=f"adm:rv:{report}:0:0")
    case = ada.tap(f"adm:rv:{report}:0:0", expect_button=f"adm:rdis:{report}:0:0")
    expect(case).to_contain_text(str(reported))
    screenshot(page, "sandbox-demo-admin")


def test_dmitrys_chat_is_in_russian_and_lucias_project_reads_as_she_wrote_it(
    test_money_demo_page: Page, demo_db: sqlite3.Connection
) -> None:
    """Дмитрий's Telegram is in Russian: the bot's buttons, its command menu and /language
    are in Russian in his chat; Lucía's project, which Frank heard of in English, reaches
    him with her Spanish words, and his proposal is his Russian one."""
    page = test_money_demo_page
    dmitry, frank = Person(page, "Дмитрий"), Person(page, "Frank")
    (project, title) = one(
        demo_db,
        "SELECT p.id, p.title FROM projects p JOIN users u ON u.id = p.employer_id "
        "WHERE u.first_name = 'Lucía'",
    )
    (proposal,) = one(
        demo_db,
        "SELECT b.proposal FROM bids b JOIN users u ON u.id = b.freelancer_id "
        "WHERE u.first_name = 'Дмитрий'",
    )
    expect(dmitry.chat.locator(".owner")).to_contain_text("Русский")  # his client's language

    # The same project, each reading it in their own language, her words as she wrote them.
    for person in (dmitry, frank):
        person.bot_message(str(title), earlier=True, button=f"p:view:{project}")
    expect(dmitry.chat.locator(".msg.from-me", has_text=str(proposal))).to_have_count(1)
    # The bot's buttons in his chat are in Russian (Frank's, the same ones, in English).
    expect(dmitry.chat.locator(".keyboard button", has_text="✖ Отмена").first).to_be_attached()
    expect(dmitry.chat.locator(".keyboard button", has_text="✖ Cancel")).to_have_count(0)
    expect(frank.chat.locator(".keyboard button", has_text="✖ Cancel").first).to_be_attached()

    # His command menu is in Russian, and so is the screen /language opens from it.
    dmitry._acting()
    dmitry.chat.locator("button.menu-button").click()
    menu = dmitry.chat.locator(".commands")
    expect(menu).to_contain_text("Мои заявки")
    expect(menu).not_to_contain_text("My bids")
    menu.locator("button", has_text="/language").click()
    screen = dmitry.bot_message("Сейчас bidgram говорит с вами на языке: Русский")
    expect(screen.locator(".keyboard button", has_text="Español")).to_have_count(1)
    screen.scroll_into_view_if_needed()
    screenshot(page, "sandbox-demo-russian")


def test_a_project_card_shows_erins_record_as_an_employer(
    test_money_demo_page: Page, demo_db: sqlite3.Connection
) -> None:
    page = test_money_demo_page
    frank = Person(page, "Frank")
    erin = user_id(demo_db, "Erin")
    (project,) = one(demo_db, "SELECT id FROM projects WHERE status = 'open'")
    funded, released = one(
        demo_db,
        "SELECT count(*), sum(m.status = 'released') FROM milestones m "
        "JOIN contracts c ON c.id = m.contract_id WHERE c.employer_id = ? AND m.funded_amount > 0",
        erin,
    )
    record = f"{funded} milestones funded, {released} released"
    # On the alert that told Frank of the project, and on its card opened now.
    frank.bot_message(record, earlier=True, button=f"p:view:{project}")
    card = frank.tap(f"p:view:{project}", expect_button=f"u:employer:{erin}")
    expect(card).to_contain_text(record)


def test_with_stars_erin_paid_each_milestone_in_stars_and_the_story_goes_on(
    demo_page: Page, stars_demo_db: sqlite3.Connection
) -> None:
    """``--gateway stars``: the same story, each milestone paid by an invoice in Stars;
    then Erin and Frank talk through the bot, and a week on the bidding ends."""
    page = demo_page
    erin, frank, ada = Person(page, "Erin"), Person(page, "Frank"), Person(page, "Ada")
    paid = stars_demo_db.execute(
        "SELECT amount FROM payments WHERE gateway = 'stars' ORDER BY id"
    ).fetchall()
    assert len(paid) == 3
    receipts = erin.chat.locator(".msg.from-me .payment")
    expect(receipts).to_have_count(len(paid))
    for n, (amount,) in enumerate(paid):
        expect(receipts.nth(n)).to_have_text(f"✅ Paid ⭐ {amount:,}")  # as the bot writes it
    # The sandbox's Stars are test Stars, and its screens say so.
    expect(erin.chat.locator(".msg.from-bot", has_text="TEST STARS").first).to_be_visible()

    # Erin writes to Frank about his bid on the open project; he answers.
    (project,) = one(stars_demo_db, "SELECT id FROM projects WHERE status = 'open'")
    erin_id, frank_id = user_id(stars_demo_db, "Erin"), user_id(stars_demo_db, "Frank")
    erin.tap(f"ch:{project}:{frank_id}", expect_button="f:end_chat")
    erin.say_only("Can you start on Monday?")
    relayed = frank.bot_message("Can you start on Monday?", button=f"ch:{project}:{erin_id}")
    expect(relayed.locator(".reply-btn")).to_have_count(0)  # the bot's own Reply, not a second
    frank.tap(f"ch:{project}:{erin_id}", expect_button="f:end_chat")
    frank.say_only("Yes, Monday works.")
    erin.bot_message("Yes, Monday works.")

    # The admin's command menu has the admin commands too.
    ada.chat.locator("button.menu-button").click()
    expect(ada.chat.locator(".commands")).to_contain_text("/admin")

    # A week on the bot's clock: the open project stops taking bids; Erin is asked to award.
    erin._acting()
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator("#clock-offset")).to_have_text("(+7 days)")
    erin.bot_message(button=f"p:bids:{project}")
    expect(page.locator("#log")).to_contain_text("ended bidding on 1 project(s)")
