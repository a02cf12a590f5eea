"""One case, start to finish, as the documents every front end renders: the range document (`sentcalc
range`) and the retroactivity document (`sentcalc retro`). The CLI, the web app, the Markdown memo and the
Word document all start from these; none of them computes or checks anything on its own.
"""

from __future__ import annotations

from datetime import date

from . import __version__
from .case import CAPTION, Case
from .checks import apply_sentence_check, check_sentence, strict_problems
from .columns import from_models
from .engine import compute_many
from .errors import FieldProblem, raise_all
from .law import Law
from .regimes import Regime, parse_regime

DEFAULT_REGIMES = ("original", "current", "2010", "2014")
"""`range` without --regime: original and current, plus 2010 and 2014 where they differ from both."""


def provenance(law: Law, today: date) -> dict:
    """What produced a result: the version, the hash of the guidelines data and the date taken as today."""
    return {"sentcalc_version": __version__, "guidelines_sha256": law.content_hash, "today": today.isoformat()}


def caption(case: Case) -> dict:
    """The optional caption fields given in the case (defendant, court, docket)."""
    return {k: v for k in CAPTION if (v := getattr(case, k))}


def _refuse(problems) -> None:
    """Every problem the sentence checks (or --strict) found, at once."""
    raise_all([FieldProblem(p.field, p.value, p.allowed) for p in problems])


def range_document(case: Case, law: Law, today: date, regimes: list[str] | None = None,
                   strict: bool = False) -> dict:
    """The statutory and guideline range of one case under each regime, with every step cited."""
    from .report.result import result_dict, same_outcome

    tokens = list(regimes or DEFAULT_REGIMES)
    parsed = [parse_regime(t, law, today) for t in tokens]
    if not any(r.is_original for r in parsed):
        parsed.append(Regime("original", None))
    cases = from_models([case], law.drugs)
    computed = compute_many(law, cases, parsed)
    original = next(r for r in computed if r.regime.is_original)
    check = check_sentence(cases, original, need_sentence=False)
    _refuse(check.problems)
    apply_sentence_check(cases, original, check)
    shown = computed[:len(tokens)]
    results = [result_dict(r, 0) for r in shown]
    if not regimes:  # 2010 and 2014 only where they differ from both original and current
        results = results[:2] + [r for r in results[2:] if not any(same_outcome(r, x) for x in results[:2])]
    if strict:
        _refuse(strict_problems([original, *shown], every=True))
    doc = {"case_id": case.id, "results": results, "provenance": provenance(law, today)}
    if caption(case):
        doc["caption"] = caption(case)
    return doc


def retro_document(case: Case, law: Law, today: date, as_of: date | None = None, strict: bool = False) -> dict:
    """Every retroactivity avenue for one case (§3582(c)(2) under each amendment, First Step Act §404):
    eligibility with reasons, the amended range, the lowest permissible term, the dates, the best avenue."""
    from .report.retro import retro_dict
    from .retro.analyse import analyse

    cases = from_models([case], law.drugs)
    original = compute_many(law, cases, [Regime("original", None)])[0]
    check = check_sentence(cases, original)
    _refuse(check.problems)
    apply_sentence_check(cases, original, check)
    result = analyse(law, cases, as_of or today, known={"original": original}, today=today)
    if strict:
        _refuse(strict_problems([result.original, *(a.amended for a in result.analyses if a.amended is not None)],
                                every=True))
    doc = retro_dict(result, 0, case.id, cases.bop_projected_release_date[0])
    doc["provenance"] = provenance(law, today)
    if caption(case):
        doc["caption"] = caption(case)
    return doc
