"""Real-looking rows for the 我的证照 benchmarks, written in bulk with sqlite3.

Holder n (1-based) has a valid ID number (check digit included), a name, a phone and 8 + n % 5
licences of distinct items from the catalogue, issued by one of the 32 issuers over ten years
(those past their 复审 date passed it while still valid). On the national portal each licence
has its replicated payload and an open binding, and one holder in ten also has an older,
closed binding episode (`write_holders`); the ministry's rows are `bench.pages_mem`'s.
Instants are stored as SQLAlchemy stores them in SQLite (naive UTC text), so the portals read
the rows exactly as if they had written them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache

from bench.names import SURNAMES
from shared.authorities import AUTHORITIES, ministry_codes
from shared.catalogue import CATALOG_2010
from shared.clock import SHANGHAI
from shared.identifiers import LICENCE_ROOT, MOD37_ALPHABET, make_licence_id
from shared.identity import id_check_char

HOLDING_TIME = datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)  # the bench's frozen now
DISTRICTS = {"110000": "110105", "310000": "310104", "440000": "440305", "500000": "500103",
             "140000": "140105", "660000": "650102"}  # issuer region -> an ID number's district
AUTHORITY_LIST = list(AUTHORITIES.values())
ITEMS = [(category, item) for category, items in CATALOG_2010.items() for item in items]
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "建国", "海燕")
CHUNK = 20_000
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$YmVuY2gtc2FsdA$bench-holders-never-log-in-by-password"


def sql_time(moment: datetime) -> str:
    """Format an instant as SQLAlchemy's AwareDateTime stores it in SQLite."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def holder(n: int) -> dict:
    """Return holder n's account fields (unique ID number and phone)."""
    authority = AUTHORITY_LIST[n % len(AUTHORITY_LIST)]
    born = date(1962, 1, 1) + timedelta(days=(n // 1000) * 131)
    district = DISTRICTS.get(authority.region_code, authority.region_code[:4] + "02")
    first17 = f"{district}{born:%Y%m%d}{n % 1000:03d}"
    return {"id": n, "id_number": first17 + id_check_char(first17),
            "name": SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 7) % len(GIVEN)],
            "sex": "男" if int(first17[16]) % 2 else "女",
            "phone": f"1{'358'[n % 3]}{n % 10}{n:08d}", "authority": authority}


@cache
def dates(year: int, month: int, day: int) -> dict:
    """The date fields of a licence issued that day (few distinct days: computed once each)."""
    issued, today = date(year, month, day), HOLDING_TIME.date()
    valid_to, review_due = issued.replace(year=year + 6), issued.replace(year=year + 3)
    passed = review_due - timedelta(days=20) if review_due < today <= valid_to else None
    return {"first_issued_on": issued.isoformat(), "issued_on": issued.isoformat(),
            "valid_from": issued.isoformat(), "valid_to": valid_to.isoformat(),
            "review_due_on": review_due.isoformat(),
            "review_passed_on": passed and passed.isoformat(),
            "arrived_at": sql_time(datetime(year, month, day, 17, tzinfo=SHANGHAI)
                                   + timedelta(days=3))}


@cache
def check_state(prefix: str) -> int:
    """The ISO 7064 MOD 37,36 running product after `prefix` (shared by every licence of
    one authority), so only the serial and version are folded in per licence."""
    product = 36
    for ch in prefix:
        product = (2 * ((product + MOD37_ALPHABET.index(ch)) % 36 or 36)) % 37
    return product


def licence_id(type_code: str, issuer_code: str, serial: str) -> str:
    """Build version 1's 证照标识; asserted equal to shared.identifiers' for the first row."""
    product = check_state(type_code + issuer_code)
    for ch in f"{serial}001":
        product = (2 * ((product + MOD37_ALPHABET.index(ch)) % 36 or 36)) % 37
    check = MOD37_ALPHABET[(37 - product) % 36]
    return f"{LICENCE_ROOT}.{type_code}.{issuer_code}.{serial}.001.{check}"


