"""The dashboard's "Approved and unpaid after the session" (funding/chase_overview.py), in one
statement.

Each funder's stored Approved total (FunderChase) less what of it belongs to sessions not ended
yet. Those sessions (the coming weeks: about 1 100 of 40 000 at 400 000 learners) are read through
their (organisation, end date) index, and their rows of the chasing summary through its session
index, once for every part below. (Joined the other way, PostgreSQL read all 225 000 rows of the
summary, twice: about 28 ms each time.) Nothing stored depends on the date, so a session whose
dates are edited, or that ends as days pass, is counted as it is now.

- `group` rows: the Approved and unpaid of each institutional funder (its kind, or the company's
  OPCO) and of the carriers together, with how many funders have any. The one part that reads
  every funder total of the organisation (52 844 at 400 000 learners: 15–20 ms): a company's
  OPCO, which decides its group, is read with the company.
- `pending` rows: what the given carriers (those with something pending for long, read apart)
  are owed, whatever their rank.
- `ranked` rows: the first `limit` other carriers by what they are owed, in the order the
  chasing list breaks ties. A carrier is owed at most its whole total, and one with nothing in a
  session not ended is owed all of it: the first `limit` are among the carriers whose whole
  total reaches the `limit`-th of those, read in amount order through the (organisation, amount)
  index — a few rows, not every carrier.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import connection

from funding.chase_summaries import OWN_FUNDER_TYPES

GROUP, PENDING, RANKED = "group", "pending", "ranked"
CARRIERS = "carriers"  # the group of every carrier

_OWN = ", ".join(f"'{kind}'" for kind in OWN_FUNDER_TYPES)
# Built from constants only (the funder kinds); values are parameters. Rows of the organisation's
# funder totals `f`, or of the not-ended sessions' part of them `ne` (per funder), are few or
# many depending on the data, which PostgreSQL cannot estimate from an array of session ids:
# each step below is written so that its plan is right either way — a company or a name is read
# by its key for the rows that need it, never by hashing a whole table.
_NOT_ENDED = """
    not_ended AS (
        SELECT s.funder, SUM(s.approved_count) AS n, SUM(s.approved_amount) AS amount
        FROM funding_sessionfunderchase s
        WHERE s.session_id {sessions}
        GROUP BY s.funder
    )"""
# The sessions not ended: PostgreSQL reads their summary rows by the session index when given
# the ids as an array (as a join or IN, it hashed all 225 000 rows of the summary).
_SESSIONS = {
    "postgresql": "= ANY(ARRAY(SELECT t.id FROM training_session t "
    "WHERE t.organization_id = %s AND t.end_date >= %s))",
    "sqlite": "IN (SELECT t.id FROM training_session t "
    "WHERE t.organization_id = %s AND t.end_date >= %s)",
}
# Per group (each institutional funder: its kind, or the company's OPCO; the carriers together),
# the Approved and unpaid, and how many funders have any.
_GROUPS = f"""
    SELECT '{GROUP}',
           CASE WHEN f.kind IN ({_OWN}) THEN f.kind
                WHEN f.kind = 'opco' AND c.opco <> '' THEN c.opco
                ELSE '{CARRIERS}' END AS grp,
           SUM(f.approved_count - COALESCE(ne.n, 0)),
           SUM(f.approved_amount - COALESCE(ne.amount, 0)),
           SUM(CASE WHEN f.approved_count > COALESCE(ne.n, 0) THEN 1 ELSE 0 END),
           NULL, NULL, NULL, NULL, NULL
    FROM funding_funderchase f
    LEFT JOIN not_ended ne ON ne.funder = f.funder
    LEFT JOIN companies_company c ON c.id = f.company_id
    WHERE f.organization_id = %s AND f.approved_count > 0
    GROUP BY grp"""  # noqa: S608
# A funder total `f` that is a carrier: a company or an individual paying, or an OPCO type whose
# company has no OPCO recorded.
_IS_CARRIER = """(f.kind IN ('company', 'individual') OR (f.kind = 'opco' AND
        (SELECT c.opco FROM companies_company c WHERE c.id = f.company_id) = ''))"""
# Carriers (`which`: the funders to take or to leave out) and what they are owed, those owed at
# least `least` in all.
_OWED = f"""
    {{name}} AS (
        SELECT f.funder, f.company_id, f.individual_id,
               f.approved_count - COALESCE(ne.n, 0) AS unpaid_count,
               f.approved_amount - COALESCE(ne.amount, 0) AS unpaid_amount
        FROM funding_funderchase f
        LEFT JOIN not_ended ne ON ne.funder = f.funder
        WHERE f.organization_id = %s AND f.funder {{which}}
          AND f.approved_count > COALESCE(ne.n, 0) AND {_IS_CARRIER}
          AND f.approved_amount >= {{least}}
    )"""  # noqa: S608
# A carrier is owed at most its whole total, which those with nothing in a session not ended are
# owed: the first `limit` carriers are among those whose whole total reaches the `limit`-th of
# those (read in amount order through the (organisation, amount) index).
_LEAST = f"""COALESCE(
            (SELECT f.approved_amount FROM funding_funderchase f
             WHERE f.organization_id = %s AND f.approved_count > 0 AND f.funder {{which}}
               AND f.funder NOT IN (SELECT ne.funder FROM not_ended ne) AND {_IS_CARRIER}
             ORDER BY f.approved_amount DESC LIMIT 1 OFFSET %s),
            0)"""  # noqa: S608
# The first `limit` candidates, with their names, in the order the chasing list breaks ties;
# the names read for those owed at least the `limit`-th amount only.
_FIRST = """
    SELECT * FROM (
        SELECT '{part}', o.funder, o.unpaid_count, o.unpaid_amount, 0,
               (SELECT c.name FROM companies_company c WHERE c.id = o.company_id) AS company_name,
               (SELECT c.opco FROM companies_company c WHERE c.id = o.company_id),
               (SELECT i.billing_name FROM individuals_individual i
                WHERE i.id = o.individual_id) AS billing_name,
               (SELECT l.first_name FROM individuals_individual i
                INNER JOIN learners_learner l ON l.id = i.learner_id WHERE i.id = o.individual_id),
               (SELECT l.last_name FROM individuals_individual i
                INNER JOIN learners_learner l ON l.id = i.learner_id WHERE i.id = o.individual_id)
        FROM {name} o
        WHERE o.unpaid_amount >= COALESCE(
            (SELECT unpaid_amount FROM {name} ORDER BY unpaid_amount DESC LIMIT 1 OFFSET %s), 0)
        ORDER BY o.unpaid_amount DESC, company_name, billing_name, o.company_id, o.individual_id
        LIMIT %s
    ) AS {name}_first"""


def unpaid_rows(
    *, organization_id: int, today: datetime.date, pending_carriers: Sequence[str], limit: int
) -> list[tuple[Any, ...]]:
    """(part, group or funder, count, amount, funders, company name, OPCO, billing name, first
    name, last name) rows: the groups, the `pending_carriers`, the first `limit` other carriers
    (see the module's docstring)."""
    listed = ", ".join(["%s"] * len(pending_carriers))
    sessions = _SESSIONS["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    ctes = [_NOT_ENDED.format(sessions=sessions)]
    params: list[Any] = [organization_id, today]
    parts = [_GROUPS]
    part_params: list[Any] = [organization_id]
    if pending_carriers:
        # Every one of them, whatever it is owed.
        ctes.append(_OWED.format(name=PENDING, which=f"IN ({listed})", least="0"))
        params.extend([organization_id, *pending_carriers])
        parts.append(_FIRST.format(part=PENDING, name=PENDING))
        part_params.extend([len(pending_carriers) - 1, len(pending_carriers)])
    others = f"NOT IN ({listed})" if pending_carriers else "NOT IN ('')"
    least = _LEAST.format(which=others)
    ctes.append(_OWED.format(name=RANKED, which=others, least=least))
    params.extend([organization_id, *pending_carriers])
    params.extend([organization_id, *pending_carriers, max(limit - 1, 0)])
    parts.append(_FIRST.format(part=RANKED, name=RANKED))
    part_params.extend([max(limit - 1, 0), limit])
    statement = "WITH " + ",".join(ctes) + "\n" + "\nUNION ALL\n".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *part_params])
        return cursor.fetchall()
