"""Officer broadcasts: the outbox, pacing to each platform's limits, and delivery."""