def licence(person: dict, j: int, row_id: int, type_code: str) -> dict:
    """Return the face fields of holder `person`'s j-th licence."""
    authority = person["authority"]
    category, item = ITEMS[(person["id"] * 7 + j * 11) % len(ITEMS)]
    year = 2016 + j % 10
    days = dates(year, 1 + person["id"] % 12, 1 + j % 28)
    key = f"{year}{row_id:010d}"
    revoked = row_id % 97 == 0
    return {
        "certificate_key": key, "licence_id": licence_id(type_code, authority.code, key),
        "licence_version": 1, "revision": 1, "holder_name": person["name"],
        "holder_id_number": person["id_number"], "sex": person["sex"],
        "cert_number": person["id_number"], "category": category, "item": item,
        "first_issued_on": days["first_issued_on"], "issued_on": days["issued_on"],
        "valid_from": days["valid_from"], "valid_to": days["valid_to"],
        "review_due_on": days["review_due_on"], "review_passed_on": days["review_passed_on"],
        "authority": authority.name, "authority_code": authority.code,
        "region_code": authority.region_code,
        "archive_code": f"{authority.region_code}{year}{row_id:08d}",
        "card_version": "new", "status": "revoked" if revoked else "valid",
        "status_reason": "提供虚假材料取得证书" if revoked else None, "rule_set": "order30"}


def reviews(face: dict) -> list[dict]:
    """The licence's 复审 records as the wire carries them: the one it passed, if any."""
    passed = face["review_passed_on"]
    return [{"reviewed_on": passed, "result": "pass"}] if passed else []


LICENCE_COLUMNS = ("id", "payload", "arrived_at", "updated_at", *licence(
    holder(1), 0, 1, "11100000MB0143553R001"))


def faces(accounts: int, type_code: str) -> Iterator[tuple[int, dict, str]]:
    """Yield (row id 1..N, face fields, day of arrival) of every licence, holder by holder."""
    row_id = 0
    for n in range(1, accounts + 1):
        person = holder(n)
        for j in range(8 + n % 5):
            row_id += 1
            yield (row_id, licence(person, j, row_id, type_code),
                   dates(2016 + j % 10, 1 + n % 12, 1 + j % 28)["arrived_at"])


def licence_rows(accounts: int, type_code: str) -> Iterator[tuple]:
    """Yield every national licence row with its replicated payload."""
    for row_id, face, arrived in faces(accounts, type_code):
        payload = json.dumps({"kind": "issued", "licence": {**face, "reviews": reviews(face)}})
        yield (row_id, payload, arrived, arrived, *face.values())


def binding_rows(accounts: int) -> Iterator[tuple]:
    """Yield (account, licence, bound_at, unbound_at): one open binding per licence, plus a
    closed earlier episode of the first licence for one holder in ten."""
    row_id = 0
    bound = sql_time(HOLDING_TIME - timedelta(days=30))
    earlier = (sql_time(HOLDING_TIME - timedelta(days=90)),
               sql_time(HOLDING_TIME - timedelta(days=60)))
    for n in range(1, accounts + 1):
        if n % 10 == 0:
            yield (n, row_id + 1, *earlier)
        for _ in range(8 + n % 5):
            row_id += 1
            yield (n, row_id, bound, None)


def chunks(rows: Iterator[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def write_accounts(conn, accounts: int) -> str:
    """Write holders 1..accounts (registered and verified); return the licence type code."""
    created = sql_time(HOLDING_TIME - timedelta(days=400))
    conn.executemany(
        "INSERT INTO accounts (id, phone, id_number, name, id_valid_from, password_hash, "
        "created_at, identity_verified_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
        ((p["id"], p["phone"], p["id_number"], p["name"], PASSWORD_HASH, created, created)
         for p in map(holder, range(1, accounts + 1))))
    type_code = ministry_codes()[1]
    first = licence(holder(1), 0, 1, type_code)
    assert first["licence_id"] == make_licence_id(type_code, holder(1)["authority"].code,
                                                  first["certificate_key"], 1)
    return type_code


def write_holders(conn, accounts: int, log: Callable[[str], None]) -> int:
    """Write the national accounts, licences and bindings; return the number of licences."""
    type_code = write_accounts(conn, accounts)
    written = insert_all(conn, "licences", LICENCE_COLUMNS, licence_rows(accounts, type_code), log)
    insert_all(conn, "licence_bindings", ("account_id", "licence_row_id", "bound_at",
                                          "unbound_at"), binding_rows(accounts))
    conn.commit()
    return written


def insert_all(conn, table: str, columns: tuple[str, ...], rows: Iterator[tuple],
               log: Callable[[str], None] | None = None) -> int:
    """Insert `rows` (tuples in `columns` order) in chunks, saying every 200 000 rows to `log`;
    return how many were written."""
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    written = 0
    for batch in chunks(rows):
        conn.executemany(insert, batch)
        written += len(batch)
        if log and written % 200_000 == 0:
            log(f"  {written:,} {table} written")
    return written
