"""Officers' answers kept for reuse: the workflow (draft, review, withdraw, exchange as
JSONL) and the poll that keeps every process's engine serving exactly the approved ones."""
