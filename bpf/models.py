"""Stored BPF inputs the data cannot give, and filed snapshots (built by the BPF issue)."""
