"""The bulk-write helpers of app/database.py: what they write reads back exactly as the ORM would have written it."""
import datetime as dt

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.database import analyze_after_bulk_load, in_ids, insert_columns, new_ids, with_defaults
from app.extensions import db
from app.orders.models import OrderHold
from importers.base import JST


def test_rows_written_column_by_column_read_back_as_given(make_user):
    user = make_user('clerk')
    when = dt.datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=JST)
    connection = db.session.connection()
    ids = new_ids(connection, AuditEvent.__table__, 3)
    insert_columns(connection, AuditEvent.__table__, {
        'id': ids, 'at': when, 'user_id': [user.id, None, user.id], 'action': 'order.status',
        'object_type': 'orders', 'object_id': ['1', '2', '髙﨑-3'],
        'before': [{'status': 'confirmed'}, None, {'status': 'confirmed'}],
        'after': [{'status': 'allocated', 'note': '引当 ①'}, {'n': [1, 2]}, {'status': 'allocated'}],
        'note': ''})
    db.session.commit()
    events = db.session.scalars(sa.select(AuditEvent).where(in_ids(AuditEvent.id, ids, db.engine.dialect))
                                .order_by(AuditEvent.id)).all()
    assert [e.id for e in events] == ids
    assert {e.at for e in events} == {when.astimezone(dt.UTC)}
    assert [e.user_id for e in events] == [user.id, None, user.id]
    assert [e.object_id for e in events] == ['1', '2', '髙﨑-3']
    assert [e.before for e in events] == [{'status': 'confirmed'}, None, {'status': 'confirmed'}]
    assert events[0].after == {'status': 'allocated', 'note': '引当 ①'}
    assert events[1].after == {'n': [1, 2]}
    # the ids taken are not given again, and the ORM's own inserts go on after them
    later = AuditEvent(action='x', object_type='orders', object_id='4')
    db.session.add(later)
    db.session.flush()
    assert later.id > max(ids)
    assert new_ids(db.session.connection(), AuditEvent.__table__, 2)[0] > later.id


def test_a_large_batch_reads_back_exactly_and_a_bad_row_leaves_nothing_behind(make_user):
    # large enough that SQLite takes it through a scratch table (app.database._insert_staged)
    user = make_user('clerk')
    count = 1200
    when = dt.datetime(2026, 11, 22, 0, 0, 1, tzinfo=dt.UTC)
    connection = db.session.connection()
    ids = new_ids(connection, AuditEvent.__table__, count)
    insert_columns(connection, AuditEvent.__table__, {
        'id': ids, 'at': when, 'user_id': [user.id if n % 2 else None for n in range(count)], 'action': 'x',
        'object_type': 'orders', 'object_id': [f'{n:06d}' for n in range(count)],
        'before': None, 'after': ['123' if n % 3 else {'n': '髙'} for n in range(count)], 'note': ''})
    db.session.commit()
    rows = db.session.execute(sa.select(AuditEvent.id, AuditEvent.user_id, AuditEvent.object_id, AuditEvent.after,
                                        AuditEvent.at).where(AuditEvent.action == 'x').order_by(AuditEvent.id)).all()
    assert [row.id for row in rows] == ids
    assert [row.object_id for row in rows][:3] == ['000000', '000001', '000002']  # text stays text
    assert [row.after for row in rows][:3] == [{'n': '髙'}, '123', '123']
    assert [row.user_id for row in rows][:2] == [None, user.id]
    assert {row.at for row in rows} == {when}

    with pytest.raises(sa.exc.IntegrityError):
        insert_columns(db.session.connection(), AuditEvent.__table__, {
            'id': [ids[-1] + 1 + n for n in range(count)] + [ids[0]], 'at': when, 'user_id': None, 'action': 'x',
            'object_type': 'orders', 'object_id': 'dup', 'before': None, 'after': None, 'note': ''})
    db.session.rollback()
    written = sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == 'x')
    assert db.session.scalar(written) == count
    # the scratch table went with the failed insert, so the next one can be made
    insert_columns(db.session.connection(), AuditEvent.__table__, {
        'id': [ids[-1] + 1 + n for n in range(count)], 'at': when, 'user_id': None, 'action': 'x',
        'object_type': 'orders', 'object_id': 'again', 'before': None, 'after': None, 'note': ''})
    db.session.commit()
    assert db.session.scalar(written) == 2 * count


def test_an_empty_batch_writes_nothing_and_needs_no_scratch_table(make_user):
    connection = db.session.connection()
    insert_columns(connection, AuditEvent.__table__, {
        'at': [], 'user_id': None, 'action': [], 'object_type': 't', 'object_id': [], 'before': None, 'after': None,
        'note': ''})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_a_column_with_a_default_must_be_given():
    with pytest.raises(ValueError, match='no value for at, note'):
        insert_columns(db.session.connection(), AuditEvent.__table__, {
            'action': ['a'], 'object_type': 't', 'object_id': '1'})
    with pytest.raises(ValueError, match='differ in length'):
        insert_columns(db.session.connection(), AuditEvent.__table__, {
            'at': [dt.datetime.now(dt.UTC)], 'note': ['', ''], 'action': 'a', 'object_type': 't', 'object_id': '1'})


