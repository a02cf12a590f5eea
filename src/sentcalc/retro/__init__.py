"""Retroactivity: §3582(c)(2) reductions under each USSG §1B1.10(d) amendment, First Step Act §404,
and the release dates that follow — the same engine and rules, under substituted dates."""
