"""Migration steps the two histories share: the tables both databases keep (accounts, codes,
face checks, logins), written once and called from each portal's revisions.

Each function is the DDL as of the revision that calls it; later revisions change it.
"""

import sqlalchemy as sa
from alembic import op

import shared.db


def licence_face_columns() -> list[sa.Column]:
    """The licence face's columns (shared.models.LicenceFace): certificates and licences (0001)."""
    return [
    sa.Column('certificate_key', sa.String(length=32), nullable=False),
    sa.Column('licence_id', sa.String(length=128), nullable=False),
    sa.Column('licence_version', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=64), nullable=False),
    sa.Column('holder_id_number', sa.String(length=18), nullable=False),
    sa.Column('sex', sa.String(length=2), nullable=False),
    sa.Column('cert_number', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('item', sa.String(length=64), nullable=False),
    sa.Column('first_issued_on', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('review_due_on', sa.Date(), nullable=True),
    sa.Column('review_passed_on', sa.Date(), nullable=True),
    sa.Column('authority', sa.String(length=64), nullable=False),
    sa.Column('authority_code', sa.String(length=18), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('archive_code', sa.String(length=32), nullable=False),
    sa.Column('card_version', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=200), nullable=True),
    sa.Column('rule_set', sa.String(length=32), nullable=False),
    ]


def create_account_tables() -> None:
    """Accounts, captchas, SMS codes and face checks (revision 0001 of both)."""
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('id_valid_from', sa.Date(), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('identity_verified_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('id_number', name=op.f('uq_accounts_id_number')),
    sa.UniqueConstraint('phone', name=op.f('uq_accounts_phone')),
    )
    op.create_table('captchas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=False),
    sa.Column('created_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('used_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_captchas')),
    sa.UniqueConstraint('token', name=op.f('uq_captchas_token')),
    )
    op.create_table('sms_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('sent_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('used_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages')),
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_messages_phone'), ['phone'], unique=False)

    op.create_table('face_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.Column('session_marker', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_face_checks_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_face_checks')),
    sa.UniqueConstraint('token', name=op.f('uq_face_checks_token')),
    )
    with op.batch_alter_table('face_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_face_checks_account_id'), ['account_id'], unique=False)



def drop_account_tables() -> None:
    """Undo create_account_tables."""
    with op.batch_alter_table('face_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_face_checks_account_id'))

    op.drop_table('face_checks')
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_messages_phone'))

    op.drop_table('sms_messages')
    op.drop_table('captchas')
    op.drop_table('accounts')


def create_login_sessions() -> None:
    """One login per row, pages or API (national 0001, ministry 0003)."""
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('marker', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('started_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_login_sessions_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('marker', name=op.f('uq_login_sessions_marker')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_account_id'), ['account_id'], unique=False)



def drop_login_sessions() -> None:
    """Undo create_login_sessions."""
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_account_id'))

    op.drop_table('login_sessions')


def add_security() -> None:
    """Login attempts counted per name, SMS code tries, nonces of signed calls (revision 0002)."""
    op.create_table('login_attempts',
    sa.Column('login', sa.String(length=32), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', shared.db.AwareDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('login', name=op.f('pk_login_attempts')),
    )
    op.create_table('used_nonces',
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('expires_at', shared.db.AwareDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_used_nonces')),
    )
    with op.batch_alter_table('used_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_nonces_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')

    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrong_tries', sa.Integer(), nullable=False,
                                      server_default='0'))


def drop_security() -> None:
    """Undo add_security."""
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_column('wrong_tries')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.INTEGER(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('locked_until', shared.db.AwareDateTime(timezone=True),
                                      nullable=True))

    with op.batch_alter_table('used_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_nonces_expires_at'))

    op.drop_table('used_nonces')
    op.drop_table('login_attempts')


def add_face_check_scans() -> None:
    """When the phone app opened a face check (ministry 0005, national 0004)."""
    with op.batch_alter_table('face_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scanned_at', shared.db.AwareDateTime(timezone=True),
                                      nullable=True))


def drop_face_check_scans() -> None:
    """Undo add_face_check_scans."""
    with op.batch_alter_table('face_checks', schema=None) as batch_op:
        batch_op.drop_column('scanned_at')
