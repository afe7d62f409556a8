"""Account maintenance's records change on PostgreSQL only as Desk changes them.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 01:00:00

A clerk's own database login could write an account's record, its parties, its
journals, its ACATS transfers and its estate case behind Desk's back; the record
seals found it afterwards, nothing stopped it. Now triggers refuse, whatever program
sends the statement, anything Desk itself would not do through that login:

- ``accounts`` and ``account_parties`` change only in the transaction that approved
  the request to open or amend that account (or change its status), decided by the
  login running the statement (0012 makes sure that is a principal other than the
  maker). Opening an estate case ends the account's powers of attorney, in the name
  of the clerk who opens it. Neither is ever deleted.
- ``journals`` are requested in the signed-in user's own name, unposted (with the lots
  the clerk names, if any), with a
  request that login filed in the same transaction; posted only when a principal
  approves that request (or the estate's re-registration) in the same transaction.
- ``acats_transfers`` are entered in the user's own name and move only as the state
  machine allows; a completion or reversal needs a posting made in the same
  transaction by the same user, and a completion out (a reversal in) also the
  principal's approval in that transaction. Their ``acats_assets`` are listed in
  the transaction that entered the transfer, their lots set only by the approval.
- ``estate_cases`` are opened in the user's own name, what they record never changes,
  and they close only on the approved re-registration (0024's check, kept);
  ``estate_documents`` are received or verified only in the user's own name, while
  the case is open, and a line is deleted only if it is an unreceived W-9 line (the
  new owners changed).

The schema's owner (migrations, the demo book) passes. A local file has one owner;
there the services and the record seals guard.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HELPERS = """
CREATE FUNCTION desk_xact_here() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT (pg_current_xact_id()::xid)::text  -- this transaction, as a row's xmin reads it
$$;
CREATE FUNCTION desk_approved_here(want_actions text[], want_table text, want_id bigint,
                                   want_key text)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM approval_requests r
        WHERE r.action = ANY(want_actions) AND r.target_table = want_table
          AND (want_id IS NULL OR r.target_id = want_id)
          AND (want_key IS NULL OR r.target_key = want_key)
          AND r.status = 'approved' AND r.decided_login = session_user::text
          AND r.xmin::text = desk_xact_here())
$$;
CREATE FUNCTION desk_filed_here(want_request bigint, want_table text, want_id bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM approval_requests r
        WHERE r.id = want_request AND r.target_table = want_table AND r.target_id = want_id
          AND r.status = 'pending' AND r.maker_login = session_user::text
          AND r.xmin::text = desk_xact_here())
$$;
CREATE FUNCTION desk_posted_here(want_posting bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM ledger_postings p
        WHERE p.id = want_posting AND p.xmin::text = desk_xact_here()
          AND lower(p.posted_by) = lower((desk_session_user()).username))
$$;
CREATE FUNCTION desk_estate_reregistered_here(want_account bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM approval_requests r JOIN estate_cases c ON c.id = r.target_id
        WHERE r.action = 'estate.reregister' AND r.target_table = 'estate_cases'
          AND c.account_id = want_account
          AND r.status = 'approved' AND r.decided_login = session_user::text
          AND r.xmin::text = desk_xact_here())
