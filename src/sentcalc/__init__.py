"""sentcalc: U.S. federal drug sentences recomputed under the law of any date, every step cited."""

__version__ = "0.1.0"
