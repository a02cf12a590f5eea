"""Reading and writing cases: case files (YAML/JSON) and, for research, tables (CSV/Parquet/JSONL)."""