$$;
CREATE FUNCTION desk_is_me(who text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT COALESCE((desk_session_user()).active
                    AND lower(who) = lower((desk_session_user()).username), false)
$$;
CREATE FUNCTION desk_changed(new_row jsonb, old_row jsonb, free text[])
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (new_row - free - '{version,updated_at}'::text[])
           IS DISTINCT FROM (old_row - free - '{version,updated_at}'::text[])
$$
"""


_ACCOUNTS = """
CREATE FUNCTION desk_accounts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF desk_schema_owner() THEN
        RETURN COALESCE(NEW, OLD);  -- the schema's owner: migrations, the demo book
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an account is never deleted: a principal approves closing it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND (
        desk_approved_here(ARRAY['account.amend', 'account.set_status'], 'accounts', OLD.id, NULL)
        OR desk_approved_here(ARRAY['account.open'], 'accounts', NULL,
                              'accounts:' || OLD.account_number))
       AND NEW.id = OLD.id AND NEW.account_number = OLD.account_number THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND desk_approved_here(ARRAY['account.open'], 'accounts', NULL,
                                               'accounts:' || NEW.account_number) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'account %: opened or changed only when a principal approves a request for '
        'it', COALESCE(NEW.account_number, OLD.account_number)
        USING ERRCODE = 'insufficient_privilege';
END $$
"""

_PARTIES = """
CREATE FUNCTION desk_account_parties_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    number text;
BEGIN
    IF desk_schema_owner() THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an account party is ended, never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.id, NEW.account_id) IS DISTINCT FROM (OLD.id, OLD.account_id) THEN
        RAISE EXCEPTION 'an account party stays the party of its account'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT a.account_number INTO number FROM accounts a WHERE a.id = NEW.account_id;
    IF desk_approved_here(ARRAY['account.open', 'account.amend'], 'accounts', NULL,
                          'accounts:' || number) THEN
        RETURN NEW;
    END IF;
    -- Recording a death ends the account's powers of attorney, in the opener's name.
    IF TG_OP = 'UPDATE' AND OLD.role = 'power-of-attorney' AND OLD.ended_on IS NULL
       AND NEW.ended_on IS NOT NULL
       AND NOT desk_changed(to_jsonb(NEW), to_jsonb(OLD), ARRAY['ended_on'])
       AND EXISTS (SELECT 1 FROM estate_cases c
                   WHERE c.account_id = OLD.account_id AND c.xmin::text = desk_xact_here()
                     AND c.status = 'open' AND desk_is_me(c.opened_by)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the parties of account % change only when a principal approves a request '
        'to open or amend it', number USING ERRCODE = 'insufficient_privilege';
END $$
"""

_JOURNALS = """
CREATE FUNCTION desk_journals_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF desk_schema_owner() THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a journal is never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF desk_estate_reregistered_here(NEW.from_account_id) AND (TG_OP = 'INSERT'
        OR NOT desk_changed(to_jsonb(NEW), to_jsonb(OLD), ARRAY['posting_id'])) THEN
        RETURN NEW;  -- an approved re-registration posts the estate's journals
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NOT desk_is_me(NEW.requested_by) THEN
            RAISE EXCEPTION 'a journal is requested in one''s own name, not %''s', NEW.requested_by
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.posting_id IS NOT NULL OR (NEW.approval_id IS NOT NULL
           AND NOT desk_filed_here(NEW.approval_id, 'journals', NEW.id)) THEN
            RAISE EXCEPTION 'a journal is requested unposted: a principal approves posting it'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF desk_changed(to_jsonb(NEW), to_jsonb(OLD), ARRAY['approval_id', 'posting_id', 'lots']) THEN
        RAISE EXCEPTION 'journal %: what was asked never changes', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.approval_id IS DISTINCT FROM OLD.approval_id AND NOT (
        OLD.approval_id IS NULL AND desk_is_me(OLD.requested_by)
        AND desk_filed_here(NEW.approval_id, 'journals', OLD.id)) THEN
        RAISE EXCEPTION 'journal %: only its maker files its request, when asking', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.posting_id, NEW.lots) IS DISTINCT FROM (OLD.posting_id, OLD.lots) AND NOT (
        OLD.posting_id IS NULL AND desk_approved_here(
            ARRAY['transfer.cash', 'transfer.securities'], 'journals', OLD.id, NULL)) THEN
        RAISE EXCEPTION 'journal %: posted only when a principal approves its request', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

#: The ACATS state machine (`desk_app.domain.acats.ACATS`): status to status.
_ACATS_MOVES = (
    "'request>review','request>purged','review>validated','review>rejected','review>purged',"
    "'validated>settle_prep','validated>purged','settle_prep>completed','settle_prep>purged',"
    "'rejected>review','rejected>purged','completed>reversed'"
)

