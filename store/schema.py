"""The schema, migrated forward with sqlite-utils' Migrations. Never edit an applied step: add one."""

from __future__ import annotations

from store.db import MIGRATION_SET
from store.lean_sqlite_utils import Database, Migrations
from store.outbox import create_recipients_table
from store.plans import create_table as create_plans
from store.register import load_into
from store.search import create_index
from store.transactions import immediate

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE authorities (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            region TEXT NOT NULL,
            nhs_region TEXT NOT NULL,
            official_name TEXT NOT NULL,
            domains TEXT NOT NULL,          -- JSON list: accepted sender domains
            alt_names TEXT NOT NULL,        -- JSON list
            care_homes INTEGER              -- register's count, when known
        );

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            la_code TEXT NOT NULL REFERENCES authorities(code),
            email TEXT NOT NULL,
            role TEXT NOT NULL,             -- in words: 'return contact', 'director of adult social services'
            name TEXT,
            phone TEXT,
            source TEXT NOT NULL,           -- 'csv', 'template', 'sender'
            added_at TEXT NOT NULL,
            UNIQUE (la_code, email, role)
        );

        -- Every message as received: the raw bytes are the record, everything else derives from them.
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE,       -- the reference people quote, e.g. 'CHR-000042'
            message_id TEXT NOT NULL,       -- the Message-ID header ('' when absent)
            sha256 TEXT NOT NULL,
            raw BLOB NOT NULL,
            size INTEGER NOT NULL,
            mail_from TEXT NOT NULL,        -- envelope sender ('' for a null sender)
            rcpt_to TEXT NOT NULL,          -- JSON list
            peer TEXT,
            received_at TEXT NOT NULL,      -- ISO, UTC (real time of the 250)
            collection_time TEXT NOT NULL,  -- ISO, the collection clock at receipt (RETURNS_NOW aware)
            subject TEXT,
            from_header TEXT,
            disposition TEXT,               -- NULL until processed; accepted|quarantined|rejected|ignored
            reason TEXT,
            la_code TEXT,
            reply_decision TEXT,            -- why an acknowledgement was or was not sent
            processed_at TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            UNIQUE (message_id, sha256)
        );
        CREATE INDEX messages_unprocessed ON messages(disposition) WHERE disposition IS NULL;

        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id),
            filename TEXT NOT NULL,
            content_type TEXT,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            role TEXT NOT NULL,             -- 'template', 'letter', 'ignored', 'unreadable'
            note TEXT                       -- in plain words: what was found or why it was not read
        );

        CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id),
            la_code TEXT NOT NULL REFERENCES authorities(code),
            version INTEGER NOT NULL,
            received_at TEXT NOT NULL,      -- collection clock at receipt
            status TEXT NOT NULL,           -- valid | invalid | incomplete
            total_care_homes INTEGER,
            raw_total TEXT,
            la_name_written TEXT,
            contact_name TEXT,
            contact_email TEXT,
            contact_phone TEXT,
            template_file TEXT,
            template_sheet TEXT,
            letter_file TEXT,
            letter_text TEXT,
            support_benefit TEXT,           -- free text: support the LA would benefit from
            regional_issues TEXT,           -- free text: issues for regional and national teams
            problems TEXT NOT NULL,         -- one line per error, for the export
            UNIQUE (la_code, version),
            UNIQUE (message_id)
        );
        CREATE INDEX submissions_la ON submissions(la_code, version);

        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            action TEXT NOT NULL,           -- action code, e.g. '1.1'
            homes_in_place INTEGER,
            raw_homes_in_place TEXT,
            support_needed TEXT,            -- 'yes' | 'no' | NULL
            raw_support TEXT,
            support_description TEXT,
            issues TEXT,
            cell TEXT,                      -- where the count was read, e.g. 'Template!C7'
            UNIQUE (submission_id, action)
        );

        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            severity TEXT NOT NULL,         -- 'error' | 'query'
            action TEXT,                    -- action code, or NULL for the whole return
            cell TEXT,
            text TEXT NOT NULL
        );
        CREATE INDEX findings_submission ON findings(submission_id);

        -- All outgoing mail; written in the same transaction as the decision to send it.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,             -- 'ack' | 'chaser'
            dedupe_key TEXT NOT NULL UNIQUE,-- one mail per decision, e.g. 'ack:CHR-000042'
            message_id INTEGER REFERENCES messages(id),
            la_code TEXT,
            recipients TEXT NOT NULL,       -- JSON list of envelope recipients
            raw BLOB NOT NULL,
            created_at TEXT NOT NULL,       -- real time
            collection_time TEXT NOT NULL,  -- collection clock when decided
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            sent_at TEXT,
            last_error TEXT
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

        -- Who did what to quarantined mail, and when.
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            message_ref TEXT,
            detail TEXT
        );
        """
    )


@migrations()
def m002_slack_seen(db: Database) -> None:
    # Slack deliveries already answered, so a retry or a replay is answered once.
    db.execute(
        """CREATE TABLE slack_seen (
               key TEXT PRIMARY KEY,       -- 'event:<event_id>' or 'body:<sha256 of the body>'
               seen_at TEXT NOT NULL
           )"""
    )


@migrations()
def m003_schedule(db: Database) -> None:
    # What the bot's scheduler has done, claimed in BEGIN IMMEDIATE so that two bot processes
    # or a restart never post a digest, run a chase slot or announce a message twice.
    db.executescript(
        """
        CREATE TABLE digests_posted (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL,            -- 'national' or a region's name as in the register
            day TEXT NOT NULL,              -- collection-local date, ISO
            channel TEXT NOT NULL,
            posted_at TEXT NOT NULL,        -- collection clock when claimed
            UNIQUE (scope, day)
        );
        CREATE TABLE chase_runs (
            slot TEXT PRIMARY KEY,          -- the slot's date, ISO
            ran_at TEXT NOT NULL,           -- collection clock of the run
            queued INTEGER NOT NULL         -- chasers queued by that run
        );
        CREATE TABLE announcements (
            message_id INTEGER PRIMARY KEY REFERENCES messages(id),
            announced_at TEXT NOT NULL      -- real time
        );
        """
    )


@migrations()
def m004_register(db: Database) -> None:
    # Every table refers to the LAs: a new store starts with the register in it.
    # (`python -m store init` loads it again, to pick up a corrected register CSV.)
    load_into(db)


@migrations()
def m005_counting_rule_moves_to_picture(db: Database) -> None:
    # The counting rule and each LA's standing live in store/picture.py (one place for the
    # bot, digests, chasers and exports); stores made before then still have these views.
    db.execute("DROP VIEW IF EXISTS authority_status")
    db.execute("DROP VIEW IF EXISTS counting_submissions")


@migrations()
def m006_search_index(db: Database) -> None:
    # Full-text search over letters and the template's free text, filled from what is stored.
    create_index(db)


@migrations()
def m007_planned_actions(db: Database) -> None:
    # Planned regional and NHS actions, recorded with `plan PLACE: what`, for the reports.
    create_plans(db)


@migrations()
def m008_outbox_recipients(db: Database) -> None:
    # The per-sender hourly count of acknowledgements, asked for every message answered, read
    # through an index instead of every outbox row's JSON recipients.
    create_recipients_table(db)


@migrations()
def m009_raw_messages_apart(db: Database) -> None:
    # The raw bytes in a row of their own: processing a message updates its row (disposition,
    # reason ...), and SQLite rewrites a whole row, overflow pages and all, when its size
    # changes, so each outcome rewrote tens of KB of message into the log and the checkpoint.
    _raw_apart(db, "messages", "message_raw")


@migrations()
def m010_outbox_raw_apart(db: Database) -> None:
    # As m009 for the outbox: claiming a mail and marking it sent update its row, and each
    # update rewrote the whole acknowledgement (tens of KB) with it.
    _raw_apart(db, "outbox", "outbox_raw")


def _raw_apart(db: Database, table: str, raw_table: str) -> None:
    """Move `table`'s `raw` column into `raw_table`, one row each, keyed by the same id."""
    db.execute(f"""CREATE TABLE {raw_table} (
                       id INTEGER PRIMARY KEY REFERENCES {table}(id),
                       raw BLOB NOT NULL)""")
    db.execute(f"INSERT INTO {raw_table} (id, raw) SELECT id, raw FROM {table}")
    db.execute(f"ALTER TABLE {table} DROP COLUMN raw")


def migrate(db: Database) -> None:
    """Bring the schema up to date; safe when several processes start at once."""
    if not migrations.pending(db):
        return
    with immediate(db):
        migrations.apply(db)
