"""Run the sentcalc batch kernel under Spark (local mode) with `mapInArrow`: each partition's Arrow
batches go through `sentcalc.kernel.recompute`, the same function `sentcalc batch` uses.

    pip install pyspark   # and a JDK, e.g. apt-get install default-jdk-headless
    python examples/spark_mapinarrow.py examples/datasets/sample.csv
"""

from __future__ import annotations

import sys
from datetime import date

import pyarrow as pa
from pyspark.sql import SparkSession

from sentcalc.kernel import Options, recompute

TODAY = date(2026, 11, 25)
OPTIONS = Options(["original", "2014"], retro=False, as_of=TODAY, today=TODAY)


def kernel(batches):
    for b in batches:
        out, _problems, _bad = recompute(pa.Table.from_batches([b]), OPTIONS)
        yield from out.select(["id", "orig_offense_level", "orig_gl_min", "r2014_gl_min", "error_reason"]).to_batches()


def main(path: str) -> None:
    spark = SparkSession.builder.master("local[2]").appName("sentcalc").getOrCreate()
    df = spark.read.option("header", True).csv(path)  # every column as text, as sentcalc validates it
    schema = "id string, orig_offense_level smallint, orig_gl_min double, r2014_gl_min double, error_reason string"
    out = df.mapInArrow(kernel, schema)
    out.createOrReplaceTempView("results")
    spark.sql("SELECT count(*) AS people, avg(orig_gl_min - r2014_gl_min) AS mean_drop FROM results "
              "WHERE error_reason IS NULL").show()
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/datasets/sample.csv")
