"""Everything a user sees, rendered from the steps the engine recorded (never recomputed)."""