def test_the_columns_not_given_are_completed_from_the_table_and_a_required_one_is_asked_for():
    completed = with_defaults(OrderHold.__table__, {'order_id': [1, 2], 'reason': 'manual', 'created_by_id': None})
    # scalar defaults as they are, a callable default called once for every row; nullable columns are left out
    assert completed['note'] == '' and completed['release_note'] == ''
    assert isinstance(completed['created_at'], dt.datetime)
    assert {'id', 'released_at', 'released_by_id'}.isdisjoint(completed)
    with pytest.raises(ValueError, match='no value and no default for order_id, reason'):
        with_defaults(OrderHold.__table__, {'note': ['x']})


def test_a_long_list_of_ids_selects_the_rows_it_names():
    connection = db.session.connection()
    ids = new_ids(connection, AuditEvent.__table__, 3)
    insert_columns(connection, AuditEvent.__table__, {
        'id': ids, 'at': dt.datetime.now(dt.UTC), 'action': 'a', 'object_type': 't', 'object_id': '1', 'note': ''})
    db.session.commit()
    # more ids than SQLite takes as parameters in one statement (32,766 as built by default)
    asked = [ids[0], ids[2], *range(10**7, 10**7 + 40_000)]
    found = db.session.scalars(sa.select(AuditEvent.id).where(in_ids(AuditEvent.id, asked, db.engine.dialect))
                               .order_by(AuditEvent.id)).all()
    assert found == [ids[0], ids[2]]
    assert db.session.scalars(sa.select(AuditEvent.id).where(in_ids(AuditEvent.id, [ids[1]], db.engine.dialect))
                              ).all() == [ids[1]]


@pytest.fixture
def postgresql_only():
    if db.engine.dialect.name != 'postgresql':
        pytest.skip('SQLite keeps no planner statistics: analyze_after_bulk_load does nothing there')


def load_events(connection, count: int) -> None:
    insert_columns(connection, AuditEvent.__table__, {
        'at': dt.datetime.now(dt.UTC), 'action': 'a', 'object_type': 't',
        'object_id': [str(n) for n in range(count)], 'note': ''})


def planner_rows(connection) -> float:
    """How many rows PostgreSQL's planner believes audit_events holds (-1: it was never analysed)."""
    return connection.execute(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'audit_events'")).scalar()


def test_a_big_load_refreshes_postgresql_s_statistics_within_its_transaction(postgresql_only):
    connection = db.session.connection()
    load_events(connection, 1500)
    assert planner_rows(connection) != 1500  # written, but the planner does not know yet
    analyze_after_bulk_load(connection, [AuditEvent.__table__], 1500)
    # it knows of the rows the transaction itself wrote, before they are committed
    assert planner_rows(connection) == 1500
    db.session.commit()


def test_a_load_small_in_itself_or_against_the_table_leaves_the_statistics_alone(postgresql_only):
    connection = db.session.connection()
    load_events(connection, 999)
    analyze_after_bulk_load(connection, [AuditEvent.__table__], 999)
    assert planner_rows(connection) != 999
    load_events(connection, 11_001)
    analyze_after_bulk_load(connection, [AuditEvent.__table__], 11_001)
    assert planner_rows(connection) == 12_000
    # 1,100 rows are fewer than a tenth of what the planner knows of: not worth an ANALYZE
    load_events(connection, 1100)
    analyze_after_bulk_load(connection, [AuditEvent.__table__], 1100)
    assert planner_rows(connection) == 12_000
    db.session.commit()


def test_times_are_stored_on_sqlite_in_sqlalchemy_s_own_text_so_old_and_new_rows_compare_alike():
    if db.engine.dialect.name != 'sqlite':
        pytest.skip('PostgreSQL stores timestamptz')
    connection = db.session.connection()
    insert_columns(connection, AuditEvent.__table__, {
        'at': [dt.datetime(2026, 11, 22, 9, 0, 0, 5, tzinfo=JST)], 'user_id': None, 'action': 't',
        'object_type': 'orders', 'object_id': '1', 'before': None, 'after': None, 'note': ''})
    stored = connection.exec_driver_sql("SELECT at FROM audit_events WHERE action = 't'").scalar()
    # what SQLAlchemy's DateTime writes for the same moment in UTC, which rows written before hold
    general = sa.DateTime().dialect_impl(db.engine.dialect).bind_processor(db.engine.dialect)
    assert stored == general(dt.datetime(2026, 11, 22, 0, 0, 0, 5)) == '2026-11-22 00:00:00.000005'
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == 't', AuditEvent.at == dt.datetime(2026, 11, 22, 0, 0, 0, 5, tzinfo=dt.UTC))) == 1
