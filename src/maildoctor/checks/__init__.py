"""The checks of a diagnosis: each one observes through the network seam and is interpreted
purely; one runner runs them all, and a check that crashes leaves the rest of the report standing."""
