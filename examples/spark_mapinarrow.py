"""Run the sentcalc batch kernel under Spark (local mode) with `mapInArrow`: each partition's Arrow
batches go through `sentcalc.kernel.recompute`, the same function `sentcalc batch` uses.

    pip install 'sentcalc[spark]'   # pyspark, pandas (Spark's Arrow path imports it), pyarrow; and a JDK 17+
    python examples/spark_mapinarrow.py examples/datasets/sample.csv [results.parquet]

With a second argument the per-row results are written there (a Parquet directory, as Spark writes it).
"Today" is SENTCALC_TODAY when set, as for `sentcalc batch`.
"""

from __future__ import annotations

import sys
from functools import partial

from sentcalc.errors import MissingExtra, require
from sentcalc.kernel import Options, recompute
from sentcalc.regimes import today

REGIMES = {"original": "orig", "2014": "r2014"}  # regime → its column prefix in the kernel's output
PER_REGIME = {"base_level": "smallint", "offense_level": "smallint", "chc": "string", "gl_min": "double",
              "gl_min_life": "boolean", "gl_max": "double", "gl_max_life": "boolean", "stat_sub": "string",
              "stat_min": "double", "stat_max": "double", "stat_max_life": "boolean"}
COLUMNS = {"id": "string", **{f"{p}_{k}": t for p in REGIMES.values() for k, t in PER_REGIME.items()},
           "error_reason": "string"}
SCHEMA = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())


def kernel(batches, options: Options):
    import pyarrow as pa

    for b in batches:
        out, _problems, _bad = recompute(pa.Table.from_batches([b]), options)
        yield from out.select(list(COLUMNS)).to_batches()


def main(path: str, output: str | None = None) -> None:
    try:  # the extra to install, rather than a traceback
        for module in ("pyarrow", "pandas"):
            require(module, "spark", "examples/spark_mapinarrow.py")
        session = require("pyspark.sql", "spark", "examples/spark_mapinarrow.py").SparkSession
    except MissingExtra as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    day = today()
    options = Options(list(REGIMES), retro=False, as_of=day, today=day)
    spark = session.builder.master("local[2]").appName("sentcalc").getOrCreate()
    df = spark.read.option("header", True).csv(path)  # every column as text, as sentcalc validates it
    out = df.mapInArrow(partial(kernel, options=options), SCHEMA)
    if output:
        out.write.mode("overwrite").parquet(output)
    out.createOrReplaceTempView("results")
    spark.sql("SELECT count(*) AS people, avg(orig_gl_min - r2014_gl_min) AS mean_drop FROM results "
              "WHERE error_reason IS NULL").show()
    spark.stop()


if __name__ == "__main__":
    main(*(sys.argv[1:3] or ["examples/datasets/sample.csv"]))