_TRANSFERS = f"""
CREATE FUNCTION desk_acats_transfers_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF desk_schema_owner() THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an ACATS transfer is never deleted: it is purged'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NOT desk_is_me(NEW.requested_by) THEN
            RAISE EXCEPTION 'an ACATS transfer is entered in one''s own name, not %''s',
                NEW.requested_by
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.status <> 'request' OR NEW.posting_id IS NOT NULL OR NEW.approval_id IS NOT NULL
           OR NEW.completed_on IS NOT NULL OR NEW.reversed_on IS NOT NULL THEN
            RAISE EXCEPTION 'an ACATS transfer is entered as a request, nothing moved'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.direction, NEW.account_id, NEW.contra_id, NEW.transfer_type,
        NEW.requested_on, NEW.requested_by, NEW.requested_at)
       IS DISTINCT FROM (OLD.id, OLD.direction, OLD.account_id, OLD.contra_id,
        OLD.transfer_type, OLD.requested_on, OLD.requested_by, OLD.requested_at) THEN
        RAISE EXCEPTION 'ACATS transfer %: what was entered, and by whom, never changes', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.contra_account IS DISTINCT FROM OLD.contra_account AND OLD.status <> 'rejected' THEN
        RAISE EXCEPTION 'ACATS transfer %: the contra account is corrected only after a reject',
            OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status <> OLD.status AND (OLD.status || '>' || NEW.status) NOT IN ({_ACATS_MOVES}) THEN
        RAISE EXCEPTION 'ACATS transfer %: % cannot become %', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.approval_id IS DISTINCT FROM OLD.approval_id
       AND NOT desk_filed_here(NEW.approval_id, 'acats_transfers', OLD.id) THEN
        RAISE EXCEPTION 'ACATS transfer %: its request is filed by the one who asks, when '
            'asking', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.posting_id IS DISTINCT FROM OLD.posting_id AND NOT (
        OLD.posting_id IS NULL AND desk_posted_here(NEW.posting_id)) THEN
        RAISE EXCEPTION 'ACATS transfer %: its posting is the one made completing it', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = 'completed' AND OLD.status <> 'completed' AND NOT (
        desk_posted_here(NEW.posting_id) AND (NEW.direction = 'in' OR desk_approved_here(
            ARRAY['acats.complete_out'], 'acats_transfers', OLD.id, NULL))) THEN
        RAISE EXCEPTION 'ACATS transfer %: completed only by posting it (out: when a principal '
            'approves it)', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = 'reversed' AND OLD.status <> 'reversed' AND NOT (
        EXISTS (SELECT 1 FROM ledger_postings p
                WHERE p.reverses_id = OLD.posting_id AND desk_posted_here(p.id))
        AND (NEW.direction = 'out' OR desk_approved_here(
            ARRAY['acats.reverse_in'], 'acats_transfers', OLD.id, NULL))) THEN
        RAISE EXCEPTION 'ACATS transfer %: reversed only by posting the reversal (in: when a '
            'principal approves it)', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

_ASSETS = """
CREATE FUNCTION desk_acats_assets_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF desk_schema_owner() THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an ACATS transfer''s asset list never loses a line'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM acats_transfers t
                       WHERE t.id = NEW.transfer_id AND t.xmin::text = desk_xact_here()
                         AND t.status = 'request' AND desk_is_me(t.requested_by)) THEN
            RAISE EXCEPTION 'ACATS transfer %: its assets are listed when it is entered, by '
                'whoever enters it', NEW.transfer_id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF desk_changed(to_jsonb(NEW), to_jsonb(OLD), ARRAY['lots'])
       OR NOT desk_approved_here(ARRAY['acats.complete_out'], 'acats_transfers',
                                 OLD.transfer_id, NULL) THEN
        RAISE EXCEPTION 'ACATS transfer %: its assets change only as a principal approves '
            'completing it', OLD.transfer_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

