"""One module per area of law; one vectorised function per rule, citing the section it implements."""