_CASES = """
CREATE FUNCTION desk_estate_cases_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF desk_schema_owner() THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an estate case is never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NOT desk_is_me(NEW.opened_by) THEN
            RAISE EXCEPTION 'an estate case is opened in one''s own name, not %''s', NEW.opened_by
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.status <> 'open' OR NEW.closed_at IS NOT NULL OR NEW.retitle_request_id IS NOT NULL
           OR NEW.reregister_request_id IS NOT NULL THEN
            RAISE EXCEPTION 'an estate case is opened open, with no request yet'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status <> 'open' THEN
        RAISE EXCEPTION 'estate case % is closed: it never changes', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF desk_approved_here(ARRAY['estate.reregister'], 'estate_cases', OLD.id, NULL)
       AND NOT desk_changed(to_jsonb(NEW), to_jsonb(OLD),
                            ARRAY['status', 'closed_at', 'alternate_valuation']) THEN
        RETURN NEW;  -- the approved re-registration closes it
    END IF;
    IF desk_changed(to_jsonb(NEW), to_jsonb(OLD), ARRAY['alternate_valuation',
                    'retitle_request_id', 'reregister_request_id']) THEN
        RAISE EXCEPTION 'estate case %: closed only when a principal approves its '
            're-registration; what was recorded never changes', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.retitle_request_id IS DISTINCT FROM OLD.retitle_request_id
       AND NOT desk_filed_here(NEW.retitle_request_id, 'accounts', OLD.account_id) THEN
        RAISE EXCEPTION 'estate case %: its retitle request is filed by the one who asks', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.reregister_request_id IS DISTINCT FROM OLD.reregister_request_id
       AND NOT desk_filed_here(NEW.reregister_request_id, 'estate_cases', OLD.id) THEN
        RAISE EXCEPTION 'estate case %: its re-registration request is filed by the one who '
            'asks', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

_DOCUMENTS = """
CREATE FUNCTION desk_estate_documents_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF desk_schema_owner() THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM estate_cases c
                   WHERE c.id = COALESCE(OLD.case_id, NEW.case_id) AND c.status = 'open') THEN
        RAISE EXCEPTION 'estate case %: its checklist changes only while it is open',
            COALESCE(OLD.case_id, NEW.case_id)
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.kind LIKE 'w9-%' AND OLD.status = 'required' AND OLD.received_on IS NULL THEN
            RETURN OLD;  -- a new owner's W-9 line, no longer wanted
        END IF;
        RAISE EXCEPTION 'estate case %: a document line is never deleted once it counts',
            OLD.case_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'required' OR NEW.received_on IS NOT NULL OR NEW.received_by IS NOT NULL
           OR NEW.verified_on IS NOT NULL OR NEW.verified_by IS NOT NULL THEN
            RAISE EXCEPTION 'estate case %: a document line starts required, nothing received',
                NEW.case_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.id, NEW.case_id, NEW.kind) IS DISTINCT FROM (OLD.id, OLD.case_id, OLD.kind)
       OR (NEW.label IS DISTINCT FROM OLD.label
           AND NOT (OLD.kind LIKE 'w9-%' OR OLD.kind = 'estate-ein-w9')) THEN
        RAISE EXCEPTION 'estate case %: a document line stays what it asks for', OLD.case_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT desk_changed(to_jsonb(NEW), to_jsonb(OLD), ARRAY['label', 'position']) THEN
        RETURN NEW;  -- the checklist's order and W-9 wording
    END IF;
    IF (NEW.dated, NEW.received_on, NEW.received_by, NEW.expires_on)
       IS DISTINCT FROM (OLD.dated, OLD.received_on, OLD.received_by, OLD.expires_on)
       AND NOT (desk_is_me(NEW.received_by) AND NEW.received_on IS NOT NULL) THEN
        RAISE EXCEPTION 'estate case %: a document is received in one''s own name', OLD.case_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = 'verified' AND NOT (desk_is_me(NEW.verified_by) AND NEW.verified_on IS NOT NULL
        AND NEW.received_on IS NOT NULL) THEN
        RAISE EXCEPTION 'estate case %: a document is verified in one''s own name, once '
            'received', OLD.case_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status = 'received' AND (NEW.verified_on IS NOT NULL OR NEW.verified_by IS NOT NULL
        OR NEW.received_on IS NULL) THEN
        RAISE EXCEPTION 'estate case %: a received document is not yet verified', OLD.case_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status NOT IN ('received', 'verified') THEN
        RAISE EXCEPTION 'estate case %: a document once received is received or verified',
            OLD.case_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$
"""

GUARDS = {
    "accounts": _ACCOUNTS,
    "account_parties": _PARTIES,
    "journals": _JOURNALS,
    "acats_transfers": _TRANSFERS,
    "acats_assets": _ASSETS,
    "estate_cases": _CASES,
    "estate_documents": _DOCUMENTS,
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_HELPERS)
    for table, function in GUARDS.items():
        op.execute(function)
        op.execute(
            f"CREATE TRIGGER {table}_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION desk_{table}_guard()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # nothing was made on a local file
    raise NotImplementedError("supervision's checks are never removed")
